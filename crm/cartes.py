"""What the dashboard's figures are shown as: cards beside their previous value, the sections
that group them, bar charts of two periods. Apps build them in their ``Indicateurs.cartes`` and
``graphiques`` (crm/extensions.py); ``pilotage`` lays them out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Carte:
    """A figure of the dashboard beside its value for the period before."""

    titre: str
    valeur: Any  # a number (int, float, Decimal) or None (shown « — »)
    precedent: Any
    format: str = "nombre"  # nombre, euros, pourcent, jours, nps
    url: str = ""
    aide: str = ""
    sens: int = 1  # +1: higher is better; -1: lower is better; 0: neutral

    @property
    def ecart(self) -> Any:
        if self.valeur is None or self.precedent is None:
            return None
        return self.valeur - self.precedent

    @property
    def tendance(self) -> str:
        """« hausse », « baisse » or « stable »; the colour says whether it is good news."""
        ecart = self.ecart
        if not ecart:
            return "stable"
        return "hausse" if ecart > 0 else "baisse"

    @property
    def bonne_nouvelle(self) -> bool | None:
        ecart = self.ecart
        if not ecart or not self.sens:
            return None
        return bool((ecart > 0) == (self.sens > 0))


@dataclass
class GroupeCartes:
    """A section of the dashboard's cards. Several apps may fill the same section: groups of
    the same ``titre`` are merged (cards in the contributions' order), sections sorted by
    ``ordre``."""

    titre: str
    icone: str
    cartes: list[Carte] = field(default_factory=list)
    ordre: int = 100


@dataclass
class Graphique:
    """A bar chart of the period (``courant``) beside the one before (``precedent``). Charts of
    the same ``id`` are merged: their bars are put side by side in the contributions' order."""

    id: str
    titre: str
    labels: list[str]
    courant: list[Any]
    precedent: list[Any]
    unite: str = ""
    ordre: int = 100


def lien(nom: str, **filtres: Any) -> str:
    """The path of a list, with its filters (a card links to the records behind its figure)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    url = reverse(nom)
    return f"{url}?{urlencode(filtres)}" if filtres else url
