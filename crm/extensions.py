"""The one registry through which an app contributes to what crosses app lines (DESIGN §2, §10).

An app never asks the core (nor ``pilotage`` or ``rgpd``) to name it: it *contributes*. Like the
admin finding ``admin.py``, ``CrmConfig.ready()`` imports once, from every installed app, the
modules named in ``MODULES``; each registers its contributions here with the functions below.
The readers (the rules runner, the digest, the timeline, the menu, the dashboard, the audit file,
the exports, the calendar feed, the RGPD export and erasure, the tasks) iterate a kind and never
import an app.

An app keeps its contributions in its own modules: ``regles.py``, ``digest.py``,
``chronologie.py``, ``menu.py``, and ``extensions.py`` for the other kinds (dashboard figures,
audit pieces, exports, calendar entries, personal data, task targets).

A kind is a ``Genre``: items keyed by ``cle`` (re-registering a key replaces the item, so a module
imported twice registers nothing twice), read in ``(ordre, cle)`` order. Every item is a frozen
dataclass: what it needs to be shown or run, nothing about who reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, Protocol, TypeVar

from django.utils.module_loading import autodiscover_modules

# Re-exported: an app finds every kind's types here.
from crm.affichage import BoutonLigne as BoutonLigne
from crm.affichage import Carte as Carte
from crm.affichage import Evenement as Evenement
from crm.affichage import Graphique as Graphique
from crm.affichage import GroupeCartes as GroupeCartes
from crm.affichage import Ligne as Ligne
from crm.affichage import Resultat as Resultat
from crm.affichage import SourceRecherche as SourceRecherche
from crm.affichage import lien as lien

# The modules of each app that may hold contributions, imported once at start-up.
MODULES = ("regles", "digest", "chronologie", "menu", "extensions")


class _AvecCle(Protocol):
    @property
    def cle(self) -> str: ...

    @property
    def ordre(self) -> int: ...


T = TypeVar("T", bound=_AvecCle)
F = TypeVar("F", bound=Callable[..., Any])
# Users are passed through untouched (an auth user); the kinds do not depend on its model.
Utilisateur = Any


class Genre(Generic[T]):
    """One kind of contribution."""

    def __init__(self, nom: str) -> None:
        self.nom = nom
        self._elements: dict[str, T] = {}

    def ajouter(self, element: T) -> T:
        self._elements[element.cle] = element
        return element

    def retirer(self, cle: str) -> None:
        self._elements.pop(cle, None)

    def tous(self) -> list[T]:
        decouvrir()
        return sorted(self._elements.values(), key=lambda e: (e.ordre, e.cle))

    def __getitem__(self, cle: str) -> T:
        decouvrir()
        return self._elements[cle]

    def __contains__(self, cle: object) -> bool:
        decouvrir()
        return cle in self._elements

    @contextmanager
    def temporairement(self, element: T) -> Iterator[T]:
        """Register ``element`` for the duration of a block (tests), restoring what it replaced."""
        avant = self._elements.get(element.cle)
        self.ajouter(element)
        try:
            yield element
        finally:
            if avant is None:
                self.retirer(element.cle)
            else:
                self.ajouter(avant)


_decouvert = False


def decouvrir() -> None:
    """Import every installed app's contribution modules, once (``CrmConfig.ready()`` calls it;
    readers call it too, so a reader used before ``ready()`` — a migration — still sees them)."""
    global _decouvert
    if _decouvert:
        return
    _decouvert = True
    try:
        autodiscover_modules(*MODULES)
    except Exception:
        _decouvert = False
        raise


def _toujours(user: Utilisateur) -> bool:
    return True


# --- Daily rules (DESIGN §5) --------------------------------------------------------------------


@dataclass(frozen=True)
class Regle:
    """A daily rule: ``fonction(le, *, simuler) -> {cle: [numéros ou libellés]}``.

    It must be idempotent (a second run for the same date changes nothing), catch up (act on
    everything due at or before ``le``) and, with ``simuler=True``, report without writing.
    ``libelles`` names every key the rule reports, with its French label for ``proc020``: those
    keys are always in ``appliquer()``'s result, empty when nothing is due.
    """

    cle: str
    fonction: Callable[..., Mapping[str, list[str]]]
    libelles: Mapping[str, str] = field(default_factory=dict)
    ordre: int = 100


regles: Genre[Regle] = Genre("règles")


def regle(
    cle: str, *, libelles: Mapping[str, str] | None = None, ordre: int = 100
) -> Callable[[F], F]:
    """Decorator: register a daily rule under a unique key."""

    def decorateur(fonction: F) -> F:
        regles.ajouter(
            Regle(cle=cle, fonction=fonction, libelles=dict(libelles or {}), ordre=ordre)
        )
        return fonction

    return decorateur


# --- Sections of the digest and of « Aujourd'hui » (DESIGN §6) ------------------------------


ACCUEIL = "accueil"
DIGEST = "digest"


@dataclass(frozen=True)
class Section:
    """``fonction(user, le) -> list[Ligne]``: the whole firm for the gérant, the user's own
    missions and clients for a consultant. ``lieux``: on « Aujourd'hui », in the digest, or both."""

    cle: str
    titre: str
    fonction: Callable[..., list[Ligne]]
    ordre: int = 100
    lieux: frozenset[str] = frozenset({ACCUEIL, DIGEST})


