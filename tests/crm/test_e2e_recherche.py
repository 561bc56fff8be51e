"""The global search in a real browser (issue 20): « / » from any page, a few letters, the
dropdown lists the contact and the arrows and Enter open it; « / » typed in a field stays text."""

from __future__ import annotations

import pytest

from tests.factories import ContactFactory, OrganisationFactory
from tests.outils import connexion

pytestmark = pytest.mark.e2e


def test_the_gerant_finds_a_contact_from_any_page_with_the_keyboard(live_server, page, gerant):
    org = OrganisationFactory(raison_sociale="Société Générale des Eaux")
    ContactFactory(organisation=org, prenom="Jean", nom="Dupont", telephone="06.12.34.56.78")
    connexion(page, live_server.url, gerant.username)

    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "recherche-globale"
    page.keyboard.type("06 12")
    option = page.locator("#recherche-suggestions [role=option]").first
    option.wait_for()
    assert "Jean Dupont" in option.inner_text()
    assert page.get_attribute("#recherche-globale", "aria-expanded") == "true"

    page.keyboard.press("ArrowDown")
    assert page.get_attribute(
        "#recherche-globale", "aria-activedescendant"
    ) == option.get_attribute("id")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/organisations/{org.pk}/**")


def test_slash_typed_in_a_field_stays_in_the_field(live_server, page, gerant):
    connexion(page, live_server.url, gerant.username)
    page.goto(f"{live_server.url}/recherche/")
    page.click("#recherche-page")
    page.keyboard.type("a/b")
    assert page.input_value("#recherche-page") == "a/b"
    assert page.evaluate("document.activeElement.id") == "recherche-page"
