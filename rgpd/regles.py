"""The RGPD daily rule: inactive prospects are flagged, then anonymised once the gérant has
been warned (CNIL référentiel « gestion commerciale », 3 years after the last contact).

Safe to run twice, concurrently and after downtime: an open flag is unique per organisation
(database constraint), the anonymisation claims each flag by a conditional update before
touching the organisation, and every step acts on all that is due at or before ``le``.
"""

from __future__ import annotations

from datetime import date, timedelta

from crm.extensions import regle
from rgpd import selectors, services


@regle(
    "rgpd_prospects_inactifs",
    libelles={
        "rgpd_signales": "Prospects inactifs signalés (RGPD)",
        "rgpd_leves": "Signalements RGPD levés",
        "rgpd_anonymises": "Prospects anonymisés (RGPD)",
    },
    ordre=200,
)
def _prospects_inactifs(le: date, *, simuler: bool) -> dict[str, list[str]]:
    if simuler:
        ouverts = set(selectors.signalements_ouverts().values_list("organisation_id", flat=True))
        return {
            "rgpd_signales": [
                f"Organisation {pk}"
                for pk in selectors.prospects_inactifs(le).values_list("pk", flat=True)
                if pk not in ouverts
            ],
            "rgpd_anonymises": [
                f"Organisation {s.organisation_id}"
                for s in selectors.signalements_ouverts().filter(
                    signale_le__lte=le - timedelta(days=services.PREAVIS_JOURS)
                )
                if services.gerant_averti_depuis(s)
            ],
        }
    signales, leves = services.signaler_prospects_inactifs(le)
    anonymises = services.anonymiser_prospects_dus(le)
    return {"rgpd_signales": signales, "rgpd_leves": leves, "rgpd_anonymises": anonymises}
