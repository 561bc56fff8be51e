from __future__ import annotations

from crm.extensions import COMPTE, EntreeMenu, menu
from crm.roles import est_gerant

menu.ajouter(
    EntreeMenu(
        "rgpd",
        "Données personnelles (RGPD)",
        "rgpd:tableau",
        icone="shield-lock",
        ordre=40,
        zone=COMPTE,
        visible=est_gerant,
    )
)
