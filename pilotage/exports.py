"""Exports of lists (CSV or Excel, with the list's filters) and of a client's whole file: the
machinery. What is exported is each app's contribution (``crm.extensions.Export``).

Built with tablib (openpyxl for .xlsx). Cells starting with = + - @ are prefixed with « ' »
so that a spreadsheet never runs a formula typed into the CRM (CSV/formula injection).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sized
from datetime import date, datetime
from decimal import Decimal

import tablib

from crm import extensions
from crm.texte import sans_formule

# ``progres(pourcentage, message)``: told how far a long build has gone (a background job's bar).
Progres = Callable[[int, str], None]
# A large list tells its progress every so many rows.
PAS_PROGRES = 500

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


def _csv(valeur):
    # French Excel reads « ; », dd/mm/yyyy and a decimal comma.
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, datetime):
        return f"{valeur:%d/%m/%Y %H:%M}"
    if isinstance(valeur, date):
        return f"{valeur:%d/%m/%Y}"
    if isinstance(valeur, Decimal):
        return str(valeur).replace(".", ",")
    return valeur


def _xlsx(valeur):
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, datetime):
        return valeur.replace(tzinfo=None)  # Excel knows no time zone
    return valeur


def jeu(
    titre: str,
    entetes: list[str],
    lignes: Iterable[list],
    *,
    format: str,
    progres: Progres | None = None,
) -> tablib.Dataset:
    """The rows as a dataset; ``progres`` is told every ``PAS_PROGRES`` rows (0–90 %, the
    share of the rows done when their number is known, the file's writing taking the rest)."""
    conv = _csv if format == "csv" else _xlsx
    donnees = tablib.Dataset(title=titre[:31], headers=entetes)
    total = len(lignes) if isinstance(lignes, Sized) else None
    for rang, ligne in enumerate(lignes, start=1):
        donnees.append(["" if v is None else sans_formule(conv(v)) for v in ligne])
        if progres is not None and rang % PAS_PROGRES == 0:
            progres(rang * 90 // total if total else 0, f"{rang} lignes")
    if progres is not None:
        progres(90, f"{len(donnees)} lignes : écriture du fichier")
    return donnees


def exporter(donnees: tablib.Dataset, format: str) -> bytes:
    if format == "csv":
        return ("\ufeff" + donnees.export("csv", delimiter=";")).encode("utf-8")
    return donnees.export("xlsx")


def en_csv(entetes: list[str], lignes: Iterable[list]) -> bytes:
    """A CSV file for French Excel, cells guarded against formulas (the audit file's tables)."""
    return exporter(jeu("", entetes, lignes, format="csv"), "csv")


# --- The lists, with their filters -------------------------------------------------------------


def listes(user) -> list[extensions.Export]:
    """The lists ``user`` may export, in the exports page's order."""
    return [e for e in extensions.exports.tous() if e.lignes is not None and e.visible(user)]


def liste(cle: str, user) -> extensions.Export | None:
    return next((e for e in listes(user) if e.cle == cle), None)


def exporter_liste(
    export: extensions.Export, params, user, format: str, *, progres: Progres | None = None
) -> bytes:
    if export.lignes is None:  # liste() offers only the exports that have lines
        raise ValueError(f"L'export « {export.cle} » n'a pas de liste.")
    entetes, lignes = export.lignes(params, user)
    return exporter(jeu(export.titre, entetes, lignes, format=format, progres=progres), format)


# --- A client's whole file ---------------------------------------------------------------------


def dossier_client(org) -> bytes:
    """One workbook, one sheet per contribution: the organisation, its contacts, exchanges,
    requests, quotes, missions, complaints… (a fixed number of queries)."""
    feuilles = []
    for export in extensions.exports.tous():
        if export.dossier_client is not None:
            entetes, lignes = export.dossier_client(org)
            feuilles.append(jeu(export.titre, entetes, lignes, format="xlsx"))
    return tablib.Databook(feuilles).export("xlsx")
