"""RGPD (CNIL référentiel « gestion commerciale »): inactive prospects flagged then anonymised
after the gérant is warned, per-person export and erasure, « ne pas prospecter », the log."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from crm.calendrier import ajouter_jours_ouvres, ajouter_mois
from crm.digest import envoyer_digests
from crm.models import Contact, EmailEnvoye, Interaction, Organisation
from crm.regles import appliquer
from devis.models import Devis, Relance, StatutDevis
from devis.services import envoyer_devis
from rgpd.models import ActionRGPD, JournalRGPD, Signalement, StatutSignalement
from rgpd.services import PREAVIS_JOURS
from tests.factories import (
    ContactFactory,
    DemandeFactory,
    DevisFactory,
    OrganisationFactory,
    devis_envoye,
    mission_lancee,
)
from tests.outils import PDF

AUJOURDHUI = timezone.localdate()
# A business date a little over three years after the test data was created.
LE = ajouter_mois(AUJOURDHUI, 36) + timedelta(days=3)


def _prospect(nom: str = "Prospect Dormant SARL") -> tuple[Organisation, Contact]:
    org = OrganisationFactory(raison_sociale=nom, notes="Dirigeant : Jean Secret")
    contact = ContactFactory(
        organisation=org, prenom="Jean", nom="Secret", email="jean.secret@dormant.example"
    )
    Interaction.objects.create(
        organisation=org,
        contact=contact,
        type="appel",
        date=AUJOURDHUI,
        resume="Appel de Jean Secret (jean.secret@dormant.example) : pas de besoin.",
    )
    return org, contact


def _journal(action: str) -> list[JournalRGPD]:
    return list(JournalRGPD.objects.filter(action=action))


@pytest.mark.django_db
def test_a_prospect_without_contact_for_three_years_is_flagged_not_a_client_nor_a_recent_one(
    gerant,
):
    dormant, _ = _prospect()
    recent, _ = _prospect("Prospect Récent SAS")
    Interaction.objects.create(
        organisation=recent, type="appel", date=ajouter_mois(LE, -12), resume="Relancé"
    )
    client = mission_lancee(AUJOURDHUI, debut=AUJOURDHUI).devis.organisation

    # Not yet three years: nothing.
    assert appliquer(ajouter_mois(AUJOURDHUI, 35))["rgpd_signales"] == []
    resultat = appliquer(LE)
    assert resultat["rgpd_signales"] == [f"Organisation {dormant.pk}"]
    assert Signalement.objects.get().organisation == dormant
    assert not Signalement.objects.filter(organisation__in=[recent, client]).exists()
    assert [j.cible_id for j in _journal(ActionRGPD.SIGNALEMENT)] == [dormant.pk]
    # Twice the same day: nothing more.
    assert appliquer(LE)["rgpd_signales"] == []
    assert Signalement.objects.count() == 1


@pytest.mark.django_db
def test_a_new_exchange_lifts_the_flag_and_keeps_the_data(gerant):
    org, contact = _prospect()
    appliquer(LE)
    Interaction.objects.create(organisation=org, type="reunion", date=LE, resume="Il revient")
    resultat = appliquer(LE + timedelta(days=1))
    assert resultat["rgpd_leves"] == [f"Organisation {org.pk}"]
    assert Signalement.objects.get().statut == StatutSignalement.LEVE
    appliquer(LE + timedelta(days=PREAVIS_JOURS + 5))
    contact.refresh_from_db()
    assert contact.nom == "Secret"
    assert _journal(ActionRGPD.LEVEE)


@pytest.mark.django_db
def test_anonymisation_waits_for_the_notice_and_for_the_gerants_digest(gerant, consultant):
    org, contact = _prospect()
    demande = DemandeFactory(
        organisation=org,
        contact=contact,
        recue_le=AUJOURDHUI,
        description="Recruter un DAF, candidat pressenti : Paul Candidat",
        fiche_de_poste=SimpleUploadedFile("fiche.pdf", PDF),
    )
    fiche = Path(demande.fiche_de_poste.path)
    devis = DevisFactory(organisation=org, contact=contact, objet="Évaluation de Paul Candidat")
    appliquer(LE)

    # Past the notice, but no digest has told the gérant: kept.
    tard = LE + timedelta(days=PREAVIS_JOURS + 1)
    assert appliquer(tard)["rgpd_anonymises"] == []

    # The Monday digest warns the gérant (and only the gérant).
    lundi = tard - timedelta(days=tard.weekday())
    envoyer_digests(le=lundi)
    pour_gerant = [m for m in mail.outbox if gerant.email in m.to]
    assert pour_gerant and "Prospect Dormant SARL" in pour_gerant[0].body
    assert "3 ans" in pour_gerant[0].body
    assert not any("Prospect Dormant" in m.body for m in mail.outbox if consultant.email in m.to)

    # Warned, but within the notice period: kept.
    assert appliquer(LE + timedelta(days=PREAVIS_JOURS - 1))["rgpd_anonymises"] == []
    resultat = appliquer(tard)
    assert resultat["rgpd_anonymises"] == [f"Organisation {org.pk}"]
    assert appliquer(tard)["rgpd_anonymises"] == []  # once

    org.refresh_from_db()
    contact.refresh_from_db()
    demande.refresh_from_db()
    devis.refresh_from_db()
    assert org.raison_sociale == f"Prospect anonymisé n° {org.pk}" and org.notes == ""
    assert org.archivee and org.ne_pas_prospecter
    assert contact.nom.startswith("Contact effacé") and contact.email == contact.prenom == ""
    assert "Secret" not in Interaction.objects.get(organisation=org).resume
    assert "Paul Candidat" not in demande.description and not demande.fiche_de_poste
    assert not fiche.exists()
    assert "Paul Candidat" not in devis.objet
    # The change history no longer holds the old values either.
    assert not Contact.history.filter(nom="Secret").exists()
    assert not Organisation.history.filter(raison_sociale="Prospect Dormant SARL").exists()
    assert not Devis.history.filter(objet__contains="Paul Candidat").exists()
    # Nor does the RGPD log.
    assert not JournalRGPD.objects.filter(detail__icontains="Secret").exists()
    assert Signalement.objects.get().statut == StatutSignalement.ANONYMISE
    assert [j.cible_id for j in _journal(ActionRGPD.ANONYMISATION)] == [org.pk]
    # Never flagged again.
    assert appliquer(ajouter_mois(LE, 40))["rgpd_signales"] == []


@pytest.mark.django_db
def test_export_of_a_person_in_json_and_csv_is_complete_and_logged(client_gerant, gerant):
    org, contact = _prospect()
    Contact.objects.filter(pk=contact.pk).update(fonction='=HYPERLINK("http://x")')
    devis = devis_envoye(AUJOURDHUI, organisation=org, contact=contact)

    reponse = client_gerant.get(reverse("rgpd:export_json", args=[contact.pk]))
    assert reponse.status_code == 200
    assert reponse["Content-Disposition"].startswith("attachment;")
    assert "no-store" in reponse["Cache-Control"]
    donnees = json.loads(reponse.content)
    assert donnees["contact"]["email"] == "jean.secret@dormant.example"
    assert donnees["echanges"][0]["resume"].startswith("Appel de Jean Secret")
    assert donnees["devis"][0]["reference"] == devis.reference

    reponse = client_gerant.get(reverse("rgpd:export_csv", args=[contact.pk]))
    assert reponse["Content-Type"].startswith("text/csv")
    lignes = list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig")), delimiter=";"))
    assert lignes[0] == ["rubrique", "n°", "champ", "valeur"]
    assert ["contact", "", "nom", "Secret"] in lignes
    assert ["contact", "", "fonction", '\'=HYPERLINK("http://x")'] in lignes  # no formula
    assert any(ligne[0] == "devis" and ligne[3] == devis.reference for ligne in lignes)

    exports = _journal(ActionRGPD.EXPORT)
    assert {j.detail for j in exports} == {"Export JSON", "Export CSV"}
    assert all(j.par == gerant and j.cible_id == contact.pk for j in exports)


@pytest.mark.django_db
def test_erasure_keeps_the_accepted_quote_anonymised_and_removes_the_person(
    client_gerant, gerant, consultant
):
    mission = mission_lancee(AUJOURDHUI, debut=AUJOURDHUI, consultants=[consultant])
    devis = mission.devis
    contact = devis.contact
    ancien_email, ancien_nom = contact.email, contact.nom
    Interaction.objects.create(
        organisation=devis.organisation,
        contact=contact,
        type="appel",
        date=AUJOURDHUI,
        resume=f"Appel avec {contact.prenom} {ancien_nom}, joignable au {contact.telephone}.",
    )
    # An email sent to the person (kept for the ISO records).
    autre = devis_envoye(AUJOURDHUI, organisation=devis.organisation, contact=contact)
    brouillon = DevisFactory(organisation=devis.organisation, contact=contact)
    envoyer_devis(brouillon, le=AUJOURDHUI)
    assert EmailEnvoye.objects.filter(destinataires__icontains=ancien_email).exists()

    # Without the confirmation word, nothing happens.
    client_gerant.post(reverse("rgpd:effacer", args=[contact.pk]), {"confirmation": "non"})
    contact.refresh_from_db()
    assert contact.email == ancien_email

    reponse = client_gerant.post(
        reverse("rgpd:effacer", args=[contact.pk]), {"confirmation": "EFFACER"}
    )
    assert reponse.status_code == 302
    contact.refresh_from_db()
    devis.refresh_from_db()
    assert contact.email == "" and contact.telephone == "" and contact.mobile == ""
    assert ancien_nom not in contact.nom and contact.archive and contact.ne_pas_prospecter
    # The legal records stay: the accepted quote, its agreement, the organisation (a client).
    assert devis.statut == StatutDevis.ACCEPTE and devis.contact_id == contact.pk
    assert hasattr(devis, "accord") and devis.organisation.raison_sociale
    assert Devis.objects.filter(pk=autre.pk).exists()
    from devis.pdf import devis_pdf

    assert devis_pdf(devis).startswith(b"%PDF")
    # The person is gone from the exchanges, the emails and the history.
    resume = Interaction.objects.get(contact=contact).resume
    assert ancien_nom not in resume and "[effacé]" in resume
    assert not EmailEnvoye.objects.filter(destinataires__icontains=ancien_email).exists()
    assert not EmailEnvoye.objects.filter(corps_texte__icontains=ancien_nom).exists()
    assert not Contact.history.filter(email=ancien_email).exists()
    assert not Contact.history.filter(nom=ancien_nom).exists()
    (effacement,) = _journal(ActionRGPD.EFFACEMENT)
    assert effacement.par == gerant and effacement.cible_id == contact.pk
    assert ancien_nom not in effacement.detail


@pytest.mark.django_db
def test_relance_rule_skips_contacts_and_organisations_that_objected(client_gerant, gerant):
    envoi = date(2026, 3, 2)
    normal = devis_envoye(envoi)
    contact_oppose = devis_envoye(envoi)
    org_opposee = devis_envoye(envoi)
    sans_contact = devis_envoye(envoi)
    Devis.objects.filter(pk=sans_contact.pk).update(contact=None)
    client_gerant.post(
        reverse("rgpd:opposition_contact", args=[contact_oppose.contact_id]), {"valeur": "oui"}
    )
    client_gerant.post(
        reverse("rgpd:opposition_organisation", args=[org_opposee.organisation_id]),
        {"valeur": "oui"},
    )
    appliquer(ajouter_jours_ouvres(envoi, 5))
    assert set(Relance.objects.values_list("devis_id", flat=True)) == {
        normal.pk,
        sans_contact.pk,
    }
    oppositions = _journal(ActionRGPD.OPPOSITION)
    assert len(oppositions) == 2 and all(j.par == gerant for j in oppositions)
    assert {j.cible_type for j in oppositions} == {"crm.Contact", "crm.Organisation"}


@pytest.mark.django_db
def test_survey_rule_neither_proposes_nor_reminds_those_who_objected(client_gerant):
    """The survey rule (satisfaction/regles.py) respects an objection recorded on the RGPD
    pages: no survey proposed for the contact's mission, no reminder of one already sent."""
    from satisfaction.models import Enquete
    from satisfaction.services import creer_enquete

    fin = date(2026, 3, 20)
    libre = mission_lancee(date(2026, 3, 2), debut=date(2026, 3, 9), fin=fin)
    oppose = mission_lancee(date(2026, 3, 2), debut=date(2026, 3, 9), fin=fin)
    deja_envoyee = creer_enquete(contact=ContactFactory(), le=date(2026, 3, 2), mission=None)
    Enquete.objects.filter(pk=deja_envoyee.pk).update(envoyee_le=date(2026, 3, 2))
    client_gerant.post(
        reverse("rgpd:opposition_contact", args=[oppose.devis.contact_id]), {"valeur": "oui"}
    )
    client_gerant.post(
        reverse("rgpd:opposition_organisation", args=[deja_envoyee.contact.organisation_id]),
        {"valeur": "oui"},
    )
    resultat = appliquer(fin + timedelta(days=1))
    proposees = " ".join(resultat["enquetes_a_envoyer"])
    assert f"Mission {libre.pk} " in proposees
    assert f"Mission {oppose.pk} " not in proposees
    assert resultat["enquetes_relancees"] == []
    deja_envoyee.refresh_from_db()
    assert deja_envoyee.relancee_le is None


@pytest.mark.django_db
def test_rgpd_pages_search_and_show_the_log(client_gerant):
    org, contact = _prospect()
    appliquer(LE)
    page = client_gerant.get(reverse("rgpd:tableau"), {"q": "secret"}).content.decode()
    assert reverse("rgpd:contact", args=[contact.pk]) in page
    assert "Prospect Dormant SARL" in page  # the open flag
    assert "Prospect inactif signalé" in page  # the log
    assert client_gerant.get(reverse("rgpd:contact", args=[contact.pk])).status_code == 200
