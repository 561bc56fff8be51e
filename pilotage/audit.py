"""Dossier d'audit: the PROC-020 §4 records of a period in one ZIP, with an index.

Quotes issued (PDF), client agreements with their documents, feasibility reviews, complaints
and actions. The PDFs are rendered by WeasyPrint: build the file outside any transaction.
"""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.text import get_valid_filename

from crm.models import Entreprise, RevueFaisabilite
from devis.models import Accord, Devis
from devis.pdf import devis_pdf
from pilotage.exports import ENTETES_RECLAMATIONS, en_csv, lignes_reclamations, nom_utilisateur
from reclamations.models import Action, Reclamation

logger = logging.getLogger(__name__)


@dataclass
class Piece:
    chemin: str
    description: str
    taille: int


def devis_emis(debut: date, fin: date):
    """Quotes issued in the period: every numbered quote sent then, cancelled versions included
    (they reached the client)."""
    return (
        Devis.objects.filter(numero__isnull=False, envoye_le__gte=debut, envoye_le__lte=fin)
        .select_related("organisation")
        .order_by("numero", "version")
    )


def construire_dossier_audit(
    debut: date, fin: date, destination: BinaryIO, *, le: date
) -> list[Piece]:
    """Write the ZIP into ``destination`` and return its index (every file but the index)."""
    pieces: list[Piece] = []

    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED) as zf:

        def ajouter(chemin: str, contenu: bytes, description: str) -> None:
            zf.writestr(chemin, contenu)
            pieces.append(Piece(chemin=chemin, description=description, taille=len(contenu)))

        # 1. Quotes issued, as PDF.
        lignes_devis = []
        for d in devis_emis(debut, fin):
            chemin = f"devis/{get_valid_filename(d.reference.replace(' ', '-'))}.pdf"
            ajouter(
                chemin,
                devis_pdf(d),
                f"Devis {d.reference} — {d.organisation.raison_sociale} — {d.objet}",
            )
            lignes_devis.append(
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
        ajouter(
            "devis/devis_emis.csv",
            en_csv(
                ["Numéro", "Envoyé le", "Client", "Objet", "Statut", "Réponse le", "Fichier"],
                lignes_devis,
            ),
            "Liste des devis émis sur la période",
        )

        # 2. Client agreements, with their documents, and the contract reviews.
        lignes_accords = []
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
                    ajouter(
                        fichier,
                        contenu,
                        f"Accord ({a.get_type_display().lower()}) du devis {a.devis.reference}",
                    )
            lignes_accords.append(
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
        ajouter(
            "accords/accords_et_revues_de_contrat.csv",
            en_csv(
                [
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
                ],
                lignes_accords,
            ),
            "Accords clients et revues de contrat (ISO 9001 §8.2.3)",
        )

        # 3. Feasibility reviews.
        revues = (
            RevueFaisabilite.objects.filter(decidee_le__gte=debut, decidee_le__lte=fin)
            .select_related("demande__organisation", "par")
            .order_by("decidee_le", "pk")
        )
        ajouter(
            "revues_de_faisabilite.csv",
            en_csv(
                [
                    "Demande reçue le",
                    "Client",
                    "Type de prestation",
                    "Compétence",
                    "Commentaire compétence",
                    "Disponibilité",
                    "Commentaire disponibilité",
                    "Indépendance",
                    "Commentaire indépendance",
                    "Décision",
                    "Suite",
                    "Partenaire",
                    "Motif",
                    "Décidée le",
                    "Par",
                ],
                [
                    [
                        r.demande.recue_le,
                        r.demande.organisation.raison_sociale,
                        r.demande.get_type_prestation_display(),
                        r.competence,
                        r.competence_commentaire,
                        r.disponibilite,
                        r.disponibilite_commentaire,
                        r.independance,
                        r.independance_commentaire,
                        r.get_decision_display(),
                        r.get_suite_display(),
                        r.partenaire,
                        r.motif,
                        r.decidee_le,
                        nom_utilisateur(r.par),
                    ]
                    for r in revues
                ],
            ),
            "Revues de faisabilité (ISO 9001 §8.2.3, PROC-020 §3.2)",
        )

        # 4. Complaints and actions.
        reclamations = Reclamation.objects.filter(recue_le__gte=debut, recue_le__lte=fin).order_by(
            "recue_le", "pk"
        )
        ajouter(
            "reclamations.csv",
            en_csv(ENTETES_RECLAMATIONS, lignes_reclamations(reclamations)),
            "Réclamations reçues sur la période (six phases)",
        )
        actions = (
            Action.objects.filter(
                Q(reclamation__recue_le__gte=debut, reclamation__recue_le__lte=fin)
                | Q(echeance__gte=debut, echeance__lte=fin)
            )
            .select_related("reclamation", "responsable")
            .order_by("echeance", "pk")
        )
        ajouter(
            "actions_correctives_preventives.csv",
            en_csv(
                [
                    "Type",
                    "Description",
                    "Réclamation",
                    "Responsable",
                    "Échéance",
                    "Statut",
                    "Réalisée le",
                    "Efficacité vérifiée",
                    "Vérification",
                    "Vérifiée le",
                ],
                [
                    [
                        a.get_type_display(),
                        a.description,
                        a.reclamation.numero if a.reclamation else "",
                        nom_utilisateur(a.responsable),
                        a.echeance,
                        a.get_statut_display(),
                        a.realisee_le,
                        a.efficacite_verifiee,
                        a.efficacite_commentaire,
                        a.verifiee_le,
                    ]
                    for a in actions
                ],
            ),
            "Actions correctives et préventives (ISO 9001 §10.2)",
        )

        # 5. The index, in both forms; each lists every file of the archive.
        index = [
            *pieces,
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
