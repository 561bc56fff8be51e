from __future__ import annotations

from crm.extensions import EntreeMenu, menu

menu.ajouter(
    EntreeMenu(
        "reclamations",
        "Réclamations",
        "reclamations:liste",
        icone="exclamation-octagon",
        ordre=60,
        espaces=("reclamations",),
    )
)
