"""Dossier d'audit: the PROC-020 §4 records of a period in one ZIP, with an index.

The frame: each app writes its pieces (``crm.extensions.PieceAudit``: quotes issued as PDF,
client agreements with their documents, feasibility reviews, complaints and actions…) into
the ZIP through ``Dossier``; this module adds the index of every file. The PDFs are rendered by
WeasyPrint: build the file outside any transaction.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from django.template.loader import render_to_string

from crm import extensions
from crm.models import Entreprise
from pilotage.exports import Progres, en_csv


@dataclass
class Piece:
    chemin: str
    description: str
    taille: int


class Dossier:
    """The ZIP being written (``crm.extensions.Dossier``), and the index of what is in it."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self._zf = zf
        self.pieces: list[Piece] = []

    def ajouter(self, chemin: str, contenu: bytes, description: str) -> None:
        self._zf.writestr(chemin, contenu)
        self.pieces.append(Piece(chemin=chemin, description=description, taille=len(contenu)))

    def table(self, chemin: str, entetes: list[str], lignes, description: str) -> None:
        """A CSV table for French Excel, cells guarded against formulas (as the exports)."""
        self.ajouter(chemin, en_csv(entetes, lignes), description)


def pieces() -> list[extensions.PieceAudit]:
    return extensions.pieces_audit.tous()


def resumes(debut: date, fin: date) -> list[str]:
    """What the file of the period will hold, for the download page (cheap counts)."""
    return [p.resume(debut, fin) for p in pieces() if p.resume is not None]


def construire_dossier_audit(
    debut: date, fin: date, destination: BinaryIO, *, le: date, progres: Progres | None = None
) -> list[Piece]:
    """Write the ZIP into ``destination`` and return its index (every file but the index).
    ``progres`` is told before each app's piece (the pieces share 0–95 %) and at the index."""
    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        dossier = Dossier(zf)
        a_ajouter = pieces()
        for rang, piece in enumerate(a_ajouter):
            if progres is not None:
                progres(rang * 95 // len(a_ajouter), piece.titre)
            piece.ajouter(dossier, debut=debut, fin=fin, le=le)
        if progres is not None:
            progres(95, "Index des pièces")
        # The index, in both forms; each lists every file of the archive.
        index = [
            *dossier.pieces,
            Piece("index.csv", "Index des pièces (CSV)", 0),
            Piece("index.html", "Index des pièces (à ouvrir dans un navigateur)", 0),
        ]
        zf.writestr(
            "index.csv",
            en_csv(
                ["Fichier", "Description", "Taille (octets)"],
                [[p.chemin, p.description, p.taille or ""] for p in index],
            ),
        )
        zf.writestr(
            "index.html",
            render_to_string(
                "pilotage/audit_index.html",
                {
                    "pieces": index,
                    "debut": debut,
                    "fin": fin,
                    "le": le,
                    "entreprise": Entreprise.courante(),
                },
            ).encode("utf-8"),
        )
    return index


def nom_fichier(debut: date, fin: date) -> str:
    return f"dossier-audit-{debut:%Y-%m-%d}-{fin:%Y-%m-%d}.zip"
