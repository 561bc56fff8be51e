"""The quotes in an organisation's timeline: the gérant's only (consultants see no quotes)."""

from __future__ import annotations

from crm.extensions import Evenement, source_chronologie
from crm.roles import est_gerant
from devis.models import Devis


@source_chronologie("devis", ordre=20)
def devis_de(org, *, user) -> list[Evenement]:
    if not est_gerant(user):
        return []
    return [
        Evenement(
            le=d.envoye_le or d.cree_le.date(),
            type="devis",
            icone="file-earmark-text",
            style="devis",
            titre=f"Devis {d.reference} — {d.objet}",
            url=d.get_absolute_url(),
            badge=d.get_statut_display(),
        )
        for d in Devis.objects.filter(organisation=org).order_by("-pk")[:200]
    ]
