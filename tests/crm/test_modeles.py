"""Invariants held by the database (constraints), validators, derived properties and roles."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from crm.formats import format_euros
from crm.models import Organisation, RevueFaisabilite, valider_siret
from crm.roles import CONSULTANT, GERANT
from devis.models import Devis, Relance
from devis.services import enregistrer_reponse
from satisfaction.models import Reponse
from satisfaction.services import creer_enquete
from tests.factories import ContactFactory, DevisFactory, RevueGoFactory, devis_envoye

pytestmark = pytest.mark.django_db

ENVOI = date(2026, 3, 2)


# --- Database constraints ------------------------------------------------------------------------


def test_second_relance_for_one_devis_is_refused_by_the_database():
    devis = devis_envoye(ENVOI)
    Relance.objects.create(devis=devis, due_le=devis.relance_due_le)
    with pytest.raises(IntegrityError), transaction.atomic():
        Relance.objects.create(devis=devis, due_le=devis.relance_due_le)
    assert Relance.objects.filter(devis=devis).count() == 1


@pytest.mark.parametrize(
    "champs",
    [
        {"satisfaction": 6, "recommandation": 8, "effort": 5},
        {"satisfaction": 0, "recommandation": 8, "effort": 5},
        {"satisfaction": 4, "recommandation": 11, "effort": 5},
        {"satisfaction": 4, "recommandation": 8, "effort": 8},
        {"satisfaction": 4, "recommandation": 8, "effort": 0},
    ],
)
def test_out_of_range_survey_answer_is_refused_by_the_database(champs):
    enquete = creer_enquete(contact=ContactFactory(), le=ENVOI)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reponse.objects.create(enquete=enquete, repondue_le=ENVOI, **champs)
    assert not Reponse.objects.exists()


def test_in_range_survey_answer_is_stored():
    enquete = creer_enquete(contact=ContactFactory(), le=ENVOI)
    Reponse.objects.create(
        enquete=enquete, repondue_le=ENVOI, satisfaction=5, recommandation=0, effort=7
    )
    assert Reponse.objects.count() == 1


def test_second_feasibility_review_for_one_demande_is_refused_by_the_database():
    revue = RevueGoFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RevueFaisabilite.objects.create(
            demande=revue.demande,
            competence=True,
            disponibilite=True,
            independance=True,
            decision="go",
            decidee_le=ENVOI,
        )
    assert RevueFaisabilite.objects.filter(demande=revue.demande).count() == 1


def test_sent_devis_without_number_is_refused_by_the_database():
    devis = DevisFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Devis.objects.filter(pk=devis.pk).update(statut="envoye", envoye_le=ENVOI)


def test_answer_before_sending_is_refused_by_the_database():
    devis = devis_envoye(ENVOI)
    with pytest.raises(IntegrityError), transaction.atomic():
        Devis.objects.filter(pk=devis.pk).update(reponse_le=ENVOI - timedelta(days=1))


# --- SIRET ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("siret", ["73282932000074", "732 829 320 00074", "35600000000042"])
def test_valid_siret_is_accepted(siret):
    valider_siret(siret)


@pytest.mark.parametrize(
    "siret", ["73282932000075", "7328293200007", "7328293200007A", "35600000000043"]
)
def test_invalid_siret_is_refused_with_a_french_message(siret):
    with pytest.raises(ValidationError) as exc:
        valider_siret(siret)
    assert "SIRET" in exc.value.messages[0]


def test_organisation_full_clean_refuses_a_bad_siret():
    org = Organisation(raison_sociale="Mauvais SIRET SA", siret="12345678901234")
    with pytest.raises(ValidationError) as exc:
        org.full_clean()
    assert "siret" in exc.value.message_dict


# --- Derived client status -----------------------------------------------------------------------


def test_organisation_becomes_client_once_a_devis_is_accepted():
    devis = devis_envoye(ENVOI)
    org = devis.organisation
    assert not org.est_client
    assert org.statut_commercial == "Prospect"
    enregistrer_reponse(devis, decision="accepte", le=ENVOI + timedelta(days=3))
    org = Organisation.objects.get(pk=org.pk)
    assert org.est_client
    assert org.statut_commercial == "Client"
    annotee = Organisation.objects.avec_statut().get(pk=org.pk)
    assert annotee.est_client is True


def test_refused_devis_does_not_make_a_client():
    devis = devis_envoye(ENVOI)
    enregistrer_reponse(devis, decision="refuse", le=ENVOI + timedelta(days=3))
    assert not Organisation.objects.get(pk=devis.organisation_id).est_client
    assert not Organisation.objects.avec_statut().get(pk=devis.organisation_id).est_client


# --- Totals in Decimal ---------------------------------------------------------------------------


def test_devis_totals_are_exact_to_the_cent():
    devis = DevisFactory(
        lignes=[("Évaluation individuelle", 2, "1234.50"), ("Frais de dossier", "0.5", "99.99")]
    )
    # 2 × 1234.50 + 0.5 × 99.99 = 2469.00 + 49.995 = 2518.995 → 2519.00 (half up, once).
    assert devis.total_ht == Decimal("2519.00")
    assert devis.total_tva == Decimal("503.80")
    assert devis.total_ttc == Decimal("3022.80")
    assert isinstance(devis.total_ttc, Decimal)


def test_database_totals_match_python_totals():
    devis = DevisFactory(
        lignes=[("Évaluation individuelle", 2, "1234.50"), ("Frais de dossier", "0.5", "99.99")]
    )
    annote = Devis.objects.avec_totaux().get(pk=devis.pk)
    assert annote.total_ht == devis.total_ht == Decimal("2519.00")


def test_devis_without_lines_totals_zero():
    devis = DevisFactory()
    devis.lignes.all().delete()
    assert devis.total_ht == Decimal("0.00")
    assert devis.total_ttc == Decimal("0.00")


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [
        (Decimal("1234.5"), "1 234,50 €"),
        (Decimal("0"), "0,00 €"),
        (Decimal("1234567.891"), "1 234 567,89 €"),
        (Decimal("-12.345"), "-12,35 €"),
        (Decimal("-1234567.5"), "-1 234 567,50 €"),
        (Decimal("-0.001"), "0,00 €"),
        (999.995, "1 000,00 €"),
        (1234, "1 234,00 €"),
        ("pas un montant", "pas un montant"),
        (None, ""),
    ],
)
def test_format_euros_is_french(valeur, attendu):
    assert format_euros(valeur) == attendu


# --- Roles ---------------------------------------------------------------------------------------


def _permissions(nom: str) -> set[str]:
    groupe = Group.objects.get(name=nom)
    return {
        f"{app}.{code}"
        for app, code in groupe.permissions.values_list("content_type__app_label", "codename")
    }


def test_gerant_and_consultant_groups_exist():
    assert Group.objects.filter(name=GERANT).exists()
    assert Group.objects.filter(name=CONSULTANT).exists()


def test_consultant_writes_interactions_debriefs_and_complaints_only():
    perms = _permissions(CONSULTANT)
    assert {
        "crm.add_interaction",
        "crm.view_organisation",
        "crm.view_demande",
        "satisfaction.add_debrief",
        "reclamations.add_reclamation",
    } <= perms
    assert "devis.change_devis" not in perms
    assert "devis.add_devis" not in perms
    assert "devis.change_lignedevis" not in perms
    # No business record is ever deleted (DESIGN §8); a lost phone's second-factor device is a
    # credential, which the gérant revokes by deleting it.
    credentials = ("otp_totp.", "otp_static.")
    assert not [p for p in perms if ".delete_" in p and not p.startswith(credentials)]


def test_consultant_user_has_the_group_permissions(consultant):
    assert consultant.has_perm("crm.add_interaction")
    assert consultant.has_perm("satisfaction.add_debrief")
    assert not consultant.has_perm("devis.change_devis")
    assert not consultant.has_perm("crm.delete_organisation")


def test_gerant_adds_and_changes_everything_but_deletes_nothing():
    perms = _permissions(GERANT)
    assert {
        "devis.add_devis",
        "devis.change_devis",
        "devis.change_relance",
        "crm.change_organisation",
        "reclamations.change_reclamation",
        "satisfaction.change_enquete",
    } <= perms
    # No business record is ever deleted (DESIGN §8); a lost phone's second-factor device is a
    # credential, which the gérant revokes by deleting it.
    credentials = ("otp_totp.", "otp_static.")
    assert not [p for p in perms if ".delete_" in p and not p.startswith(credentials)]
