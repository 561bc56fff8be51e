"""Periods of the dashboard and the management review: quarters and the period before."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from crm.calendrier import ajouter_mois


def trimestre(le: date) -> tuple[date, date]:
    """The calendar quarter holding ``le``."""
    premier_mois = 3 * ((le.month - 1) // 3) + 1
    debut = date(le.year, premier_mois, 1)
    fin = ajouter_mois(debut, 3) - timedelta(days=1)
    return debut, fin


def douze_mois(le: date) -> tuple[date, date]:
    """The twelve months ending on ``le`` (the usual span of a management review)."""
    return ajouter_mois(le, -12) + timedelta(days=1), le


def _fin_de_mois(jour: date) -> bool:
    return jour.day == calendar.monthrange(jour.year, jour.month)[1]


def periode_precedente(debut: date, fin: date) -> tuple[date, date]:
    """The period of the same length just before ``debut``.

    Whole months compare with the same number of whole months (a quarter with the quarter
    before, though their day counts differ); any other span with the same number of days.
    """
    if debut.day == 1 and _fin_de_mois(fin):
        mois = (fin.year - debut.year) * 12 + fin.month - debut.month + 1
        return ajouter_mois(debut, -mois), debut - timedelta(days=1)
    longueur = fin - debut
    fin_prec = debut - timedelta(days=1)
    return fin_prec - longueur, fin_prec