sections: Genre[Section] = Genre("sections")


def section(
    cle: str,
    titre: str,
    *,
    ordre: int = 100,
    accueil: bool = True,
    digest: bool = True,
) -> Callable[[F], F]:
    """Decorator: register a section of the digest and/or of « Aujourd'hui »."""
    lieux = frozenset(({ACCUEIL} if accueil else set()) | ({DIGEST} if digest else set()))

    def decorateur(fonction: F) -> F:
        sections.ajouter(Section(cle=cle, titre=titre, fonction=fonction, ordre=ordre, lieux=lieux))
        return fonction

    return decorateur


# --- An organisation's timeline -----------------------------------------------------------------


@dataclass(frozen=True)
class SourceChronologie:
    """``fonction(org, *, user) -> list[Evenement]``. The source applies its app's own visibility
    rule for ``user``: it shows exactly what the app's own pages would show them."""

    cle: str
    fonction: Callable[..., list[Evenement]]
    ordre: int = 100


sources_chronologie: Genre[SourceChronologie] = Genre("sources de la chronologie")


def source_chronologie(cle: str, *, ordre: int = 100) -> Callable[[F], F]:
    def decorateur(fonction: F) -> F:
        sources_chronologie.ajouter(SourceChronologie(cle=cle, fonction=fonction, ordre=ordre))
        return fonction

    return decorateur


# --- Menu -----------------------------------------------------------------------------------

PRINCIPAL = "principal"  # the navigation bar
COMPTE = "compte"  # the user's drop-down menu


@dataclass(frozen=True)
class EntreeMenu:
    """A link of the navigation. ``visible(user)`` says who sees it (the page itself checks the
    rights again); it is active on the pages of ``espaces`` (URL namespaces) or ``vues``
    (URL names)."""

    cle: str
    libelle: str
    url: str  # URL name, reversed when shown
    icone: str = ""
    ordre: int = 100
    zone: str = PRINCIPAL
    visible: Callable[[Any], bool] = _toujours
    espaces: tuple[str, ...] = ()
    vues: tuple[str, ...] = ()
    vues_exclues: tuple[str, ...] = ()  # pages of those namespaces that belong to another entry
    # Another label for the user, e.g. « Mes missions » for a consultant.
    libelle_pour: Callable[[Any], str] | None = None

    def actif(self, espace: str, vue: str) -> bool:
        if vue in self.vues_exclues:
            return False
        return espace in self.espaces or (not espace and vue in self.vues)


menu: Genre[EntreeMenu] = Genre("menu")


# --- Dashboard and management review ----------------------------------------------------------
# What the figures are shown as (cards, their sections, charts) lives in crm/affichage.py.


