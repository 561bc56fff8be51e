"""In a real Chromium: the client is away, the gérant moves the relance from « Aujourd'hui »;
htmx replaces the line, which shows the new date, without reloading the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from crm.regles import appliquer
from devis.models import Devis, Relance
from tests.factories import devis_envoye
from tests.outils import ARTEFACTS, connexion

pytestmark = pytest.mark.e2e


def test_gerant_moves_a_relance_from_accueil_and_the_line_shows_the_new_date(
    live_server, page, gerant
):
    le = timezone.localdate()
    devis = devis_envoye(le - timedelta(days=21))  # its relance is overdue
    appliquer(le)
    au = le + timedelta(days=5)  # within the week or not, the line shows the new date

    connexion(page, live_server.url, "gerant")
    ligne = page.locator("li", has_text=devis.numero).first
    assert "en retard" in ligne.inner_text()
    page.evaluate("window.pasRecharge = true")  # gone if the page reloads

    ligne.locator("summary", has_text="Reporter la relance").click()
    ligne.locator("input[name=au]").fill(au.isoformat())
    ligne.locator("input[name=motif]").fill("En congés jusqu'à la semaine prochaine")
    ligne.get_by_role("button", name="Reporter").click()

    nouvelle = page.locator("li", has_text=f"relance due le {au:%d/%m/%Y}")
    nouvelle.wait_for()
    assert f"Relance reportée au {au:%d/%m/%Y}." in nouvelle.inner_text()
    assert "en retard" not in nouvelle.inner_text()
    assert page.evaluate("window.pasRecharge") is True  # htmx swapped the line only
    assert Devis.objects.get(pk=devis.pk).relance_due_le == au
    assert Relance.objects.get(devis=devis).due_le == au
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "aujourdhui-relance-reportee.png"), full_page=True)
