"""factory_boy factories for plain data; workflow states are reached through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from crm.models import Contact, Demande, Organisation, RevueFaisabilite
from devis.models import Devis, LigneDevis
from tests.outils import PDF


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    raison_sociale = factory.Sequence(lambda n: f"Société {n} SAS")
    ville = "Lyon"
    code_postal = "69002"
    secteur = "Industrie"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    organisation = factory.SubFactory(OrganisationFactory)
    civilite = "Mme"
    prenom = "Claire"
    nom = factory.Sequence(lambda n: f"Dupont{n}")
    fonction = "DRH"
    email = factory.Sequence(lambda n: f"claire.dupont{n}@client.example")
    telephone = "01 23 45 67 89"


class DemandeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Demande

    organisation = factory.SubFactory(OrganisationFactory)
    contact = factory.LazyAttribute(lambda o: ContactFactory(organisation=o.organisation))
    recue_le = date(2026, 3, 2)
    canal = "telephone"
    contexte = "recrutement"
    type_prestation = "evaluation"
    description = "Évaluation d'un candidat au poste de directeur financier."


class RevueGoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RevueFaisabilite

    demande = factory.SubFactory(DemandeFactory)
    competence = True
    disponibilite = True
    independance = True
    decision = "go"
    decidee_le = factory.LazyAttribute(lambda o: o.demande.recue_le)


class DevisFactory(factory.django.DjangoModelFactory):
    """A draft quote with one line (1 200,00 € HT), its contact having an email."""

    class Meta:
        model = Devis
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    contact = factory.LazyAttribute(lambda o: ContactFactory(organisation=o.organisation))
    objet = "Évaluation d'un candidat"
    contexte = "Recrutement d'un directeur financier."

    @factory.post_generation
    def lignes(obj, create, extracted, **kwargs):
        if not create:
            return
        for designation, quantite, prix in extracted or [("Évaluation individuelle", 1, "1200.00")]:
            LigneDevis.objects.create(
                devis=obj,
                designation=designation,
                quantite=Decimal(str(quantite)),
                prix_unitaire_ht=Decimal(prix),
                unite="forfait",
            )


def devis_envoye(le: date, **kwargs) -> Devis:
    from devis.services import envoyer_devis

    return envoyer_devis(DevisFactory(**kwargs), le=le, email=False)


# --- Added for the service tests: workflow states reached through the real services -------------


def demande_avec_revue(
    decision: str, *, le: date = date(2026, 3, 2), revue_le: date | None = None, **kwargs
):
    """A request received ``le`` whose feasibility review concluded ``go`` or ``no_go``
    (declined), on ``revue_le`` (the same day unless given)."""
    from crm.services import decider_faisabilite

    demande = DemandeFactory(recue_le=le, **kwargs)
    revue_le = revue_le or le
    if decision == "go":
        decider_faisabilite(
            demande,
            le=revue_le,
            competence=True,
            disponibilite=True,
            independance=True,
            decision="go",
        )
    else:
        decider_faisabilite(
            demande,
            le=revue_le,
            competence=False,
            disponibilite=True,
            independance=True,
            decision="no_go",
            suite="decliner",
            motif="Hors de notre champ de compétence.",
        )
    demande.refresh_from_db()
    return demande


def mission_lancee(
    envoye_le: date, *, debut: date, fin: date | None = None, consultants=(), **kwargs
):
    """A mission launched through the real chain: sent devis → accepted → agreement → contract
    review → launch."""
    from devis.services import (
        RevueContrat,
        enregistrer_accord,
        faire_revue_contrat,
        lancer_mission,
    )

    devis = devis_envoye(envoye_le, **kwargs)
    accord = enregistrer_accord(devis, type="bon_commande", recu_le=envoye_le)
    faire_revue_contrat(
        accord, RevueContrat(prix_conforme=True, conditions_conformes=True), le=envoye_le
    )
    devis.refresh_from_db()
    return lancer_mission(devis, debut=debut, fin=fin, consultants=consultants)


# --- A small world with one object of every kind (the access matrix, faults, security) ----


@dataclass
class Monde:
    objets: dict
    jetons: dict


def construire_monde(gerant_, consultant_a) -> Monde:
    from crm.services import enregistrer_demande
    from devis.services import (
        RevueContrat,
        enregistrer_accord,
        faire_revue_contrat,
        lancer_mission,
        lien_acceptation,
    )
    from reclamations.models import Action
    from reclamations.services import enregistrer_reclamation
    from satisfaction.services import creer_enquete

    aujourdhui = timezone.localdate()
    org = OrganisationFactory(raison_sociale="Client Matrice SA")
    contact = ContactFactory(organisation=org)
    demande = enregistrer_demande(
        recue_le=date(2026, 3, 2),
        canal="telephone",
        contexte="recrutement",
        type_prestation="evaluation",
        description="Évaluer un candidat.",
        organisation=org,
        contact=contact,
        par=gerant_,
        fichier=SimpleUploadedFile("fiche.pdf", PDF, content_type="application/pdf"),
    )
    devis = devis_envoye(date(2026, 3, 2), organisation=org, contact=contact)
    accord = enregistrer_accord(
        devis,
        type="bon_commande",
        recu_le=date(2026, 3, 4),
        document=SimpleUploadedFile("bon.pdf", PDF, content_type="application/pdf"),
        document_nom="bon-de-commande.pdf",
    )
    faire_revue_contrat(
        accord, RevueContrat(prix_conforme=True, conditions_conformes=True), le=date(2026, 3, 4)
    )
    devis.refresh_from_db()
    m = lancer_mission(devis, debut=date(2026, 3, 9), consultants=[consultant_a])
    reclamation = enregistrer_reclamation(
        organisation=org,
        recue_le=date(2026, 3, 10),
        description="Restitution en retard.",
        contact=contact,
        par=consultant_a,
        mission=m,
    )
    enquete = creer_enquete(contact=contact, le=aujourdhui, mission=m)
    action = Action.objects.create(
        reclamation=reclamation,
        description="Prévenir le client de tout retard.",
        responsable=consultant_a,
        echeance=date(2026, 4, 1),
    )
    from crm.services import creer_tache
    from pilotage import agenda

    tache = creer_tache(
        titre="Appeler le client", echeance=date(2026, 3, 20), responsable=consultant_a, objet=m
    )
    jeton_agenda = agenda.jeton_de(consultant_a)
    return Monde(
        objets={
            "organisation": org,
            "contact": contact,
            "demande": demande,
            "devis": devis,
            "mission": m,
            "reclamation": reclamation,
            "enquete": enquete,
            "action": action,
            "tache": tache,
        },
        jetons={
            "devis": lien_acceptation(devis).rstrip("/").rsplit("/", 1)[-1],
            "enquete": enquete.jeton,
            "agenda": jeton_agenda.jeton,
        },
    )


def reclamation_recue(recue_le: date = date(2026, 3, 5), **champs):
    """A complaint recorded through the service (its number taken), for an organisation and a
    contact made on the spot unless given."""
    from reclamations.services import enregistrer_reclamation

    org = champs.pop("organisation", None) or OrganisationFactory()
    contact = champs.pop("contact", None) or ContactFactory(organisation=org)
    return enregistrer_reclamation(
        organisation=org,
        recue_le=recue_le,
        description=champs.pop("description", "Le rapport est arrivé en retard."),
        contact=contact,
        **champs,
    )


def nature_reclamation(libelle: str):
    from reclamations.models import NatureReclamation

    return NatureReclamation.objects.get_or_create(libelle=libelle)[0]


def devis_envoye_aujourdhui(**kwargs) -> Devis:
    """A quote sent today: its link is open whatever day the suite runs."""
    return devis_envoye(timezone.localdate(), **kwargs)
