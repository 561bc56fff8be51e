from __future__ import annotations

from crm.timeline import Evenement, source
from reclamations.models import Reclamation


@source
def reclamations_de(org, *, voir_prix: bool) -> list[Evenement]:
    return [
        Evenement(
            le=r.recue_le,
            type="reclamation",
            titre=f"Réclamation {r.numero}",
            detail=r.description[:200],
            url=r.get_absolute_url(),
            badge=r.get_statut_display(),
        )
        for r in Reclamation.objects.filter(organisation=org).order_by("-pk")[:200]
    ]
