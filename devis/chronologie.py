from __future__ import annotations

from crm.timeline import Evenement, source
from devis.models import Devis


@source
def devis_de(org, *, voir_prix: bool) -> list[Evenement]:
    if not voir_prix:
        return []  # consultants see no quotes or prices
    return [
        Evenement(
            le=d.envoye_le or d.cree_le.date(),
            type="devis",
            titre=f"Devis {d.reference} — {d.objet}",
            url=d.get_absolute_url(),
            badge=d.get_statut_display(),
        )
        for d in Devis.objects.filter(organisation=org).order_by("-pk")[:200]
    ]
