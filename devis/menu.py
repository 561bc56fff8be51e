from __future__ import annotations

from crm.extensions import COMPTE, EntreeMenu, menu
from crm.roles import est_gerant

menu.ajouter(
    EntreeMenu(
        "devis",
        "Devis",
        "devis:liste",
        icone="file-earmark-text",
        ordre=40,
        visible=est_gerant,
        espaces=("devis",),
    )
)
menu.ajouter(
    EntreeMenu(
        "modele_devis",
        "Modèle de devis",
        "devis:modele",
        icone="file-earmark-ruled",
        ordre=30,
        zone=COMPTE,
        visible=est_gerant,
    )
)
