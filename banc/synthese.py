"""A synthetic history for the benchmark, built with bulk inserts.

Proportions of a consultancy's ten years: per 100 quotes, 20 organisations, 40 contacts,
10 complaints, one request per quote, missions for the accepted quotes, survey answers for
some missions. 10 % of the quotes are waiting past their relance date, so the daily rules have
real work to do. Nothing here is used by the application itself.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import cast

from django.db import transaction

from crm import jetons
from crm.models import (
    Contact,
    Demande,
    Interaction,
    Mission,
    Organisation,
    StatutDemande,
    StatutMission,
)
from devis.models import Devis, LigneDevis, StatutDevis
from devis.services.envoi import echeances_envoi
from reclamations.models import Reclamation, StatutReclamation
from reclamations.services import echeances as echeances_reclamation
from satisfaction.models import Enquete, Reponse

LOT = 5000
SECTEURS = [
    "Industrie",
    "Santé",
    "Banque",
    "Assurance",
    "Services publics",
    "Distribution",
    "Énergie",
    "Transport",
]
VILLES = [
    "Paris",
    "Lyon",
    "Marseille",
    "Lille",
    "Nantes",
    "Bordeaux",
    "Grenoble",
    "Strasbourg",
    "Rennes",
    "Toulouse",
]
NOMS = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
]
PRENOMS = ["Camille", "Léa", "Hugo", "Chloé", "Lucas", "Inès", "Louis", "Manon", "Jules", "Zoé"]


@dataclass
class Taille:
    devis: int
    organisations: int
    contacts: int
    reclamations: int

    @classmethod
    def pour(cls, devis: int) -> Taille:
        return cls(
            devis=devis, organisations=devis // 5, contacts=devis * 2 // 5, reclamations=devis // 10
        )


class Generateur:
    """Adds rows up to a target size; called twice (1 000 then 100 000 quotes)."""

    def __init__(self, le: date, utilisateurs: list, graine: int = 2026):
        self.le = le
        self.hasard = random.Random(graine)
        self.utilisateurs = utilisateurs
        self.calendrier: dict[date, tuple[date, date]] = {}

    def _echeances(self, envoi: date) -> tuple[date, date]:
        if envoi not in self.calendrier:
            self.calendrier[envoi] = echeances_envoi(envoi)
        return self.calendrier[envoi]

    def _jour(self, jours_max: int, jours_min: int = 0) -> date:
        return self.le - timedelta(days=self.hasard.randint(jours_min, jours_max))

    def completer(self, taille: Taille) -> None:
        with transaction.atomic():
            self._organisations(taille.organisations - Organisation.objects.count())
            self._contacts(taille.contacts - Contact.objects.count())
            self._devis(taille.devis - Devis.objects.count())
            self._reclamations(taille.reclamations - Reclamation.objects.count())

    def _organisations(self, n: int) -> None:
        if n <= 0:
            return
        h = self.hasard
        debut = Organisation.objects.count()
        Organisation.objects.bulk_create(
            (
                Organisation(
                    raison_sociale=f"{h.choice(NOMS)} {h.choice(SECTEURS)} {debut + i}",
                    secteur=h.choice(SECTEURS),
                    ville=h.choice(VILLES),
                    source=h.choice(["recommandation", "reseau", "email", "telephone", "site_web"]),
                    cle=i % 200 == 0,
                    frequence_point_jours=60 if i % 200 == 0 else None,
                    responsable=h.choice(self.utilisateurs),
                )
                for i in range(n)
            ),
            batch_size=LOT,
        )

    def _contacts(self, n: int) -> None:
        if n <= 0:
            return
        h = self.hasard
        orgs = list(Organisation.objects.values_list("pk", flat=True))
        Contact.objects.bulk_create(
            (
                Contact(
                    organisation_id=orgs[i % len(orgs)],
                    civilite=h.choice(["Mme", "M."]),
                    prenom=h.choice(PRENOMS),
                    nom=h.choice(NOMS),
                    fonction="DRH",
                    email=f"contact{i}@client.example",
                    telephone="01 23 45 67 89",
                )
                for i in range(n)
            ),
            batch_size=LOT,
        )

    def _devis(self, n: int) -> None:
        if n <= 0:
            return
        h = self.hasard
        contacts = list(Contact.objects.values_list("pk", "organisation_id"))
        deja = Devis.objects.count()
        demandes, devis = [], []
        for i in range(n):
            contact_id, org_id = contacts[h.randrange(len(contacts))]
            tirage = h.random()
            if tirage < 0.10:  # waiting, past its relance date: the rules' work
                statut, envoi = StatutDevis.ENVOYE, self._jour(28, 8)
            elif tirage < 0.15:
                statut, envoi = StatutDevis.ENVOYE, self._jour(3)
            elif tirage < 0.45:
                statut, envoi = StatutDevis.ACCEPTE, self._jour(3650, 40)
            elif tirage < 0.60:
                statut, envoi = StatutDevis.REFUSE, self._jour(3650, 40)
            elif tirage < 0.90:
                statut, envoi = StatutDevis.SANS_SUITE, self._jour(3650, 40)
            elif tirage < 0.95:
                statut, envoi = StatutDevis.ANNULE, self._jour(3650, 40)
            else:
                statut, envoi = StatutDevis.BROUILLON, None
            recue = (envoi or self.le) - timedelta(days=h.randint(1, 5))
            demandes.append(
                Demande(
                    organisation_id=org_id,
                    contact_id=contact_id,
                    recue_le=recue,
                    canal="telephone",
                    contexte=h.choice(["recrutement", "mobilite", "crise"]),
                    type_prestation=h.choice(["evaluation", "conseil", "formation"]),
                    description="Besoin d'évaluation",
                    statut=StatutDemande.GO if envoi else StatutDemande.NOUVELLE,
                )
            )
            d = Devis(
                organisation_id=org_id,
                contact_id=contact_id,
                objet=f"Prestation {deja + i}",
                statut=statut,
            )
            if envoi:
                relance, sans_suite = self._echeances(envoi)
                d.numero = f"DEV-{envoi.year}-{deja + i + 1:05d}"
                d.envoye_le, d.relance_due_le, d.sans_suite_le = envoi, relance, sans_suite
                if statut in (StatutDevis.ACCEPTE, StatutDevis.REFUSE):
                    d.reponse_le = envoi + timedelta(days=h.randint(1, 20))
                    d.reponse = statut
                if statut == StatutDevis.SANS_SUITE:
                    d.classe_sans_suite_le = sans_suite
            devis.append(d)
        Demande.objects.bulk_create(demandes, batch_size=LOT)
        for dem, d in zip(demandes, devis, strict=True):
            d.demande_id = dem.pk
        Devis.objects.bulk_create(devis, batch_size=LOT)
        LigneDevis.objects.bulk_create(
            (
                LigneDevis(
                    devis_id=d.pk,
                    ordre=1,
                    designation="Évaluation individuelle",
                    quantite=Decimal(h.randint(1, 4)),
                    unite="personne",
                    prix_unitaire_ht=Decimal("1200.00"),
                )
                for d in devis
            ),
            batch_size=LOT,
        )
        acceptes = [d for d in devis if d.statut == StatutDevis.ACCEPTE]
        Mission.objects.bulk_create(
            (
                Mission(
                    devis_id=d.pk,
                    debut=cast(date, d.reponse_le),
                    fin=cast(date, d.reponse_le) + timedelta(days=10),
                    statut=StatutMission.TERMINEE,
                )
                for d in acceptes
            ),
            batch_size=LOT,
        )
        missions = list(
            Mission.objects.filter(devis_id__in=[d.pk for d in acceptes[::6]]).values_list(
                "pk", "devis__contact_id", "fin"
            )
        )
        enquetes = []
        for pk, contact_id, fin in missions:
            if fin is None:  # every accepted quote's mission here has an end date
                continue
            e = Enquete(
                mission_id=pk,
                contact_id=contact_id,
                creee_le=fin,
                envoyee_le=fin,
                expire_le=fin + timedelta(days=30),
            )
            e.jeton_empreinte = jetons.empreinte(jetons.jeton(Enquete.USAGE_JETON, e.jeton_nonce))
            enquetes.append(e)
        Enquete.objects.bulk_create(enquetes, batch_size=LOT)
        Reponse.objects.bulk_create(
            (
                Reponse(
                    enquete_id=e.pk,
                    satisfaction=h.randint(2, 5),
                    recommandation=h.randint(4, 10),
                    effort=h.randint(2, 7),
                    repondue_le=cast(date, e.envoyee_le) + timedelta(days=3),
                    commentaire="Très bon accompagnement." if h.random() < 0.3 else "",
                )
                for e in enquetes
                if h.random() < 0.7
            ),
            batch_size=LOT,
        )

    def _reclamations(self, n: int) -> None:
        if n <= 0:
            return
        h = self.hasard
        orgs = list(Organisation.objects.values_list("pk", flat=True))
        deja = Reclamation.objects.count()
        objets = []
        for i in range(n):
            recue = self._jour(3650)
            r = Reclamation(
                numero=f"REC-{recue.year}-{deja + i + 1:05d}",
                organisation_id=orgs[h.randrange(len(orgs))],
                recue_le=recue,
                description="Retard dans la restitution.",
            )
            r.accuse_du_le, r.reponse_due_le = echeances_reclamation(recue)
            if (self.le - recue).days > 20 or h.random() < 0.5:
                r.accuse_le = recue + timedelta(days=1)
                r.repondue_le = recue + timedelta(days=h.randint(2, 9))
                r.close_le = r.repondue_le + timedelta(days=2)
                r.statut = StatutReclamation.CLOSE
            objets.append(r)
        Reclamation.objects.bulk_create(objets, batch_size=LOT)

    def organisation_riche(self) -> Organisation:
        """An organisation with a long story: the organisation page's worst case."""
        org = Organisation.objects.order_by("pk").first()
        assert org is not None  # the history was built just before
        contact = org.contacts.first()
        Interaction.objects.bulk_create(
            Interaction(
                organisation=org,
                contact=contact,
                type="appel",
                date=self._jour(3650),
                resume="Point téléphonique",
            )
            for _ in range(300)
        )
        return org

    def devis_deux_pages(self) -> Devis:
        org = Organisation.objects.order_by("pk").first()
        assert org is not None
        d = Devis.objects.create(
            organisation=org,
            contact=org.contacts.first(),
            objet="Programme de formation des managers",
            contexte="Contexte détaillé de la demande. " * 40,
            methodologie="Étapes de la méthodologie retenue. " * 40,
            conditions="Conditions générales d'intervention. " * 20,
        )
        LigneDevis.objects.bulk_create(
            LigneDevis(
                devis=d,
                ordre=i,
                designation=f"Session {i}",
                quantite=Decimal(1),
                unite="session",
                prix_unitaire_ht=Decimal("1450.00"),
            )
            for i in range(1, 16)
        )
        return d
