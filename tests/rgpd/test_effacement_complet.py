"""The right to erasure leaves no trace (issue 16, medium 4): a person made to appear
everywhere through the real services is erased, then every text and JSON column of every model
the app registry knows (history tables included, so a new model is covered without editing this
test) and every stored file is searched for their name, email and phone in several spellings.
A restore from an older backup replays the erasure."""

from __future__ import annotations

import base64
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import models
from django.utils import timezone
from PIL import Image

from crm.models import Contact, Interaction
from crm.services import decider_faisabilite, enregistrer_demande
from devis.models import Devis
from devis.services import (
    RevueContrat,
    accepter_en_ligne,
    enregistrer_relance,
    envoyer_devis,
    faire_revue_contrat,
    lancer_mission,
    poser_question,
)
from reclamations.services import accuser_reception, enregistrer_reclamation, repondre
from rgpd.services import effacer_contact
from satisfaction.services import (
    creer_enquete,
    enregistrer_debrief,
    envoyer_enquete,
    repondre_enquete,
)
from tests.factories import DevisFactory, OrganisationFactory
from tests.outils import PDF

LE = date(2026, 3, 2)
PRENOM, NOM = "Zéphyrine", "Quintavalle-Brûlé"
EMAIL = "z.quintavalle@exemple-rgpd.fr"
TELEPHONE, MOBILE = "06 71 82 93 04", "+33 7 55 44 33 22"
IP = "203.0.113.77"
TRACES = [
    PRENOM,
    "Zephyrine",
    "ZÉPHYRINE",
    NOM,
    "Quintavalle Brûlé",
    "QUINTAVALLE-BRULE",
    "Quintavalle_Brûlé",
    f"{PRENOM} {NOM}",
    EMAIL,
    EMAIL.upper(),
    "0671829304",
    "06.71.82.93.04",
    "+33 6 71 82 93 04",
    "+33671829304",
    "0755443322",
    "07 55 44 33 22",
    IP,
]


def _signature() -> str:
    tampon = io.BytesIO()
    Image.new("RGBA", (120, 40), (0, 0, 0, 0)).save(tampon, format="PNG")
    return "data:image/png;base64," + base64.b64encode(tampon.getvalue()).decode()


def _partout(consultant) -> Contact:
    """The person, made to appear in every record the firm keeps, through the services."""
    org = OrganisationFactory(notes=f"Dirigeante : {PRENOM} {NOM}, {TELEPHONE}")
    demande = enregistrer_demande(
        recue_le=LE,
        canal="telephone",
        contexte="recrutement",
        type_prestation="evaluation",
        description=f"Appel de {PRENOM} {NOM} ({EMAIL}), rappeler au 06.71.82.93.04.",
        organisation=org,
        nouveau_contact={
            "prenom": PRENOM,
            "nom": NOM,
            "email": EMAIL,
            "telephone": TELEPHONE,
            "mobile": MOBILE,
        },
        fichier=SimpleUploadedFile(f"Fiche {PRENOM} {NOM}.pdf", PDF),
    )
    # A task's title names her, one linked to her request, one linked to nothing.
    from crm.services import creer_tache

    creer_tache(
        titre=f"Rappeler {PRENOM} {NOM}", echeance=LE, responsable=consultant, objet=demande
    )
    creer_tache(titre=f"Promis à {NOM} : {TELEPHONE}", echeance=LE, responsable=consultant)
    decider_faisabilite(
        demande,
        le=LE,
        competence=True,
        disponibilite=True,
        independance=True,
        decision="go",
        competence_commentaire=f"Vu avec {PRENOM}.",
    )
    contact = demande.contact
    Interaction.objects.create(
        organisation=org,
        contact=contact,
        type="appel",
        date=LE,
        resume=f"Mme {NOM.upper()} joignable au +33671829304.",
    )
    # A quote sent by email, a question from the client, an online acceptance with signature.
    devis = DevisFactory(organisation=org, contact=contact, demande=demande)
    devis = envoyer_devis(devis, le=LE)
    poser_question(
        devis,
        message=f"Bonjour, ici {PRENOM} : appelez-moi au {MOBILE}.",
        le=LE,
        nom=f"{PRENOM} {NOM}",
        ip=IP,
        navigateur=f"Mozilla/5.0 ({EMAIL})",
    )
    accord = accepter_en_ligne(
        devis,
        nom=f"{PRENOM} {NOM}",
        fonction="Directrice",
        ip=IP,
        navigateur="Mozilla/5.0",
        le=timezone.make_aware(datetime(2026, 3, 3, 10, 0)),
        signature=_signature(),
    )
    faire_revue_contrat(accord, RevueContrat(prix_conforme=True, conditions_conformes=True), le=LE)
    devis.refresh_from_db()
    mission = lancer_mission(devis, debut=LE, consultants=[consultant])
    # A second quote, with a relance note.
    autre = envoyer_devis(DevisFactory(organisation=org, contact=contact), le=LE)
    enregistrer_relance(autre, mode="telephone", le=LE, note=f"Eu {PRENOM} au 07.55.44.33.22")
    # A complaint and its answer, a debrief, a survey answered.
    reclamation = enregistrer_reclamation(
        organisation=org, contact=contact, recue_le=LE, description=f"{NOM} se plaint."
    )
    accuser_reception(reclamation, le=LE)
    repondre(reclamation, le=LE, reponse=f"Chère Madame {NOM}, …", envoyer_email=True)
    enregistrer_debrief(
        mission,
        le=LE,
        reponse="partiellement",
        verbatim=f"« Trop long » dit {PRENOM}.",
        besoins_futurs=f"Rappeler {PRENOM} {NOM} en juin.",
        par=consultant,
    )
    enquete = creer_enquete(contact=contact, le=LE, mission=mission)
    envoyer_enquete(enquete, le=LE)
    repondre_enquete(
        enquete,
        le=LE,
        satisfaction=4,
        recommandation=8,
        effort=2,
        commentaire=f"Très bien — {PRENOM} {NOM}",
        consentement_citation=True,
    )
    return contact


