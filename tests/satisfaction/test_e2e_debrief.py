"""The consultant's debrief on a phone (390 px wide) in a real Chromium: « Mes missions » → the
mission → « Débrief »; a « non » leads straight to the complaint form, already filled with the
client's words, and the gérant is emailed; a future need becomes a new request in one click."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from crm.models import Demande
from reclamations.models import Reclamation
from satisfaction.models import Debrief
from tests.factories import mission_lancee
from tests.outils import ARTEFACTS, connexion, pas_de_defilement_horizontal

pytestmark = pytest.mark.e2e

PAROLES = "Le rapport est arrivé trop tard pour notre comité de sélection."


def _missions(consultant, autre_consultant):
    aujourdhui = timezone.localdate()
    dates = {
        "debut": aujourdhui - timedelta(days=20),
        "fin": aujourdhui - timedelta(days=1),
    }
    sienne = mission_lancee(
        aujourdhui - timedelta(days=30),
        consultants=[consultant],
        objet="Évaluation de trois managers",
        **dates,
    )
    autre = mission_lancee(
        aujourdhui - timedelta(days=30),
        consultants=[autre_consultant],
        objet="Formation des recruteurs",
        **dates,
    )
    return sienne, autre


def _mes_missions(page) -> None:
    page.click("button.navbar-toggler")
    page.click("#menu-principal a:has-text('Mes missions')")
    page.wait_for_url(re.compile(r"/missions/$"))


def test_consultant_debriefs_non_on_a_phone_and_records_the_complaint(
    live_server, telephone, gerant, consultant, autre_consultant
):
    page = telephone
    sienne, autre = _missions(consultant, autre_consultant)
    base = live_server.url
    connexion(page, base, "consultant")

    _mes_missions(page)
    liste = page.inner_text("main")
    assert "Évaluation de trois managers" in liste
    assert "Formation des recruteurs" not in liste  # not their mission
    pas_de_defilement_horizontal(page)

    page.click("main a:has-text('Évaluation de trois managers')")
    page.wait_for_url(f"{base}{sienne.get_absolute_url()}")
    page.click(".entete-page a:has-text('Saisir le débrief')")
    page.wait_for_url(re.compile(r"/satisfaction/missions/\d+/debrief/$"))
    pas_de_defilement_horizontal(page)
    assert "Cela correspondait-il à vos attentes" in page.inner_text("main")

    page.check("input[name=reponse][value=non]")
    page.fill("textarea[name=verbatim]", PAROLES)
    page.fill("textarea[name=signaux_faibles]", "La DRH envisage de changer de prestataire.")
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "debrief-telephone.png"), full_page=True)
    with page.expect_navigation():
        page.click("button:has-text('Enregistrer le débrief')")

    # « non »: the complaint form at once, filled from the mission and the client's words.
    assert re.search(r"/reclamations/nouvelle/\?organisation=\d+&mission=\d+$", page.url)
    assert "enregistrez sa réclamation maintenant" in page.inner_text(".messages")
    assert page.input_value("textarea[name=description]") == PAROLES
    assert page.input_value("select[name=canal]") == "oral"
    assert page.input_value("select[name=mission]") == str(sienne.pk)
    pas_de_defilement_horizontal(page)
    assert Debrief.objects.get(mission=sienne).reponse == "non"
    assert [m.to for m in mail.outbox] == [[gerant.email]]  # the gérant is told of the « non »

    page.select_option("select[name=gravite]", "majeure")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    r = Reclamation.objects.get()
    assert page.url == f"{base}{r.get_absolute_url()}"
    assert (r.mission, r.recue_par, r.canal, r.description) == (sienne, consultant, "oral", PAROLES)
    assert r.organisation == sienne.devis.organisation
    page.screenshot(path=str(ARTEFACTS / "debrief-reclamation-telephone.png"), full_page=True)


def test_consultant_turns_a_future_need_into_a_request_in_one_click_on_a_phone(
    live_server, telephone, gerant, consultant, autre_consultant
):
    page = telephone
    sienne, _ = _missions(consultant, autre_consultant)
    base = live_server.url
    connexion(page, base, "consultant")
    _mes_missions(page)
    page.click("main a:has-text('Évaluation de trois managers')")
    page.click(".entete-page a:has-text('Saisir le débrief')")
    page.check("input[name=reponse][value=oui]")
    page.fill("textarea[name=besoins_futurs]", "Former leurs managers à l'entretien structuré.")
    with page.expect_navigation():
        page.click("button:has-text('Enregistrer le débrief')")
    assert page.url == f"{base}{sienne.get_absolute_url()}"
    assert mail.outbox == []  # « oui »: nobody is alerted

    with page.expect_navigation():
        page.click("button:has-text('Ouvrir une demande à partir de ce besoin')")
    demande = Demande.objects.get(organisation=sienne.devis.organisation, statut="nouvelle")
    assert page.url == f"{base}{demande.get_absolute_url()}"
    assert "Former leurs managers" in demande.description
    assert Debrief.objects.get(mission=sienne).demande_creee == demande
    pas_de_defilement_horizontal(page)


def test_gerant_sees_the_debriefs_in_the_satisfaction_charts_without_csp_errors(
    live_server, page, gerant, consultant, autre_consultant
):
    from satisfaction.services import enregistrer_debrief

    sienne, autre = _missions(consultant, autre_consultant)
    enregistrer_debrief(sienne, le=timezone.localdate(), reponse="partiellement", par=consultant)
    enregistrer_debrief(autre, le=timezone.localdate(), reponse="oui", par=autre_consultant)
    erreurs: list[str] = []
    page.on(
        "console",
        lambda m: (
            erreurs.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda e: erreurs.append(str(e)))
    # Every file the page needs is served (the browser asks for /favicon.ico on its own).
    page.on(
        "response",
        lambda r: (
            erreurs.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    connexion(page, live_server.url, "gerant")
    page.goto(f"{live_server.url}/satisfaction/")
    page.wait_for_selector("canvas[data-dessine='oui']")
    assert page.locator("canvas[data-graphique][data-dessine='oui']").count() == 3
    assert "Camille Martin" in page.inner_text(".par-consultant")
    assert erreurs == [], erreurs
    page.screenshot(path=str(ARTEFACTS / "satisfaction-tableau.png"), full_page=True)