@dataclass(frozen=True)
class Indicateurs:
    """An app's figures for the dashboard and the management review.

    ``calculer(periodes, *, le) -> list[dict]`` gives, for each period (the period shown and the
    one before it, side by side), the app's figures by name, in a fixed number of queries
    whatever the data size. The names become attributes of the period's figures (``c.devis``,
    ``c.reclamations``…), so they must be unique across apps. The other functions receive those
    figures for the period (``c``, with ``c.debut`` and ``c.fin``) and the one before (``p``)
    and run no query: ``cartes`` gives the dashboard's cards, ``graphiques`` its charts (drawn
    in the review's PDF too), ``contexte`` the tables both show (merged into the templates'
    context). ``revue(c, p) -> dict`` adds the review's lists of records (it may query).

    Templates, rendered with the frame's context (``c``, ``p``, ``graphiques``, the ``contexte``
    and, in the PDF, the ``revue`` keys): ``revue_synthese`` gives ``<tr>`` rows of the review's
    synthesis table (indicator, period, period before); ``revue_sections`` ``(ordre, gabarit)``
    the PDF's sections, every app's sorted by ``ordre``, each opening with its ``<h2>``, which
    the stylesheet numbers (one without continues the section before; the firm's: activity 10,
    feasibility 20, satisfaction 30, complaints 40, follow-up 50); ``tableau_panneaux``
    ``(ordre, gabarit)`` the dashboard's panels under its charts, sorted the same way.
    """

    cle: str
    calculer: Callable[..., list[dict[str, Any]]]
    cartes: Callable[[Any, Any], list[GroupeCartes]] = lambda c, p: []
    graphiques: Callable[[Any, Any], list[Graphique]] = lambda c, p: []
    contexte: Callable[[Any, Any], dict[str, Any]] = lambda c, p: {}
    revue: Callable[[Any, Any], dict[str, Any]] = lambda c, p: {}
    ordre: int = 100
    revue_synthese: str = ""
    revue_sections: tuple[tuple[int, str], ...] = ()
    tableau_panneaux: tuple[tuple[int, str], ...] = ()


indicateurs: Genre[Indicateurs] = Genre("indicateurs")


# --- ISO audit file -------------------------------------------------------------------------


class Dossier(Protocol):
    """What an audit piece writes into (the ZIP being built)."""

    def ajouter(self, chemin: str, contenu: bytes, description: str) -> None: ...

    def table(self, chemin: str, entetes: list[str], lignes: Any, description: str) -> None: ...


@dataclass(frozen=True)
class PieceAudit:
    """``ajouter(dossier, *, debut, fin, le) -> None`` writes the app's records of the period
    (PROC-020 §4) into the audit ZIP; ``titre`` says what they are on the download page,
    ``resume(debut, fin) -> str`` (optional, one cheap query) how many there are."""

    cle: str
    titre: str
    ajouter: Callable[..., None]
    ordre: int = 100
    resume: Callable[[date, date], str] | None = None


pieces_audit: Genre[PieceAudit] = Genre("pièces du dossier d'audit")


