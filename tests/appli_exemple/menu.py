from __future__ import annotations

from crm.extensions import EntreeMenu, menu
from crm.roles import est_gerant

menu.ajouter(
    EntreeMenu(
        "appli_exemple",
        "Notes d'exemple",
        "appli_exemple:notes",
        icone="journal-text",
        ordre=95,
        visible=est_gerant,
        espaces=("appli_exemple",),
    )
)
