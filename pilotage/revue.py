"""Revue de direction (ISO 9001 §9.3): the inputs an auditor asks for, over a period, as a PDF.

The frame: the period and the one before, every app's figures, charts and tables
(``crm.extensions.Indicateurs``), each app's lists of records for the period (its ``revue``),
and each app's rows of the synthesis and sections, from its own templates. Rendered by WeasyPrint (``crm.pdf.rendre_pdf``): call it outside any transaction.
"""

from __future__ import annotations

from datetime import date

from crm import extensions
from crm.pdf import rendre_pdf
from pilotage import selectors
from pilotage.exports import Progres
from pilotage.graphiques import barres_svg
from pilotage.periodes import periode_precedente
from pilotage.presentation import contexte, graphiques, sections_revue, synthese_revue


def contexte_revue(debut: date, fin: date, *, le: date) -> dict:
    """Everything the report shows; ``le`` is the day it is drawn up."""
    debut_p, fin_p = periode_precedente(debut, fin)
    c, p = selectors.indicateurs_periodes([(debut, fin), (debut_p, fin_p)], le=le)
    svg = {
        g["id"]: barres_svg(
            g["titre"],
            g["labels"],
            [(j["label"], j["data"]) for j in g["jeux"]],
            unite=g["unite"],
            maximum=100 if g["unite"] == "%" else None,
        )
        for g in graphiques(c, p)
        if g["labels"]
    }
    resultat = {
        "debut": debut,
        "fin": fin,
        "debut_precedent": debut_p,
        "fin_precedent": fin_p,
        "le": le,
        "c": c,
        "p": p,
        "graphiques": svg,
        "gabarits_synthese": synthese_revue(),
        "gabarits_sections": sections_revue(),
        **contexte(c, p),
    }
    for contribution in extensions.indicateurs.tous():
        resultat.update(contribution.revue(c, p))
    return resultat


def revue_direction_pdf(
    debut: date, fin: date, *, le: date, progres: Progres | None = None
) -> bytes:
    """``progres`` is told at each of the two long steps: the figures, then the layout."""
    if progres is not None:
        progres(5, "Calcul des indicateurs")
    contexte_ = contexte_revue(debut, fin, le=le)
    if progres is not None:
        progres(50, "Mise en page du PDF")
    return rendre_pdf("pdf/revue_direction.html", contexte_)


def nom_fichier(debut: date, fin: date) -> str:
    return f"revue-de-direction-{debut:%Y-%m-%d}-{fin:%Y-%m-%d}.pdf"