# --- Exports of lists ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    """A list for CSV/XLSX, and/or a sheet of a client's whole file.

    ``lignes(params, user) -> (entetes, lignes)``: the list as ``user`` sees it on its page
    (``params`` are the page's filters), offered on the exports page as ``libelle``.
    ``dossier_client(org) -> (entetes, lignes)``: the sheet ``titre`` of the organisation's
    file. Either may be None. ``titre`` also names the list's sheet.
    """

    cle: str
    titre: str
    lignes: Callable[..., tuple[list[str], Any]] | None = None
    libelle: str = ""
    dossier_client: Callable[[Any], tuple[list[str], Any]] | None = None
    ordre: int = 100
    visible: Callable[[Any], bool] = _toujours


exports: Genre[Export] = Genre("exports")


# --- Calendar feed (iCal) ---------------------------------------------------------------------


@dataclass
class EntreeAgenda:
    """An all-day entry of the feed; ``uid`` is unique and stable (the calendar updates it)."""

    uid: str
    jour: date
    titre: str
    description: str = ""
    url: str = ""
    a_faire: bool = False  # a to-do (VTODO) rather than a dated event


@dataclass(frozen=True)
class SourceAgenda:
    """``fonction(user, *, le, horizon) -> list[EntreeAgenda]``: what ``user`` may see, due
    at the latest on ``horizon`` (overdue ones included)."""

    cle: str
    fonction: Callable[..., list[EntreeAgenda]]
    ordre: int = 100


sources_agenda: Genre[SourceAgenda] = Genre("sources de l'agenda")


# --- Personal data (RGPD) -------------------------------------------------------------------


@dataclass(frozen=True)
class DonneesPersonnelles:
    """An app's part of a person's data and of the RGPD retention rule (``rgpd`` orchestrates).

    ``exporter(contact) -> {rubrique: list of dicts, or a dict}`` gives what the app holds about
    the person (right of access). ``effacer(contact, *, mentions, remplacement, le) -> None``
    removes them from every row the app keeps, history included (``mentions``: a
    ``crm.effacement.Mentions``, replaced by ``remplacement`` in free text), and deletes or
    replaces the files that name them; records the law makes the firm keep stay, with the
    identity replaced. ``anonymiser(organisation, *, remplacement, le)`` strips an inactive
    prospect's own records of their texts (its contacts are erased one by one first).
    ``derniere_activite() -> list`` gives expressions, over ``OuterRef("pk")`` of an
    organisation, of its latest contact in this app's records (``crm.effacement.derniere_date``);
    ``client()`` an ``Exists`` saying the organisation is a client (never anonymised), or None.
    """

    cle: str
    titre: str
    exporter: Callable[..., dict[str, Any]]
    effacer: Callable[..., None]
    anonymiser: Callable[..., None] = lambda organisation, **kw: None
    derniere_activite: Callable[[], list[Any]] = lambda: []
    client: Callable[[], Any] | None = None
    ordre: int = 100


donnees_personnelles: Genre[DonneesPersonnelles] = Genre("données personnelles")


# --- What a task may be linked to -------------------------------------------------------------


@dataclass(frozen=True)
class CibleTache:
    """A model whose objects a task can be linked to (``modele``: « app_label.Model »).
    ``visibles(user) -> QuerySet`` are the objects ``user`` may see (a task on another one is
    not shown to them)."""

    cle: str
    modele: str
    libelle: str
    visibles: Callable[[Any], Any]
    ordre: int = 100


cibles_taches: Genre[CibleTache] = Genre("cibles des tâches")

# The global search (the dataclass lives in crm/affichage.py; ``crm.recherche`` runs them).
sources_recherche: Genre[SourceRecherche] = Genre("sources de la recherche")


@dataclass(frozen=True)
class SansEtape:
    """``fonction(user, le) -> list[Ligne]``: the app's open affairs with no future date at all
    (none of their own, no open task ahead: ``crm.selectors.tache_a_venir``), gathered in the
    gérant's « Sans prochaine étape » section of « Aujourd'hui »."""

    cle: str
    fonction: Callable[..., list[Ligne]]
    ordre: int = 100


sans_etape: Genre[SansEtape] = Genre("affaires sans prochaine étape")


# --- Actions and panels of the core's pages -----------------------------------------------------

# Where an action shows on its page: among the page's buttons, or in its « Plus » drop-down.
BOUTONS = "boutons"
PLUS = "plus"


@dataclass(frozen=True)
class ActionPage:
    """A link (``methode="get"``) or a one-button form (``"post"``, CSRF included) that an app
    adds to a core page. ``page`` names the page (« organisation », « mission », « demande »,
    « contact » — a contact's row on its organisation's page —, « organisations », « demandes »);
    ``url(obj)`` is where it goes (``obj`` is the page's object, ``None`` on a list page) and
    ``visible(user, obj)`` who sees it: both run once per object shown, so they must not query
    (the page's object has what they need). ``garder_filtres`` appends the list's current
    filters (the page's query string) to the URL, for exports."""

    cle: str
    page: str
    libelle: str
    url: Callable[[Any], str]
    icone: str = ""
    visible: Callable[[Any, Any], bool] = lambda user, obj: True
    methode: str = "get"
    ordre: int = 100
    groupe: str = BOUTONS
    classe: str = "btn btn-outline-secondary"  # CSS classes of a button (not of a drop-down item)
    titre: str = ""  # tooltip
    icone_seule: bool = False  # the label is then read by screen readers only
    garder_filtres: bool = False


actions_pages: Genre[ActionPage] = Genre("actions des pages")


@dataclass(frozen=True)
class PanneauPage:
    """A block of an app's own template shown on a core page (in the page's column of panels).

    ``contexte(request, obj) -> dict | None`` computes what the template needs (``None`` hides
    the panel: the rights check lives there); it runs once per page, in a fixed number of
    queries whatever the data size. The template is rendered with the page's context plus that
    dict (so ``request``, ``csrf_token`` and the role flags are there)."""

    cle: str
    page: str
    gabarit: str
    contexte: Callable[[Any, Any], dict[str, Any] | None]
    ordre: int = 100


panneaux_pages: Genre[PanneauPage] = Genre("panneaux des pages")
