"""Satisfaction indicators per service type, per consultant and per quarter, on hand-computed
data, and the satisfaction page (charts from a static file, verbatims, constant queries)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from satisfaction.selectors import (
    indicateurs,
    indicateurs_par_consultant,
    indicateurs_par_type,
    tendance_par_trimestre,
)
from satisfaction.services import creer_enquete, enregistrer_debrief, repondre_enquete
from tests.factories import demande_avec_revue, mission_lancee

pytestmark = pytest.mark.django_db

DEBUT, FIN = date(2026, 1, 1), date(2026, 12, 31)


def _mission(type_prestation: str, consultants=()):
    demande = demande_avec_revue("go", type_prestation=type_prestation)
    return mission_lancee(
        date(2026, 1, 5),
        debut=date(2026, 1, 12),
        fin=date(2026, 1, 30),
        consultants=consultants,
        demande=demande,
        organisation=demande.organisation,
        contact=demande.contact,
    )


def _reponse(mission, le: date, s: int, r: int, e: int, commentaire: str = "", cite=False):
    enquete = creer_enquete(contact=mission.devis.contact, le=le, mission=mission)
    return repondre_enquete(
        enquete,
        le=le,
        satisfaction=s,
        recommandation=r,
        effort=e,
        commentaire=commentaire,
        consentement_citation=cite,
    )


@pytest.fixture
def jeu(consultant, autre_consultant):
    """Camille: two evaluation missions; Louis: one training mission; both: one advice mission."""
    eval1 = _mission("evaluation", [consultant])
    eval2 = _mission("evaluation", [consultant])
    formation = _mission("formation", [autre_consultant])
    conseil = _mission("conseil", [consultant, autre_consultant])
    _reponse(eval1, date(2026, 2, 10), 5, 10, 7, "Remarquable.", cite=True)  # Q1
    _reponse(eval2, date(2026, 4, 20), 3, 6, 4, "Rapport tardif.", cite=False)  # Q2
    _reponse(formation, date(2026, 5, 5), 4, 8, 5, "Bonne formation.", cite=True)  # Q2
    _reponse(conseil, date(2026, 8, 1), 2, 3, 2)  # Q3
    enregistrer_debrief(eval1, le=date(2026, 2, 2), reponse="oui", par=consultant)
    enregistrer_debrief(eval2, le=date(2026, 4, 1), reponse="partiellement", par=consultant)
    enregistrer_debrief(conseil, le=date(2026, 7, 20), reponse="non", par=consultant)
    return {"eval1": eval1, "formation": formation, "conseil": conseil}


def test_indicators_per_service_type(jeu):
    evaluation = indicateurs(debut=DEBUT, fin=FIN, type_prestation="evaluation")
    assert evaluation["nb_reponses"] == 2
    assert evaluation["taux_satisfaction"] == 50.0  # 5 yes, 3 no
    assert evaluation["nps"] == 0.0  # one promoter (10), one detractor (6)
    assert evaluation["effort_moyen"] == 5.5
    assert evaluation["debriefs"] == {"oui": 1, "partiellement": 1, "non": 0}

    formation = indicateurs(debut=DEBUT, fin=FIN, type_prestation="formation")
    assert (formation["nb_reponses"], formation["taux_satisfaction"], formation["nps"]) == (
        1,
        100.0,
        0.0,  # 8 is passive
    )
    assert formation["debriefs"] == {"oui": 0, "partiellement": 0, "non": 0}


def test_indicators_per_consultant_count_a_shared_mission_for_both(
    jeu, consultant, autre_consultant
):
    camille = indicateurs(debut=DEBUT, fin=FIN, consultant=consultant)
    assert camille["nb_reponses"] == 3  # eval1, eval2, conseil
    assert camille["taux_satisfaction"] == 33.3
    assert camille["nps"] == -33.3  # 1 promoter, 2 detractors (6, 3) over 3
    assert camille["effort_moyen"] == 4.33
    assert camille["debriefs"] == {"oui": 1, "partiellement": 1, "non": 1}

    louis = indicateurs(debut=DEBUT, fin=FIN, consultant=autre_consultant)
    assert louis["nb_reponses"] == 2  # formation, conseil
    assert (louis["taux_satisfaction"], louis["nps"], louis["effort_moyen"]) == (50.0, -50.0, 3.5)


def test_breakdowns_per_type_and_per_consultant_match_the_filtered_indicators(
    jeu, consultant, autre_consultant
):
    par_type = {ligne["cle"]: ligne for ligne in indicateurs_par_type(debut=DEBUT, fin=FIN)}
    assert set(par_type) == {"evaluation", "conseil", "formation"}
    assert par_type["evaluation"]["libelle"] == "Évaluation"
    for cle, ligne in par_type.items():
        attendu = indicateurs(debut=DEBUT, fin=FIN, type_prestation=cle)
        assert {k: ligne[k] for k in attendu} == attendu

    par_consultant = indicateurs_par_consultant(debut=DEBUT, fin=FIN)
    assert [ligne["libelle"] for ligne in par_consultant] == ["Camille Martin", "Louis Bernard"]
    for ligne, user in zip(par_consultant, [consultant, autre_consultant], strict=True):
        attendu = indicateurs(debut=DEBUT, fin=FIN, consultant=user)
        assert {k: ligne[k] for k in attendu} == attendu


def test_trend_by_quarter_with_empty_quarters_as_none(jeu):
    tendance = tendance_par_trimestre(debut=DEBUT, fin=FIN)
    assert [t["libelle"] for t in tendance] == ["T1 2026", "T2 2026", "T3 2026", "T4 2026"]
    assert [t["nb_reponses"] for t in tendance] == [1, 2, 1, 0]
    assert [t["taux_satisfaction"] for t in tendance] == [100.0, 50.0, 0.0, None]
    assert [t["nps"] for t in tendance] == [100.0, -50.0, -100.0, None]
    assert [t["effort_moyen"] for t in tendance] == [7.0, 4.5, 2.0, None]
    assert [t["debriefs"]["non"] for t in tendance] == [0, 0, 1, 0]
    assert tendance[1]["debriefs"]["partiellement"] == 1


def test_no_answers_no_division_by_zero_anywhere(consultant):
    assert indicateurs(debut=DEBUT, fin=FIN, type_prestation="conseil")["nps"] is None
    assert indicateurs(debut=DEBUT, fin=FIN, consultant=consultant)["taux_satisfaction"] is None
    assert all(t["nb_reponses"] == 0 for t in tendance_par_trimestre(debut=DEBUT, fin=FIN))
    assert [ligne["nps"] for ligne in indicateurs_par_type(debut=DEBUT, fin=FIN)] == [None] * 3
    assert indicateurs_par_consultant(debut=DEBUT, fin=FIN) == []


def test_satisfaction_page_charts_read_json_data_and_verbatims_respect_consent(client_gerant, jeu):
    reponse = client_gerant.get(reverse("satisfaction:tableau"), {"annee": "2026"})
    html = reponse.content.decode()
    assert reponse.status_code == 200
    for bloc in ("donnees-satisfaction", "donnees-effort", "donnees-debriefs"):
        assert f'id="{bloc}" type="application/json"' in html
        assert f'data-graphique="{bloc}"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/graphiques.js" in html
    assert "<script>" not in html and 'style="' not in html  # no inline code (CSP)
    assert "Remarquable." in html and "Bonne formation." in html
    assert "Rapport tardif." not in html  # not agreed to be quoted
    assert "Camille Martin" in html and "Louis Bernard" in html


def test_satisfaction_page_filters_by_type_and_consultant(client_gerant, jeu, consultant):
    reponse = client_gerant.get(
        reverse("satisfaction:tableau"),
        {"annee": "2026", "type_prestation": "evaluation", "consultant": consultant.pk},
    )
    assert reponse.context["indicateurs"]["nb_reponses"] == 2
    assert reponse.context["type_prestation"] == "evaluation"


def test_satisfaction_page_is_for_the_gerant(client_consultant):
    assert client_consultant.get(reverse("satisfaction:tableau")).status_code == 403


def test_satisfaction_page_queries_do_not_grow_with_answers(
    client_gerant, consultant, django_assert_max_num_queries
):
    url = reverse("satisfaction:tableau") + "?annee=2026"
    m = _mission("evaluation", [consultant])
    _reponse(m, date(2026, 3, 1), 4, 9, 6, "Bien.", cite=True)
    with CaptureQueriesContext(connection) as peu:
        client_gerant.get(url)
    for i in range(25):
        _reponse(
            _mission(["evaluation", "conseil", "formation"][i % 3], [consultant]),
            date(2026, 1 + i % 6, 3),
            1 + i % 5,
            i % 11,
            1 + i % 7,
            f"Avis {i}",
            cite=True,
        )
    with django_assert_max_num_queries(len(peu)):
        assert client_gerant.get(url).status_code == 200
