"""The business calendar (DESIGN §5): jours ouvrés / ouvrables strictly after ``debut``, French
public holidays from the ``holidays`` package, the Alsace-Moselle subdivision as a setting, and
calendar months clamped to the month's end."""

from __future__ import annotations

from datetime import date

import pytest

from crm.calendrier import (
    ajouter_jours_ouvrables,
    ajouter_jours_ouvres,
    ajouter_mois,
    est_ferie,
    jours_ouvres_entre,
)


@pytest.fixture
def metropole(settings):
    settings.CRM_JOURS_FERIES_SUBDIVISION = None


@pytest.fixture
def moselle(settings):
    settings.CRM_JOURS_FERIES_SUBDIVISION = "57"


# --- Strictly after `debut`, n = 0 ------------------------------------------------------------


def test_jour_ouvre_is_counted_strictly_after_debut(metropole):
    assert ajouter_jours_ouvres(date(2026, 3, 2), 1) == date(2026, 3, 3)  # Monday → Tuesday
    assert ajouter_jours_ouvres(date(2026, 3, 2), 5) == date(2026, 3, 9)  # next Monday


def test_debut_on_a_weekend_counts_from_the_next_monday(metropole):
    assert ajouter_jours_ouvres(date(2026, 3, 7), 1) == date(2026, 3, 9)  # Saturday → Monday
    assert ajouter_jours_ouvrables(date(2026, 3, 7), 1) == date(2026, 3, 9)  # Sunday skipped


def test_zero_days_is_debut_itself_even_on_a_holiday(metropole):
    assert ajouter_jours_ouvres(date(2026, 3, 4), 0) == date(2026, 3, 4)
    assert ajouter_jours_ouvres(date(2026, 12, 25), 0) == date(2026, 12, 25)
    assert ajouter_jours_ouvrables(date(2026, 3, 8), 0) == date(2026, 3, 8)


def test_negative_number_of_days_is_refused(metropole):
    with pytest.raises(ValueError):
        ajouter_jours_ouvres(date(2026, 3, 4), -1)


# --- Year end ---------------------------------------------------------------------------------


def test_christmas_friday_and_weekend_are_skipped_by_jours_ouvres(metropole):
    # Thursday 24/12/2026 → Friday 25 (Noël), Sat, Sun → Monday 28.
    assert ajouter_jours_ouvres(date(2026, 12, 24), 1) == date(2026, 12, 28)


def test_jours_ouvres_cross_the_new_year_skipping_1_january(metropole):
    # 28, 29, 30, 31 December, then Friday 1/1/2027 is a holiday → Monday 4 January.
    assert ajouter_jours_ouvres(date(2026, 12, 24), 5) == date(2027, 1, 4)
    assert ajouter_jours_ouvres(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_saturday_after_christmas_is_a_jour_ouvrable_in_metropole(metropole):
    assert ajouter_jours_ouvrables(date(2026, 12, 24), 1) == date(2026, 12, 26)
    # Thursday 31/12 → Friday 1/1 holiday → Saturday 2/1/2027.
    assert ajouter_jours_ouvrables(date(2026, 12, 31), 1) == date(2027, 1, 2)


# --- May bridges ------------------------------------------------------------------------------


def test_first_and_eighth_of_may_fridays_are_skipped(metropole):
    # Sent Thursday 30/04/2026: 1 May (Fri) off, 4–7 May, 8 May (Fri) off → Monday 11 May.
    assert ajouter_jours_ouvres(date(2026, 4, 30), 5) == date(2026, 5, 11)


def test_ascension_thursday_is_skipped(metropole):
    assert ajouter_jours_ouvres(date(2026, 5, 13), 1) == date(2026, 5, 15)
    assert ajouter_jours_ouvrables(date(2026, 5, 13), 1) == date(2026, 5, 15)


def test_whit_monday_is_skipped_and_saturday_counts_only_as_ouvrable(metropole):
    # Friday 22/05/2026: Saturday 23 is ouvrable, not ouvré; Monday 25 (Pentecôte) is off.
    assert ajouter_jours_ouvres(date(2026, 5, 22), 1) == date(2026, 5, 26)
    assert ajouter_jours_ouvrables(date(2026, 5, 22), 1) == date(2026, 5, 23)
    assert ajouter_jours_ouvrables(date(2026, 5, 22), 2) == date(2026, 5, 26)


def test_five_jours_ouvrables_include_the_saturday(metropole):
    # Monday 2/3/2026: Tue, Wed, Thu, Fri, Sat → Saturday 7; five jours ouvrés → Monday 9.
    assert ajouter_jours_ouvrables(date(2026, 3, 2), 5) == date(2026, 3, 7)
    assert ajouter_jours_ouvres(date(2026, 3, 2), 5) == date(2026, 3, 9)


# --- Alsace-Moselle -----------------------------------------------------------------------------


def test_alsace_moselle_adds_good_friday(moselle):
    assert est_ferie(date(2026, 4, 3))
    # Thursday 2/4/2026: Good Friday 3 and Easter Monday 6 are off → Tuesday 7.
    assert ajouter_jours_ouvres(date(2026, 4, 2), 1) == date(2026, 4, 7)


def test_good_friday_is_worked_in_metropole(metropole):
    assert not est_ferie(date(2026, 4, 3))
    assert ajouter_jours_ouvres(date(2026, 4, 2), 1) == date(2026, 4, 3)


def test_alsace_moselle_adds_saint_stephen(moselle):
    # 25 and 26 December both off: the first jour ouvrable after 24/12 is Monday 28.
    assert ajouter_jours_ouvrables(date(2026, 12, 24), 1) == date(2026, 12, 28)


def test_changing_the_subdivision_setting_takes_effect_at_once(settings):
    settings.CRM_JOURS_FERIES_SUBDIVISION = "57"
    assert ajouter_jours_ouvrables(date(2026, 12, 24), 1) == date(2026, 12, 28)
    settings.CRM_JOURS_FERIES_SUBDIVISION = None
    assert ajouter_jours_ouvrables(date(2026, 12, 24), 1) == date(2026, 12, 26)


# --- Helpers ------------------------------------------------------------------------------------


def test_jours_ouvres_entre_counts_the_interval_excluding_debut(metropole):
    assert jours_ouvres_entre(date(2026, 4, 30), date(2026, 5, 11)) == 5
    assert jours_ouvres_entre(date(2026, 3, 4), date(2026, 3, 4)) == 0


@pytest.mark.parametrize(
    ("debut", "attendu"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),  # leap year
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 12, 15), date(2027, 1, 15)),  # across the year end
        (date(2026, 12, 31), date(2027, 1, 31)),
    ],
)
def test_ajouter_un_mois_clamps_to_the_end_of_the_month(debut, attendu):
    assert ajouter_mois(debut, 1) == attendu


def test_ajouter_zero_mois_is_the_same_day():
    assert ajouter_mois(date(2026, 1, 31), 0) == date(2026, 1, 31)
