from __future__ import annotations

from crm.extensions import EntreeMenu, menu
from crm.roles import est_gerant

menu.ajouter(
    EntreeMenu(
        "courrier_a_classer",
        "À classer",
        "courrier:a_classer",
        icone="inbox",
        ordre=45,
        visible=est_gerant,
        espaces=("courrier",),
    )
)
