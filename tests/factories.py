"""factory_boy factories for plain data; workflow states are reached through the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from crm.models import Contact, Demande, Organisation, RevueFaisabilite
from devis.models import Devis, LigneDevis


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


def demande_avec_revue(decision: str, *, le: date = date(2026, 3, 2), **kwargs):
    """A request whose feasibility review concluded ``go`` or ``no_go`` (declined)."""
    from crm.services import decider_faisabilite

    demande = DemandeFactory(recue_le=le, **kwargs)
    if decision == "go":
        decider_faisabilite(
            demande, le=le, competence=True, disponibilite=True, independance=True, decision="go"
        )
    else:
        decider_faisabilite(
            demande,
            le=le,
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
