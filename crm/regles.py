"""The daily rules runner (DESIGN §5) and the core's own rules.

Each app contributes its rules to the registry (``crm.extensions.regle``, usually from its
``regles.py``); the runner reads the registry and never names an app, nor any app's report key.
A rule is ``f(le: date, *, simuler: bool) -> dict[str, list[str]]``: see ``extensions.Regle``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.db import DatabaseError, connection

from crm.extensions import regle, regles

logger = logging.getLogger(__name__)


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


def appliquer(le: date, *, simuler: bool = False) -> dict[str, Any]:
    """Apply every app's rules as of the business date ``le``; return what was done.

    The result holds ``date`` (ISO) and, for each rule, lists of object numbers or labels.
    Each rule commits its own work in short transactions, so one failing rule does not undo
    the others; its error is reported under ``erreurs`` and logged.
    """
    resultat: dict[str, Any] = {"date": le.isoformat(), "simulation": simuler}
    toutes = regles.tous()
    for r in toutes:
        # Every key a rule declares is in the result, empty when nothing is due.
        for cle in r.libelles:
            resultat.setdefault(cle, [])
    erreurs: list[str] = []
    with _sans_jit():
        for r in toutes:
            try:
                sortie = r.fonction(le, simuler=simuler) or {}
            except Exception as exc:
                logger.exception("La règle %s a échoué pour le %s", r.cle, le)
                erreurs.append(f"{r.cle} : {exc}")
                continue
            for cle, valeurs in sortie.items():
                # Keep order, drop duplicates (two rules may report the same item).
                resultat[cle] = list(dict.fromkeys([*resultat.get(cle, []), *valeurs]))
    resultat["erreurs"] = erreurs
    return resultat


# --- The core's own rules ---------------------------------------------------------------------
# They only report (nothing to write): the to-do page and the digest read the same selectors.


def libelles() -> dict[str, str]:
    """The French label of every report key, from the rules that declare them (``proc020``)."""
    return {cle: libelle for r in regles.tous() for cle, libelle in r.libelles.items()}


@regle(
    "demandes_a_qualifier",
    libelles={"demandes_a_qualifier": "Demandes à qualifier (plus de 2 jours ouvrés)"},
    ordre=10,
)
def _regle_demandes(le: date, *, simuler: bool) -> dict[str, list[str]]:
    from crm.selectors import demandes_a_qualifier

    return {
        "demandes_a_qualifier": [
            f"Demande {d.pk} — {d.organisation}" for d in demandes_a_qualifier(le)
        ]
    }


@regle(
    "clients_cles_a_voir", libelles={"clients_cles_a_voir": "Clients clés à rencontrer"}, ordre=20
)
def _regle_clients_cles(le: date, *, simuler: bool) -> dict[str, list[str]]:
    from crm.selectors import clients_cles_a_voir

    return {"clients_cles_a_voir": [org.raison_sociale for org in clients_cles_a_voir(le)]}


@regle("taches_echues", libelles={"taches_echues": "Tâches échues (non faites)"}, ordre=30)
def _regle_taches(le: date, *, simuler: bool) -> dict[str, list[str]]:
    """Open tasks due on or before ``le`` (their ids): a report, nothing to write."""
    from crm.selectors import taches_echues

    return {"taches_echues": [str(pk) for pk in taches_echues(le).values_list("pk", flat=True)]}
