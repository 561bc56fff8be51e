"""The figures of the dashboard and of the management review: the frame.

Each app contributes its figures (``crm.extensions.Indicateurs``); this module asks every
contribution for the figures of a list of disjoint periods (``debut``, ``fin``, both inclusive:
the period and the one before it, side by side) and returns one ``Chiffres`` per period. Each
contribution runs a fixed number of queries whatever the number of rows and of periods, so the
whole costs a fixed number too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from crm import extensions
from crm.periodes import Periode, verifier


@dataclass
class Chiffres:
    """A period's figures: each contribution's names read as attributes (``c.devis``)."""

    debut: date
    fin: date
    valeurs: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, nom: str) -> Any:
        # Only called for names that are not fields; ``valeurs`` may not exist yet (copy).
        valeurs = self.__dict__.get("valeurs", {})
        if nom in valeurs:
            return valeurs[nom]
        raise AttributeError(nom)


def indicateurs_periodes(periodes: list[Periode], *, le: date | None = None) -> list[Chiffres]:
    """Every figure of each period (disjoint periods: the dashboard's period and the one
    before it); snapshots (pipeline, overdue complaints) are taken on the earlier of the
    period's end and ``le`` (today, for a period not over yet)."""
    verifier(periodes)
    resultat = [Chiffres(debut, fin) for debut, fin in periodes]
    for contribution in extensions.indicateurs.tous():
        valeurs = contribution.calculer(periodes, le=le)
        for chiffres, v in zip(resultat, valeurs, strict=True):
            deja = chiffres.valeurs.keys() & v.keys()
            if deja:
                raise ValueError(f"« {contribution.cle} » redonne les chiffres {sorted(deja)}.")
            chiffres.valeurs.update(v)
    return resultat


def indicateurs(debut: date, fin: date, *, le: date | None = None) -> Chiffres:
    """Every figure of one period (see ``indicateurs_periodes``)."""
    return indicateurs_periodes([(debut, fin)], le=le)[0]
