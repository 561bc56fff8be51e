"""Complaint deadlines (DESIGN §5): overdue acknowledgements and answers, every day.

Read-only: a complaint is overdue from the day after a deadline it has not met, so the same
date always gives the same list, and a run after downtime sees everything overdue.
"""

from __future__ import annotations

from datetime import date

from crm.extensions import regle
from reclamations.models import Action, Reclamation, StatutAction


@regle(
    "reclamations_en_retard",
    libelles={
        "reclamations_en_retard": "Réclamations en retard",
        "actions_en_retard": "Actions correctives en retard",
    },
    ordre=60,
)
def _en_retard(le: date, *, simuler: bool) -> dict[str, list[str]]:
    return {
        "reclamations_en_retard": list(
            Reclamation.objects.en_retard(le)
            .order_by("recue_le", "pk")
            .values_list("numero", flat=True)
        ),
        "actions_en_retard": [
            f"Action {pk}"
            for pk in Action.objects.filter(
                echeance__lt=le, statut__in=[StatutAction.A_FAIRE, StatutAction.EN_COURS]
            ).values_list("pk", flat=True)
        ],
    }
