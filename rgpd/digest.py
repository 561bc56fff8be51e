"""The gérant's warning before an inactive prospect is anonymised (RGPD, 3 years)."""

from __future__ import annotations

from datetime import date, timedelta

from crm.digest import limiter
from crm.extensions import Ligne, section
from crm.roles import est_gerant
from rgpd.selectors import signalements_ouverts
from rgpd.services import PREAVIS_JOURS


@section("rgpd_anonymisations", "Prospects sans contact depuis 3 ans (RGPD)", ordre=95)
def anonymisations_prevues(user, le: date) -> list[Ligne]:
    """Every open flag, to the gérant only: the rule anonymises a prospect only after a digest
    carrying this section has gone out (see rgpd.services.gerant_averti_depuis)."""
    if not est_gerant(user):
        return []
    return [
        Ligne(
            texte=f"{s.organisation} — dernier contact le {s.dernier_contact_le:%d/%m/%Y}",
            url=s.organisation.get_absolute_url(),
            detail="sera anonymisé à partir du "
            f"{s.signale_le + timedelta(days=PREAVIS_JOURS):%d/%m/%Y}, sauf nouvel échange "
            "(enregistrez-le sur sa fiche pour conserver ses données)",
            en_retard=s.signale_le + timedelta(days=PREAVIS_JOURS) <= le,
        )
        for s in limiter(signalements_ouverts().order_by("signale_le", "pk"))
    ]
