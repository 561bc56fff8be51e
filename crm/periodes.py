"""Figures over several periods in one query: which period a row falls in, in SQL.

The dashboard and the management review set a period beside the one before it. Rather than
running each aggregate once per period, a query filters on the union of the periods and either
aggregates conditionally (``dans``) or groups by the period's number (``numero``).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.expressions import Combinable, CombinedExpression

Periode = tuple[date, date]  # both days included


def dans(champ: str, periode: Periode) -> Q:
    debut, fin = periode
    return Q(**{f"{champ}__gte": debut, f"{champ}__lte": fin})


def une_des(champ: str, periodes: list[Periode]) -> Q:
    """Rows in one of the periods. The range from the first day to the last comes first, so
    the database walks an index on ``champ`` over that range instead of the whole table."""
    tout = (min(debut for debut, _ in periodes), max(fin for _, fin in periodes))
    return dans(champ, tout) & reduce(or_, (dans(champ, p) for p in periodes))


def numero(champ: str, periodes: list[Periode]) -> Case:
    """The index in ``periodes`` of the period holding the row's ``champ`` (NULL: none)."""
    return Case(
        *(When(dans(champ, p), then=Value(i)) for i, p in enumerate(periodes)),
        output_field=IntegerField(),
    )


def verifier(periodes: list[Periode]) -> None:
    """Periods must be well formed and disjoint: a row is counted in one of them at most."""
    if not periodes:
        raise ValueError("Aucune période.")
    triees = sorted(periodes)
    for debut, fin in triees:
        if debut > fin:
            raise ValueError(f"Période inversée : {debut} > {fin}.")
    for (_, fin), (debut_suivante, _) in zip(triees, triees[1:], strict=False):
        if debut_suivante <= fin:
            raise ValueError("Les périodes se chevauchent.")


# --- Helpers of the apps' figures (``crm.extensions.Indicateurs``) -----------------------------


def taux(numerateur: int, denominateur: int) -> float | None:
    """A share in percent, one decimal; None (shown « — ») when there is nothing to divide."""
    if not denominateur:
        return None
    return round(100 * numerateur / denominateur, 1)


def jours(duree: timedelta | None) -> float | None:
    """A mean duration in days, one decimal."""
    if duree is None:
        return None
    return round(duree.total_seconds() / 86400, 1)


def duree(fin: str, debut: str) -> ExpressionWrapper[CombinedExpression]:
    return ExpressionWrapper(F(fin) - F(debut), output_field=DurationField())


def moyennes(champ: str, valeur: str | Combinable, periodes: list[Periode]) -> dict[str, Aggregate]:
    """Count and mean ``valeur`` of the rows whose ``champ`` falls in each period, as the
    aggregates ``n_<i>`` and ``moyenne_<i>``."""
    resultat: dict[str, Aggregate] = {}
    for i, p in enumerate(periodes):
        resultat[f"n_{i}"] = Count("pk", filter=dans(champ, p))
        resultat[f"moyenne_{i}"] = Avg(valeur, filter=dans(champ, p))
    return resultat


def annee_choisie(valeur: str | None, *, defaut: int) -> int:
    """The year a page was asked for (``?annee=``): ``defaut`` when missing, not a number, or
    outside 2000–2100."""
    try:
        annee = int(valeur if valeur is not None else defaut)
    except ValueError:
        return defaut
    return annee if 2000 <= annee <= 2100 else defaut
