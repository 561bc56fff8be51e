from __future__ import annotations

from crm.timeline import Evenement, source
from satisfaction.models import Debrief


@source
def debriefs_de(org, *, voir_prix: bool) -> list[Evenement]:
    return [
        Evenement(
            le=d.le,
            type="debrief",
            titre=f"Débrief — « {d.get_reponse_display()} »",
            detail=d.verbatim[:200],
            url=d.mission.get_absolute_url(),
        )
        for d in Debrief.objects.filter(mission__devis__organisation=org).select_related("mission")[
            :200
        ]
    ]
