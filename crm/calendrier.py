"""The business calendar (DESIGN §5).

Jours ouvrés are Monday–Friday, jours ouvrables Monday–Saturday, both minus the French public
holidays given by the ``holidays`` package for the configured subdivision (Alsace-Moselle adds
Good Friday and 26 December). Nothing here hard-codes a holiday.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.conf import settings


@lru_cache(maxsize=8)
def _feries(subdivision: str | None) -> holidays.HolidayBase:
    # The holidays object fills years lazily as they are asked for; one instance is kept per
    # subdivision so a long-lived worker does not rebuild it for every date.
    return holidays.France(subdiv=subdivision, language="fr")  # type: ignore[no-untyped-call]


def jours_feries() -> holidays.HolidayBase:
    return _feries(settings.CRM_JOURS_FERIES_SUBDIVISION)


def est_ferie(jour: date) -> bool:
    return jour in jours_feries()


def nom_ferie(jour: date) -> str | None:
    nom: str | None = jours_feries().get(jour)
    return nom


def est_jour_ouvre(jour: date) -> bool:
    return jour.weekday() < 5 and not est_ferie(jour)


def est_jour_ouvrable(jour: date) -> bool:
    return jour.weekday() < 6 and not est_ferie(jour)


def _ajouter(debut: date, n: int, compte: Callable[[date], bool]) -> date:
    if n < 0:
        raise ValueError("n doit être positif ou nul")
    jour = debut
    restant = n
    while restant:
        jour += timedelta(days=1)
        if compte(jour):
            restant -= 1
    return jour


def ajouter_jours_ouvres(debut: date, n: int) -> date:
    """The n-th jour ouvré strictly after ``debut`` (``debut`` itself when n is 0)."""
    return _ajouter(debut, n, est_jour_ouvre)


def ajouter_jours_ouvrables(debut: date, n: int) -> date:
    """The n-th jour ouvrable strictly after ``debut`` (``debut`` itself when n is 0)."""
    return _ajouter(debut, n, est_jour_ouvrable)


def jours_ouvres_entre(debut: date, fin: date) -> int:
    """How many jours ouvrés lie in (debut, fin]: the age of a request in working days."""
    if fin <= debut:
        return 0
    return sum(
        1 for k in range(1, (fin - debut).days + 1) if est_jour_ouvre(debut + timedelta(days=k))
    )


def ajouter_mois(debut: date, mois: int) -> date:
    """Same day ``mois`` calendar months later, clamped to the month's end (31/01 → 28/02)."""
    index = debut.month - 1 + mois
    annee, mois_cible = debut.year + index // 12, index % 12 + 1
    dernier = calendar.monthrange(annee, mois_cible)[1]
    return date(annee, mois_cible, min(debut.day, dernier))


def debut_semaine(jour: date) -> date:
    """Monday of the ISO week of ``jour``."""
    return jour - timedelta(days=jour.weekday())
