"""The core's piece of the audit file (PROC-020 §4): the feasibility reviews of the period."""

from __future__ import annotations

from datetime import date

from crm.extensions import Dossier, PieceAudit, pieces_audit
from crm.models import RevueFaisabilite
from crm.roles import nom_utilisateur

ENTETES_REVUES = [
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
]


def ajouter_revues(dossier: Dossier, *, debut: date, fin: date, le: date) -> None:
    revues = (
        RevueFaisabilite.objects.filter(decidee_le__gte=debut, decidee_le__lte=fin)
        .select_related("demande__organisation", "par")
        .order_by("decidee_le", "pk")
    )
    dossier.table(
        "revues_de_faisabilite.csv",
        ENTETES_REVUES,
        (
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
        ),
        "Revues de faisabilité (ISO 9001 §8.2.3, PROC-020 §3.2)",
    )


pieces_audit.ajouter(
    PieceAudit(
        cle="revues_faisabilite",
        titre="les revues de faisabilité (CSV)",
        ajouter=ajouter_revues,
        ordre=30,
    )
)