def _restes() -> list[str]:
    """Every ``table.column`` (text, JSON, IP) of every model where a trace remains, and every
    file of MEDIA_ROOT naming the person."""
    cherchees = [t.lower() for t in TRACES]
    restes = set()
    for modele in apps.get_models(include_auto_created=True):
        for champ in modele._meta.concrete_fields:
            if not isinstance(
                champ,
                models.CharField
                | models.TextField
                | models.JSONField
                | models.GenericIPAddressField,
            ):
                continue
            for valeur in modele._base_manager.values_list(champ.attname, flat=True):
                if valeur is None:
                    continue
                texte = (
                    valeur if isinstance(valeur, str) else json.dumps(valeur, ensure_ascii=False)
                )
                if any(t in texte.lower() for t in cherchees):
                    restes.add(f"{modele._meta.db_table}.{champ.column}")
    for chemin in Path(settings.MEDIA_ROOT).rglob("*"):
        if chemin.is_file():
            contenu = (chemin.name + chemin.read_bytes().decode("latin-1")).lower()
            if any(t in contenu for t in cherchees):
                restes.add(f"fichier {chemin.relative_to(settings.MEDIA_ROOT)}")
    return sorted(restes)


@pytest.mark.django_db
def test_after_erasure_the_person_is_in_no_column_of_any_table_nor_in_any_file(gerant, consultant):
    contact = _partout(consultant)
    assert "devis_questionclient.nom" in _restes()  # the scan sees them before

    effacer_contact(contact, le=LE + timedelta(days=10), par=gerant)

    assert _restes() == []
    # The legal records stay, without the person.
    devis = Devis.objects.get(contact=contact, accord__isnull=False)
    assert devis.accord.empreinte_pdf and devis.accord.document
    assert devis.accord.signature == "" and devis.accord.ip is None


@pytest.mark.django_db(transaction=True)
def test_a_restore_from_an_older_backup_replays_the_erasures_of_the_rgpd_log(
    tmp_path, gerant, consultant
):
    contact = _partout(consultant)
    dossier = tmp_path / "sauvegarde"
    call_command("sauvegarde", str(dossier))
    effacer_contact(contact, le=LE + timedelta(days=10), par=gerant)

    call_command("restauration", str(dossier), oui=True)

    assert _restes() == []
    assert Contact.objects.get(pk=contact.pk).nom == f"Contact effacé n° {contact.pk}"
