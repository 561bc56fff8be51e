"""What the apps' contributions are shown as (the registry's value objects, re-exported by
``crm.extensions``): a line of a digest or « Aujourd'hui » section, an event of a timeline,
and the dashboard's cards, card sections and bar charts of two periods."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class BoutonLigne:
    """A one-button POST form beside a line on « Aujourd'hui » (CSRF and the page to come back
    to are added): ``champs`` are sent as hidden fields."""

    libelle: str
    url: str
    champs: tuple[tuple[str, str], ...] = ()
    classe: str = "btn btn-sm btn-outline-primary"


@dataclass
class Ligne:
    """One line of a section: what to chase, where, and how (a phone number, a one-click form)."""

    texte: str
    url: str = ""
    detail: str = ""
    en_retard: bool = False
    telephone: str = ""
    # Path of a one-click form shown beside the line on « Aujourd'hui » (a relance, a task done…).
    relance_url: str = ""
    # Other one-click answers shown beside the line on « Aujourd'hui » (never in the digest).
    boutons: tuple[BoutonLigne, ...] = ()
    terminer_url: str = ""  # a one-click « Fait » form (a task)
    # An app's own partial shown under the line on « Aujourd'hui » (its small forms: move a
    # relance, a new exchange…), rendered with the page's context plus ``ligne``; what it needs
    # is in ``contexte``. Never in the digest's emails.
    gabarit: str = ""
    contexte: dict[str, Any] = field(default_factory=dict)


@dataclass
class Evenement:
    """One dated event of the timeline; ``icone`` (a Bootstrap icon name) and ``style`` (the
    marker's colour class, ``puce-<style>`` in app.css) say how it looks."""

    le: date
    type: str
    titre: str
    detail: str = ""
    url: str = ""
    badge: str = ""
    icone: str = "dot"
    style: str = "autre"


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


# --- Global search ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resultat:
    """One thing found by the global search: what it is called, a detail, and its page."""

    titre: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class SourceRecherche:
    """An app's kind of thing the global search finds (``crm.recherche`` runs them).

    ``textes(*, organisation=None, pks=None) -> iterable of (id, text)``: the searchable text of
    the source's objects — every one, those of one organisation, or those ids —, ``""`` for an
    object in that scope that must not be found (archived, erased); the core normalises it and
    keeps the search index. ``chercher(user, termes, limite) -> list[Resultat]``: at most
    ``limite`` of the objects matching ``termes`` (``crm.recherche.Termes``) that ``user`` may
    see, in one query whatever the data size (``crm.recherche.correspondances`` gives their ids)."""

    cle: str
    titre: str
    chercher: Callable[..., list[Resultat]]
    textes: Callable[..., Iterable[tuple[int, str]]]
    icone: str = "search"
    ordre: int = 100
