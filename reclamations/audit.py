"""The complaints' piece of the audit file (PROC-020 §4): the complaints received in the
period, with the same columns as their export, and the corrective and preventive actions."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from crm.extensions import Dossier, PieceAudit, pieces_audit
from crm.roles import nom_utilisateur
from reclamations.exports import ENTETES_RECLAMATIONS, lignes_reclamations
from reclamations.models import Action, Reclamation

ENTETES_ACTIONS = [
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
]


def ajouter_reclamations(dossier: Dossier, *, debut: date, fin: date, le: date) -> None:
    recues = Reclamation.objects.filter(recue_le__gte=debut, recue_le__lte=fin).order_by(
        "recue_le", "pk"
    )
    dossier.table(
        "reclamations.csv",
        ENTETES_RECLAMATIONS,
        lignes_reclamations(recues),
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
    dossier.table(
        "actions_correctives_preventives.csv",
        ENTETES_ACTIONS,
        (
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
        ),
        "Actions correctives et préventives (ISO 9001 §10.2)",
    )


pieces_audit.ajouter(
    PieceAudit(
        cle="reclamations",
        titre="les réclamations et les actions correctives et préventives (CSV)",
        ajouter=ajouter_reclamations,
        ordre=40,
    )
)
