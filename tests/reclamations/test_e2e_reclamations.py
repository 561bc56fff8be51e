"""A complaint through its phases in a real Chromium, as the gérant works: recorded from the
mission's page, acknowledged by email, qualified, answered by email, closed; then found on the
list and the dashboard. The emails leave for real (Django's outbox: the live server runs in this
process)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from crm.models import EmailEnvoye
from reclamations.models import Reclamation
from tests.factories import mission_lancee
from tests.outils import ARTEFACTS, connexion

pytestmark = pytest.mark.e2e


def _envoyer(page) -> None:
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def test_gerant_handles_a_complaint_from_record_to_close_in_the_browser(
    live_server, page, gerant, consultant
):
    aujourdhui = timezone.localdate()
    mission = mission_lancee(
        aujourdhui - timedelta(days=40),
        debut=aujourdhui - timedelta(days=30),
        fin=aujourdhui - timedelta(days=3),
        consultants=[consultant],
    )
    contact = mission.devis.contact
    base = live_server.url
    connexion(page, base, "gerant")

    # Recueil: from the mission's page, organisation, mission and contact already chosen.
    page.goto(f"{base}{mission.get_absolute_url()}")
    page.click(".entete-page a:has-text('Réclamation')")
    page.wait_for_selector("textarea[name=description]")
    assert re.search(
        rf"/reclamations/nouvelle/\?organisation={mission.devis.organisation_id}&mission={mission.pk}$",
        page.url,
    ), page.url
    assert page.input_value("select[name=organisation]") == str(mission.devis.organisation_id)
    assert page.input_value("select[name=mission]") == str(mission.pk)
    assert page.input_value("select[name=contact]") == str(contact.pk)
    page.select_option("select[name=canal]", "telephone")
    page.select_option("select[name=gravite]", "majeure")
    page.fill(
        "textarea[name=description]",
        "Le rapport d'évaluation est arrivé avec une semaine de retard.",
    )
    _envoyer(page)
    r = Reclamation.objects.get()
    assert page.url == f"{base}{r.get_absolute_url()}"
    assert re.fullmatch(rf"REC-{aujourdhui.year}-0001", r.numero)
    assert r.mission == mission and r.contact == contact and r.recue_par == gerant

    # Accusé de réception by email: one click, the form's defaults (email, today).
    page.click("a:has-text('Accuser réception')")
    _envoyer(page)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [contact.email]
    assert r.numero in mail.outbox[0].subject
    assert "Accusé de réception enregistré." in page.inner_text(".messages")

    # Qualification.
    page.click("a:has-text('Qualifier / analyser')")
    page.select_option("select[name=nature]", label="Délai")
    page.select_option("select[name=gravite]", "majeure")
    page.check("input[name=fondee][value='True']")
    page.fill("textarea[name=analyse]", "Consultant absent une semaine, pas de relais prévu.")
    _envoyer(page)
    r.refresh_from_db()
    assert (r.statut, r.nature.libelle, r.fondee) == ("en_traitement", "Délai", True)
    assert "Réclamations de ce client" in page.inner_text("body")

    # Résolution: the answer emailed from the app, with a discount typed the French way.
    page.click("a:has-text('Répondre au client')")
    page.fill(
        "textarea[name=reponse]", "Nous vous prions de nous excuser ; une remise est appliquée."
    )
    page.select_option("select[name=compensation]", "remise")
    page.fill("input[name=montant_compensation]", "150,00")
    assert page.is_checked("input[name=envoyer_email]")
    _envoyer(page)
    r.refresh_from_db()
    assert r.statut == "repondue", page.inner_text("main")
    assert str(r.montant_compensation) == "150.00"
    assert len(mail.outbox) == 2
    assert "une remise est appliquée" in mail.outbox[1].body
    assert list(
        EmailEnvoye.objects.filter(object_id=str(r.pk))
        .order_by("pk")
        .values_list("motif", "statut")
    ) == [("reclamation_accuse", "envoye"), ("reclamation_reponse", "envoye")]

    # Clôture: the client is satisfied again, and how we know.
    page.click("a:has-text('Clore la réclamation')")
    page.check("input[name=client_satisfait][value='True']")
    page.fill(
        "textarea[name=verification]", "Appel de la DRH : remise acceptée, relation rétablie."
    )
    _envoyer(page)
    r.refresh_from_db()
    assert (r.statut, r.client_satisfait, r.close_le) == ("close", True, aujourdhui)
    assert "Le client est de nouveau satisfait." in page.inner_text("body")
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "reclamation-close.png"), full_page=True)

    # Suivi: the list and the dashboard show it.
    page.goto(f"{base}/reclamations/?statut=close")
    assert r.numero in page.inner_text("main")
    page.goto(f"{base}/reclamations/tableau-de-bord/")
    assert page.locator("canvas[data-graphique][data-dessine='oui']").count() == 1
    delais = page.inner_text("#kpi-delais")
    assert re.search(r"100(,0)?\s%", delais), delais  # answered on time
    page.screenshot(path=str(ARTEFACTS / "reclamations-tableau-de-bord.png"), full_page=True)
