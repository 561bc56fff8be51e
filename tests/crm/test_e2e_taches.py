"""The consultant's day on a phone (issue 14): the debrief they owe comes first, one tap away;
a task is added and done without leaving « Aujourd'hui »; nothing scrolls sideways at 390 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import Tache
from crm.services import creer_tache
from tests.factories import mission_lancee
from tests.outils import ARTEFACTS, connexion, pas_de_defilement_horizontal

pytestmark = pytest.mark.e2e


def test_a_consultant_on_a_phone_sees_the_debrief_they_owe_first(
    live_server, telephone, consultant
):
    le = timezone.localdate()
    mission = mission_lancee(
        le - timedelta(days=40),
        debut=le - timedelta(days=20),
        fin=le - timedelta(days=3),
        consultants=[consultant],
        objet="Évaluation d'un directeur administratif et financier",
    )
    creer_tache(
        titre="Rappeler la DRH pour le compte rendu",
        echeance=le - timedelta(days=1),
        responsable=consultant,
    )
    page = telephone
    connexion(page, live_server.url, consultant.username)

    premiere = page.locator("main section.card").first
    assert "Débriefs à faire" in premiere.inner_text()
    lien = premiere.locator("a").first
    assert lien.get_attribute("href") == reverse("satisfaction:debrief", args=[mission.pk])
    retard = page.locator("#section-taches li.en-retard")
    assert "en retard" in retard.inner_text()  # in words, not colour alone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    pas_de_defilement_horizontal(page)
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "journee-consultant-telephone.png"), full_page=True)

    # A promise made on the phone, noted in two fields without leaving the page (htmx).
    page.fill("#taches-accueil-titre", "Envoyer la synthèse")
    page.fill("#taches-accueil-echeance", (le + timedelta(days=2)).isoformat())
    page.click("#taches-accueil button[type=submit]")
    page.wait_for_selector("#taches-accueil [role=status]")
    assert page.url == f"{live_server.url}/"
    assert Tache.objects.filter(titre="Envoyer la synthèse", responsable=consultant).exists()

    # Done in one tap.
    retard.locator("button:has-text('Fait')").click()
    page.wait_for_selector("#section-taches li:has-text('Fait : Rappeler la DRH')")
    assert Tache.objects.get(titre__startswith="Rappeler").faite_le == le
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.click(f"a[href='{reverse('satisfaction:debrief', args=[mission.pk])}']")
    page.wait_for_url(f"{live_server.url}{reverse('satisfaction:debrief', args=[mission.pk])}")
