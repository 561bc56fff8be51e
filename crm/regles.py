"""The daily rules runner (DESIGN §5) and the core's own rules.

Each app may define rules in its ``regles.py`` with the ``@regle`` decorator; the runner finds
them with Django's ``autodiscover_modules`` so the core never imports the other apps.

A rule is ``f(le: date, *, simuler: bool) -> dict[str, list[str]]``. It must be idempotent
(a second run for the same date changes nothing) and catch up (it acts on everything due at
or before ``le``), and with ``simuler=True`` it reports without writing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from django.db import DatabaseError, connection
from django.utils.module_loading import autodiscover_modules

logger = logging.getLogger(__name__)

# Keys always present in the result, even when no app contributes to them.
CLES_OBLIGATOIRES = ("relances_dues", "sans_suite", "reclamations_en_retard")


@dataclass(frozen=True)
class Regle:
    nom: str
    ordre: int
    fonction: Callable[..., dict[str, list[str]]]


_REGLES: dict[str, Regle] = {}
_decouvertes = False


def regle(nom: str, *, ordre: int = 100):
    """Register a daily rule under a unique name (re-registering replaces it)."""

    def decorateur(fonction):
        _REGLES[nom] = Regle(nom=nom, ordre=ordre, fonction=fonction)
        return fonction

    return decorateur


def retirer_regle(nom: str) -> None:
    _REGLES.pop(nom, None)


def regles() -> list[Regle]:
    global _decouvertes
    if not _decouvertes:
        autodiscover_modules("regles")
        _decouvertes = True
    return sorted(_REGLES.values(), key=lambda r: (r.ordre, r.nom))


@contextmanager
def _sans_jit() -> Iterator[None]:
    """On PostgreSQL, run the rules with JIT compilation off, then restore the session's setting.

    The rules' queries visit many rows through indexes, each cheap; their summed cost estimate
    passes ``jit_above_cost`` (the RGPD rule's seven correlated subqueries per organisation are
    estimated at 800 000 for 20 000 organisations), so PostgreSQL compiled them with LLVM: 1.6 s
    and 0.8 s of compilation for two queries that run in 0.7 s each. Nothing here benefits
    from JIT, which pays off on long analytical scans.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit')")
        (avant,) = cursor.fetchone()
        cursor.execute("SELECT set_config('jit', 'off', false)")
    try:
        yield
    finally:
        # Inside a caller's transaction that has failed, its rollback undoes the change itself.
        if not connection.needs_rollback:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('jit', %s, false)", [avant])
            except DatabaseError:
                logger.warning("Réglage jit non restauré après les règles", exc_info=True)


def appliquer(le: date, *, simuler: bool = False) -> dict:
    """Apply every app's rules as of the business date ``le``; return what was done.

    The result holds ``date`` (ISO) and, for each rule, lists of object numbers or labels.
    Each rule commits its own work in short transactions, so one failing rule does not undo
    the others; its error is reported under ``erreurs`` and logged.
    """
    resultat: dict = {"date": le.isoformat(), "simulation": simuler}
    for cle in CLES_OBLIGATOIRES:
        resultat[cle] = []
    erreurs: list[str] = []
    with _sans_jit():
        for r in regles():
            try:
                sortie = r.fonction(le, simuler=simuler) or {}
            except Exception as exc:
                logger.exception("La règle %s a échoué pour le %s", r.nom, le)
                erreurs.append(f"{r.nom} : {exc}")
                continue
            for cle, valeurs in sortie.items():
                # Keep order, drop duplicates (two rules may report the same item).
                resultat[cle] = list(dict.fromkeys([*resultat.get(cle, []), *valeurs]))
    resultat["erreurs"] = erreurs
    return resultat


# --- The core's own rules ---------------------------------------------------------------------
# They only report (nothing to write): the to-do page and the digest read the same selectors.


@regle("demandes_a_qualifier", ordre=10)
def _regle_demandes(le: date, *, simuler: bool) -> dict[str, list[str]]:
    from crm.selectors import demandes_a_qualifier

    return {
        "demandes_a_qualifier": [
            f"Demande {d.pk} — {d.organisation}" for d in demandes_a_qualifier(le)
        ]
    }


@regle("clients_cles_a_voir", ordre=20)
def _regle_clients_cles(le: date, *, simuler: bool) -> dict[str, list[str]]:
    from crm.selectors import clients_cles_a_voir

    return {"clients_cles_a_voir": [org.raison_sociale for org in clients_cles_a_voir(le)]}
