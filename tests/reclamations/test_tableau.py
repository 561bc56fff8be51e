"""The complaints dashboard's figures on known data (issue 5) and the digest's section."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from reclamations.selectors import tableau_de_bord
from reclamations.services import (
    accuser_reception,
    qualifier,
    repondre,
)
from tests.factories import (
    OrganisationFactory,
    nature_reclamation,
    reclamation_recue,
)

pytestmark = pytest.mark.django_db


# --- Dashboard figures on known data -------------------------------------------------------------


@pytest.fixture
def jeu_tableau():
    qualite, delai = nature_reclamation("Qualité de la prestation"), nature_reclamation("Délai")
    x = OrganisationFactory(raison_sociale="Xéna SARL")
    y = OrganisationFactory(raison_sociale="Yvelines Formation")
    z = OrganisationFactory(raison_sociale="Zénith SA")

    # A: Monday 5 Jan, acknowledged after 1 day, answered after 4 (due Sat 10): on time.
    a = reclamation_recue(date(2026, 1, 5), organisation=x)
    accuser_reception(a, le=date(2026, 1, 6), mode="telephone")
    qualifier(a, nature=qualite, fondee=True)
    repondre(a, le=date(2026, 1, 9), reponse="R.", envoyer_email=False)
    # B: Tuesday 20 Jan, acknowledged after 6 days, answered after 13 (due Mon 26): late.
    b = reclamation_recue(date(2026, 1, 20), organisation=x)
    accuser_reception(b, le=date(2026, 1, 26), mode="telephone")
    qualifier(b, nature=delai)
    repondre(b, le=date(2026, 2, 2), reponse="R.", envoyer_email=False)
    # C: Tuesday 10 Feb, acknowledged the same day, never answered (due Mon 16): overdue.
    c = reclamation_recue(date(2026, 2, 10), organisation=y)
    accuser_reception(c, le=date(2026, 2, 10), mode="telephone")
    qualifier(c, nature=qualite)
    # D: Thursday 26 Feb, nothing yet, still within both deadlines on Sunday 1 March.
    reclamation_recue(date(2026, 2, 26), organisation=z)
    # E: the year before, outside the period.
    reclamation_recue(date(2025, 12, 15), organisation=z)


def test_dashboard_figures_on_known_data(jeu_tableau):
    f = tableau_de_bord(debut=date(2026, 1, 1), fin=date(2026, 12, 31), le=date(2026, 3, 1))
    assert f["total"] == 4
    assert [m.nombre for m in f["par_mois"]] == [2, 2] + [0] * 10
    assert f["par_mois"][0].debut == date(2026, 1, 1)
    assert f["par_nature"] == [
        {"nature": "Qualité de la prestation", "nombre": 2},
        {"nature": "Délai", "nombre": 1},
        {"nature": "Non qualifiée", "nombre": 1},
    ]
    # Answered on time: A only, over A, B (answered) and C (overdue); D is not due yet.
    assert (f["repondues_a_temps"], f["reponses_echues"]) == (1, 3)
    assert f["taux_dans_les_delais"] == 33.3
    assert f["delai_moyen_accuse"] == 2.3  # (1 + 6 + 0) / 3
    assert f["delai_moyen_reponse"] == 8.5  # (4 + 13) / 2
    assert (f["accusees"], f["accuses_a_temps"]) == (3, 2)
    assert f["en_retard"] == 1 and f["ouvertes"] == 4 and f["fondees"] == 1
    assert [(c["organisation__raison_sociale"], c["nombre"]) for c in f["recurrents"]] == [
        ("Xéna SARL", 2)
    ]


def test_dashboard_without_complaints_shows_dashes_not_zero_division():
    f = tableau_de_bord(debut=date(2026, 1, 1), fin=date(2026, 12, 31), le=date(2026, 3, 1))
    assert f["total"] == 0
    assert f["taux_dans_les_delais"] is None
    assert f["delai_moyen_accuse"] is None and f["delai_moyen_reponse"] is None
    assert f["recurrents"] == [] and f["par_nature"] == []


def test_dashboard_page_is_for_the_gerant_and_shows_the_figures(
    client, gerant, consultant, jeu_tableau
):
    url = reverse("reclamations:tableau") + "?annee=2026"
    client.force_login(consultant)
    assert client.get(url).status_code == 403
    client.force_login(gerant)
    html = client.get(url).content.decode()
    assert "Xéna SARL" in html
    assert "8,5 j" in html
    assert 'id="donnees-reclamations-mois"' in html
    assert "<script>" not in html and 'style="' not in html


# --- Digest: overdue complaints first -----------------------------------------------------------


def test_digest_lists_overdue_complaints_first(gerant):
    from crm.digest import contenu

    lundi = date(2026, 3, 16)
    a_temps = reclamation_recue(date(2026, 3, 13))  # answer due Thursday 19: this week
    accuser_reception(a_temps, le=date(2026, 3, 13), mode="telephone")
    en_retard = reclamation_recue(date(2026, 3, 11))  # acknowledgement due Friday 13: overdue
    section = next(s for s in contenu(gerant, lundi) if s.cle == "reclamations")
    assert [ligne.texte.split(" — ")[0] for ligne in section.lignes] == [
        en_retard.numero,
        a_temps.numero,
    ]
    assert [ligne.en_retard for ligne in section.lignes] == [True, False]
