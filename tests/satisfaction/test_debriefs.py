"""Listening to the client (PROC-020 §3.6): indicators on hand-computed data, the public survey
link through its whole life, and the debrief alert to the gérant."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from crm.exceptions import RefusMetier
from satisfaction.models import Reponse
from satisfaction.selectors import indicateurs
from satisfaction.services import (
    EnqueteFermee,
    creer_enquete,
    enregistrer_debrief,
    repondre_enquete,
)
from tests.factories import ContactFactory, mission_lancee

pytestmark = pytest.mark.django_db

# Emails leave only outside any transaction (crm.emails.expedier refuses otherwise).
avec_commit = pytest.mark.django_db(transaction=True)

DEBUT = date(2026, 1, 1)
FIN = date(2026, 6, 30)


def _repondre(le: date, satisfaction: int, recommandation: int, effort: int) -> Reponse:
    enquete = creer_enquete(contact=ContactFactory(), le=le)
    return repondre_enquete(
        enquete, le=le, satisfaction=satisfaction, recommandation=recommandation, effort=effort
    )


# --- Indicators --------------------------------------------------------------------------------


def test_indicators_on_hand_computed_answers():
    for s, r, e in [(5, 10, 7), (4, 9, 5), (3, 7, 3), (2, 3, 1)]:
        _repondre(date(2026, 3, 10), s, r, e)
    resultat = indicateurs(debut=DEBUT, fin=FIN)
    assert resultat["nb_reponses"] == 4
    assert resultat["taux_satisfaction"] == 50.0  # 5 and 4 out of four
    assert resultat["nps"] == 25.0  # 2 promoters (10, 9) − 1 detractor (3) over 4; 7 is passive
    assert resultat["effort_moyen"] == 4.0  # (7 + 5 + 3 + 1) / 4


def test_indicators_count_only_answers_given_in_the_period():
    _repondre(date(2026, 3, 10), 5, 10, 7)
    _repondre(date(2025, 12, 31), 1, 0, 1)  # before
    _repondre(date(2026, 7, 1), 1, 0, 1)  # after
    _repondre(FIN, 4, 6, 6)  # the last day counts
    resultat = indicateurs(debut=DEBUT, fin=FIN)
    assert resultat["nb_reponses"] == 2
    assert resultat["taux_satisfaction"] == 100.0
    assert resultat["nps"] == 0.0  # one promoter, one detractor (6)
    assert resultat["effort_moyen"] == 6.5


def test_indicators_round_to_one_decimal():
    for s, r, e in [(5, 9, 7), (3, 8, 6), (1, 0, 6)]:
        _repondre(date(2026, 3, 10), s, r, e)
    resultat = indicateurs(debut=DEBUT, fin=FIN)
    assert resultat["taux_satisfaction"] == 33.3
    assert resultat["nps"] == 0.0
    assert resultat["effort_moyen"] == 6.33


def test_indicators_without_answers_are_none_not_zero():
    resultat = indicateurs(debut=DEBUT, fin=FIN)
    assert resultat["nb_reponses"] == 0
    assert resultat["taux_satisfaction"] is None
    assert resultat["nps"] is None
    assert resultat["effort_moyen"] is None


def test_extreme_nps_values():
    for _ in range(3):
        _repondre(date(2026, 3, 10), 5, 10, 7)
    assert indicateurs(debut=DEBUT, fin=FIN)["nps"] == 100.0
    assert indicateurs(debut=date(2027, 1, 1), fin=date(2027, 12, 31))["nps"] is None


# --- Survey service ----------------------------------------------------------------------------


def test_survey_expires_thirty_days_after_creation_by_default():
    enquete = creer_enquete(contact=ContactFactory(), le=date(2026, 3, 10))
    assert enquete.expire_le == date(2026, 4, 9)


def test_survey_is_answered_once():
    enquete = creer_enquete(contact=ContactFactory(), le=date(2026, 3, 10))
    repondre_enquete(enquete, le=date(2026, 3, 11), satisfaction=4, recommandation=8, effort=6)
    with pytest.raises(EnqueteFermee):
        repondre_enquete(enquete, le=date(2026, 3, 12), satisfaction=1, recommandation=0, effort=1)
    assert Reponse.objects.get(enquete=enquete).satisfaction == 4


def test_survey_refuses_answers_after_expiry_or_out_of_range():
    enquete = creer_enquete(contact=ContactFactory(), le=date(2026, 3, 10))
    with pytest.raises(EnqueteFermee):
        repondre_enquete(enquete, le=date(2026, 4, 10), satisfaction=4, recommandation=8, effort=6)
    with pytest.raises(RefusMetier):
        repondre_enquete(enquete, le=date(2026, 3, 11), satisfaction=6, recommandation=8, effort=6)
    assert not Reponse.objects.exists()


# --- The public survey page (reads the clock: dates relative to today) --------------------------


@pytest.fixture
def enquete():
    return creer_enquete(contact=ContactFactory(), le=timezone.localdate())


def _jeton(chemin: str) -> str:
    return chemin.rstrip("/").rsplit("/", 1)[-1]


REPONSE_VALIDE = {
    "satisfaction": "5",
    "recommandation": "9",
    "effort": "6",
    "commentaire": "Très bien.",
}


def test_survey_link_ends_with_a_long_token(enquete):
    assert len(_jeton(enquete.get_absolute_url())) >= 22


def test_survey_page_opens_without_account_and_is_not_cached(client, enquete):
    reponse = client.get(enquete.get_absolute_url())
    assert reponse.status_code == 200
    assert "no-store" in reponse["Cache-Control"]
    assert 'lang="fr"' in reponse.content.decode()


def test_answering_the_survey_stores_the_answer_and_a_second_visit_says_already_answered(
    client, enquete
):
    reponse = client.post(enquete.get_absolute_url(), REPONSE_VALIDE)
    assert reponse.status_code == 200
    stockee = Reponse.objects.get(enquete=enquete)
    assert (stockee.satisfaction, stockee.recommandation, stockee.effort) == (5, 9, 6)
    assert stockee.commentaire == "Très bien."
    assert stockee.repondue_le == timezone.localdate()

    deuxieme = client.get(enquete.get_absolute_url())
    assert deuxieme.status_code == 200
    assert "déjà répondu" in deuxieme.content.decode()
    assert "no-store" in deuxieme["Cache-Control"]

    # A second POST changes nothing.
    client.post(enquete.get_absolute_url(), {**REPONSE_VALIDE, "satisfaction": "1"})
    assert Reponse.objects.get(enquete=enquete).satisfaction == 5


def test_wrong_survey_token_is_404(client, enquete):
    jeton = _jeton(enquete.get_absolute_url())
    faux = enquete.get_absolute_url().replace(jeton, jeton[::-1])
    assert client.get(faux).status_code == 404
    assert client.post(faux, REPONSE_VALIDE).status_code == 404
    assert not Reponse.objects.exists()


def test_expired_survey_is_410_and_takes_no_answer(client):
    vieille = creer_enquete(contact=ContactFactory(), le=timezone.localdate() - timedelta(days=31))
    assert vieille.expire_le < timezone.localdate()
    assert client.get(vieille.get_absolute_url()).status_code == 410
    assert client.post(vieille.get_absolute_url(), REPONSE_VALIDE).status_code == 410
    assert not Reponse.objects.exists()


@pytest.mark.parametrize(
    "champs",
    [
        {"satisfaction": "6"},
        {"satisfaction": "0"},
        {"recommandation": "11"},
        {"effort": "8"},
        {"effort": "abc"},
        {"satisfaction": ""},
    ],
)
def test_out_of_range_answers_are_refused_with_a_form_error(client, enquete, champs):
    reponse = client.post(enquete.get_absolute_url(), {**REPONSE_VALIDE, **champs})
    assert reponse.status_code == 200
    assert reponse.context["form"].errors
    assert not Reponse.objects.exists()


# --- Debrief ----------------------------------------------------------------------------------


@pytest.fixture
def mission(consultant):
    return mission_lancee(
        date(2026, 2, 2), debut=date(2026, 2, 16), fin=date(2026, 3, 6), consultants=[consultant]
    )


@avec_commit
def test_debrief_non_emails_the_gerant(gerant, consultant, mission):
    debrief = enregistrer_debrief(
        mission,
        le=date(2026, 3, 9),
        reponse="non",
        verbatim="Le rapport est arrivé en retard.",
        par=consultant,
    )
    assert debrief.reponse == "non"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [gerant.email]


@avec_commit
def test_debrief_oui_emails_nobody(gerant, consultant, mission):
    enregistrer_debrief(mission, le=date(2026, 3, 9), reponse="oui", par=consultant)
    assert mail.outbox == []


@avec_commit
def test_second_debrief_of_a_mission_is_refused(gerant, consultant, mission):
    enregistrer_debrief(mission, le=date(2026, 3, 9), reponse="oui", par=consultant)
    with pytest.raises(RefusMetier):
        enregistrer_debrief(mission, le=date(2026, 3, 10), reponse="non", par=consultant)
    assert mail.outbox == []
