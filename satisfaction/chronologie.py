"""The debriefs in an organisation's timeline: those of the missions the viewer may open (the
gérant's all, a consultant's their own), as on the mission's page."""

from __future__ import annotations

from crm.acces import missions_visibles
from crm.extensions import Evenement, source_chronologie
from satisfaction.models import Debrief


@source_chronologie("satisfaction", ordre=40)
def debriefs_de(org, *, user) -> list[Evenement]:
    missions = missions_visibles(user).filter(devis__organisation=org).values("pk")
    return [
        Evenement(
            le=d.le,
            type="debrief",
            icone="emoji-smile",
            style="satisfaction",
            titre=f"Débrief — « {d.get_reponse_display()} »",
            detail=d.verbatim[:200],
            url=d.mission.get_absolute_url(),
        )
        for d in Debrief.objects.filter(mission__in=missions).select_related("mission")[:200]
    ]
