from __future__ import annotations

from crm.extensions import EntreeMenu, menu
from crm.roles import est_gerant

menu.ajouter(
    EntreeMenu(
        "satisfaction",
        "Satisfaction",
        "satisfaction:tableau",
        icone="emoji-smile",
        ordre=70,
        visible=est_gerant,
        espaces=("satisfaction",),
    )
)
