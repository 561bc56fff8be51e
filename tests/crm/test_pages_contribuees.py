"""The buttons and panels other apps add to the core's pages (their ``pages.py``): the same ones
as when the core's templates named them, for the same roles."""

from __future__ import annotations

import html

import pytest

from tests.factories import construire_monde, demande_avec_revue

pytestmark = pytest.mark.django_db


@pytest.fixture
def monde(gerant, consultant):
    return construire_monde(gerant, consultant).objets


def _page(client, user, url: str) -> str:
    client.force_login(user)
    reponse = client.get(url)
    assert reponse.status_code == 200, url
    return html.unescape(reponse.content.decode())


def test_mission_page_keeps_debrief_complaint_and_survey_blocks_by_role(
    client, monde, gerant, consultant
):
    m = monde["mission"]
    url = m.get_absolute_url()
    pour_gerant = _page(client, gerant, url)
    assert f'href="/satisfaction/missions/{m.pk}/debrief/"' in pour_gerant  # no debrief yet
    reclamation = f"/reclamations/nouvelle/?organisation={m.devis.organisation_id}&mission={m.pk}"
    assert f'href="{reclamation}"' in pour_gerant
    assert "Débrief de fin de mission" in pour_gerant
    assert f'action="/satisfaction/missions/{m.pk}/enquete/"' in pour_gerant
    assert f'href="/devis/{m.devis.pk}/"' in pour_gerant
    pour_consultant = _page(client, consultant, url)
    assert "Débrief de fin de mission" in pour_consultant and "Réclamation" in pour_consultant
    assert "Enquêtes de satisfaction" not in pour_consultant
    assert "/enquete/" not in pour_consultant and f"/devis/{m.devis.pk}/" not in pour_consultant


def test_request_page_offers_the_quote_only_to_the_gerant_after_a_go(client, gerant, consultant):
    demande = demande_avec_revue("go")
    url = demande.get_absolute_url()
    pour_gerant = _page(client, gerant, url)
    assert f'action="/devis/depuis-demande/{demande.pk}/"' in pour_gerant
    assert "Devis liés" in pour_gerant
    pour_consultant = _page(client, consultant, url)
    assert "Établir le devis" not in pour_consultant and "Devis liés" not in pour_consultant
    sans_go = demande_avec_revue("no_go")
    assert "Établir le devis" not in _page(client, gerant, sans_go.get_absolute_url())


def test_organisation_page_keeps_the_apps_links_by_role(client, monde, gerant, consultant):
    org, contact = monde["organisation"], monde["contact"]
    url = org.get_absolute_url()
    pour_gerant = _page(client, gerant, url)
    for lien in (
        f"/reclamations/nouvelle/?organisation={org.pk}",
        f"/pilotage/exports/organisations/{org.pk}/dossier/",
        f"/rgpd/organisations/{org.pk}/opposition/",
        f"/rgpd/contacts/{contact.pk}/",
    ):
        assert f'href="{lien}"' in pour_gerant, lien
    pour_consultant = _page(client, consultant, url)
    assert f'href="/reclamations/nouvelle/?organisation={org.pk}"' in pour_consultant
    assert "/pilotage/" not in pour_consultant.split("<main", 1)[-1]
    assert "/rgpd/" not in pour_consultant.split("<main", 1)[-1]


@pytest.mark.parametrize("liste", ["organisations", "demandes"])
def test_list_exports_keep_the_current_filters_for_the_gerant_only(
    client, gerant, consultant, liste
):
    url = f"/{liste}/?q=abc"
    pour_gerant = _page(client, gerant, url)
    assert f'href="/pilotage/exports/{liste}/?q=abc&format=xlsx"' in pour_gerant
    assert f'href="/pilotage/exports/{liste}/?q=abc&format=csv"' in pour_gerant
    assert f"/pilotage/exports/{liste}/" not in _page(client, consultant, url)
