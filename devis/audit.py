"""The quotes' pieces of the audit file (PROC-020 §4): the quotes issued, as PDF, with their
list, and the client agreements with their documents and the contract reviews."""

from __future__ import annotations

import logging
from datetime import date

from django.utils.text import get_valid_filename

from crm.extensions import Dossier, PieceAudit, pieces_audit
from crm.roles import nom_utilisateur
from devis.models import Accord, Devis
from devis.pdf import devis_pdf

logger = logging.getLogger(__name__)


def devis_emis(debut: date, fin: date):
    """Quotes issued in the period: every numbered quote sent then, cancelled versions included
    (they reached the client)."""
    return (
        Devis.objects.filter(numero__isnull=False, envoye_le__gte=debut, envoye_le__lte=fin)
        .select_related("organisation")
        .order_by("numero", "version")
    )


def ajouter_devis(dossier: Dossier, *, debut: date, fin: date, le: date) -> None:
    lignes = []
    for d in devis_emis(debut, fin):
        chemin = f"devis/{get_valid_filename(d.reference.replace(' ', '-'))}.pdf"
        dossier.ajouter(
            chemin,
            devis_pdf(d),
            f"Devis {d.reference} — {d.organisation.raison_sociale} — {d.objet}",
        )
        lignes.append(
            [
                d.reference,
                d.envoye_le,
                d.organisation.raison_sociale,
                d.objet,
                d.get_statut_display(),
                d.reponse_le,
                chemin,
            ]
        )
    dossier.table(
        "devis/devis_emis.csv",
        ["Numéro", "Envoyé le", "Client", "Objet", "Statut", "Réponse le", "Fichier"],
        lignes,
        "Liste des devis émis sur la période",
    )


pieces_audit.ajouter(
    PieceAudit(
        cle="devis",
        titre="les devis émis, en PDF, et leur liste",
        ajouter=ajouter_devis,
        ordre=10,
        # Each quote is rendered by WeasyPrint: the page says how many the file will hold.
        resume=lambda debut, fin: f"{devis_emis(debut, fin).count()} devis émis",
    )
)


ENTETES_ACCORDS = [
    "Devis",
    "Client",
    "Type d'accord",
    "Reçu le",
    "Référence client",
    "Prix conforme",
    "Conditions conformes",
    "Écarts",
    "Résolution des écarts",
    "Revue de contrat le",
    "Revue par",
    "Signataire (en ligne)",
    "SHA-256 du PDF accepté",
    "Document",
]


def ajouter_accords(dossier: Dossier, *, debut: date, fin: date, le: date) -> None:
    lignes = []
    accords = (
        Accord.objects.filter(recu_le__gte=debut, recu_le__lte=fin)
        .select_related("devis__organisation", "revue_par")
        .order_by("recu_le", "pk")
    )
    for a in accords:
        fichier = ""
        if a.document:
            nom = get_valid_filename(a.document_nom or a.document.name.rsplit("/", 1)[-1])
            fichier = f"accords/{get_valid_filename(a.devis.reference)}-{nom}"
            try:
                with a.document.open("rb") as f:
                    contenu = f.read()
            except OSError:
                logger.warning("Document d'accord introuvable : %s", a.document.name)
                fichier = "(document introuvable)"
            else:
                dossier.ajouter(
                    fichier,
                    contenu,
                    f"Accord ({a.get_type_display().lower()}) du devis {a.devis.reference}",
                )
        lignes.append(
            [
                a.devis.reference,
                a.devis.organisation.raison_sociale,
                a.get_type_display(),
                a.recu_le,
                a.reference_client,
                a.prix_conforme,
                a.conditions_conformes,
                a.ecarts,
                a.resolution_ecarts,
                a.revue_le,
                nom_utilisateur(a.revue_par),
                a.signataire_nom,
                a.empreinte_pdf,
                fichier,
            ]
        )
    dossier.table(
        "accords/accords_et_revues_de_contrat.csv",
        ENTETES_ACCORDS,
        lignes,
        "Accords clients et revues de contrat (ISO 9001 §8.2.3)",
    )


pieces_audit.ajouter(
    PieceAudit(
        cle="accords",
        titre=(
            "les accords des clients avec leurs documents (bon de commande, mail de "
            "validation, devis signé) et les revues de contrat"
        ),
        ajouter=ajouter_accords,
        ordre=20,
    )
)
