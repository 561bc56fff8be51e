"""The complaints in an organisation's timeline: those the viewer may open (the same rule as the
complaint's own page, ``reclamations_visibles``)."""

from __future__ import annotations

from crm.extensions import Evenement, source_chronologie
from reclamations.selectors import reclamations_visibles


@source_chronologie("reclamations", ordre=30)
def reclamations_de(org, *, user) -> list[Evenement]:
    return [
        Evenement(
            le=r.recue_le,
            type="reclamation",
            icone="exclamation",
            style="reclamation",
            titre=f"Réclamation {r.numero}",
            detail=r.description[:200],
            url=r.get_absolute_url(),
            badge=r.get_statut_display(),
        )
        for r in reclamations_visibles(user).filter(organisation=org).order_by("-pk")[:200]
    ]
