"""The Content-Security-Policy in a real Chromium: the app's main pages load and work with no
violation (no inline script or style, nothing from another origin)."""

from __future__ import annotations

import contextlib

import pytest
from django.urls import NoReverseMatch, reverse

from tests.factories import construire_monde
from tests.outils import MOT_DE_PASSE


def _pages(monde) -> list[str]:
    o = monde.objets
    pages = [
        reverse("accueil"),
        reverse("crm:organisations"),
        reverse("crm:organisation", args=[o["organisation"].pk]),
        reverse("crm:interaction_creer", args=[o["organisation"].pk]),
        reverse("crm:demandes"),
        reverse("crm:demande", args=[o["demande"].pk]),
        reverse("crm:demande_creer"),
        reverse("crm:missions"),
        reverse("crm:mission", args=[o["mission"].pk]),
        reverse("crm:entreprise"),
        reverse("devis:liste"),
        reverse("devis:modele"),
        reverse("devis:detail", args=[o["devis"].pk]),
        reverse("reclamations:liste"),
        reverse("reclamations:detail", args=[o["reclamation"].pk]),
        reverse("satisfaction:tableau"),
        reverse("satisfaction:debrief", args=[o["mission"].pk]),
        reverse("rgpd:tableau"),
        reverse("rgpd:contact", args=[o["contact"].pk]),
    ]
    # Pages other engineers add: checked when they exist.
    for nom in (
        "reclamations:tableau",
        "reclamations:actions",
        "pilotage:tableau",
        "pilotage:revue_direction",
        "pilotage:import",
        "pilotage:exports",
        "pilotage:agenda",
        "pilotage:travaux",
    ):
        with contextlib.suppress(NoReverseMatch):
            pages.append(reverse(nom))
    return pages


@pytest.mark.e2e
def test_main_pages_raise_no_csp_violation_in_chromium(live_server, page, gerant, consultant):
    monde = construire_monde(gerant, consultant)
    violations: list[str] = []
    erreurs: list[str] = []

    def _console(message):
        texte = message.text
        if any(m in texte for m in ("Content Security Policy", "Refused to", "violates")):
            violations.append(f"{page.url} : {texte}")

    page.on("console", _console)
    page.on("pageerror", lambda exc: erreurs.append(f"{page.url} : {exc}"))

    # Public pages first, without an account.
    page.goto(f"{live_server.url}{reverse('devis:public', args=[monde.jetons['devis']])}")
    page.goto(
        f"{live_server.url}"
        f"{reverse('satisfaction:enquete_publique', args=[monde.jetons['enquete']])}"
    )
    page.goto(f"{live_server.url}{reverse('login')}")
    page.fill("input[name=username]", "gerant")
    page.fill("input[name=password]", MOT_DE_PASSE)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    for chemin in _pages(monde):
        reponse = page.goto(f"{live_server.url}{chemin}")
        assert reponse is not None and reponse.status == 200, chemin
        assert "default-src 'self'" in reponse.headers.get("content-security-policy", "")
        page.wait_for_load_state("load")

    # The scripts did run under the policy: Bootstrap's dropdown opens on the organisation page.
    page.goto(
        f"{live_server.url}{reverse('crm:organisation', args=[monde.objets['organisation'].pk])}"
    )
    page.click("button.dropdown-toggle")
    page.wait_for_selector(".dropdown-menu.show")
    assert page.evaluate("typeof window.htmx") == "object"

    assert not violations, "\n".join(violations)
    assert not erreurs, "\n".join(erreurs)
