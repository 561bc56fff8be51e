"""Revue de direction (ISO 9001 §9.3): the inputs an auditor asks for, over a period, as a PDF.

Rendered by WeasyPrint (``crm.pdf.rendre_pdf``): call it outside any transaction.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from crm.models import RevueFaisabilite
from crm.pdf import rendre_pdf
from pilotage import selectors
from pilotage.graphiques import barres_svg
from pilotage.periodes import periode_precedente
from pilotage.presentation import graphiques, motifs_compares, sources_comparees
from reclamations.models import Action, Reclamation
from satisfaction.models import Attentes, Debrief, Reponse


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
    revues = (
        RevueFaisabilite.objects.filter(decidee_le__gte=debut, decidee_le__lte=fin)
        .select_related("demande__organisation", "par")
        .order_by("decidee_le", "pk")
    )
    verbatims = (
        Reponse.objects.filter(
            repondue_le__gte=debut, repondue_le__lte=fin, consentement_citation=True
        )
        .exclude(commentaire="")
        .select_related("enquete__contact__organisation")
        .order_by("repondue_le", "pk")
    )
    reclamations = (
        Reclamation.objects.filter(recue_le__gte=debut, recue_le__lte=fin)
        .select_related("organisation", "nature")
        .order_by("recue_le", "pk")
    )
    actions = (
        Action.objects.filter(
            Q(reclamation__recue_le__gte=debut, reclamation__recue_le__lte=fin)
            | Q(echeance__gte=debut, echeance__lte=fin)
            | Q(realisee_le__gte=debut, realisee_le__lte=fin)
        )
        .select_related("reclamation", "responsable")
        .order_by("echeance", "pk")
    )
    debriefs_non = (
        Debrief.objects.filter(le__gte=debut, le__lte=fin)
        .exclude(reponse=Attentes.OUI)
        .select_related("mission__devis__organisation")
        .order_by("le", "pk")
    )
    return {
        "debut": debut,
        "fin": fin,
        "debut_precedent": debut_p,
        "fin_precedent": fin_p,
        "le": le,
        "c": c,
        "p": p,
        "graphiques": svg,
        "sources": sources_comparees(c, p),
        "motifs": motifs_compares(c, p),
        "revues": list(revues),
        "verbatims": list(verbatims),
        "debriefs_non": list(debriefs_non),
        "reclamations": list(reclamations),
        "actions": list(actions),
    }


def revue_direction_pdf(debut: date, fin: date, *, le: date) -> bytes:
    return rendre_pdf("pdf/revue_direction.html", contexte_revue(debut, fin, le=le))


def nom_fichier(debut: date, fin: date) -> str:
    return f"revue-de-direction-{debut:%Y-%m-%d}-{fin:%Y-%m-%d}.pdf"
