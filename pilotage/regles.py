"""Pilotage's daily rule: the prepared files (audit file, review, exports) do not pile up.

Safe twice and after downtime: a deleted file's row is marked (``fichier`` emptied), which the
query excludes, and every file at or past its time is deleted whatever day the rule runs.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings

from crm.extensions import regle
from pilotage.travaux import supprimer_expires


@regle(
    "fichiers_expires",
    libelles={"fichiers_expires": "Fichiers préparés supprimés (délai de conservation passé)"},
    ordre=900,
)
def fichiers_expires(le: date, *, simuler: bool = False) -> dict[str, list[str]]:
    return {
        "fichiers_expires": supprimer_expires(
            le=le, jours=settings.CRM_TRAVAUX_JOURS, simuler=simuler
        )
    }
