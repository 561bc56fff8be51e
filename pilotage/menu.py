from __future__ import annotations

from crm.extensions import COMPTE, EntreeMenu, menu
from crm.roles import est_gerant

menu.ajouter(
    EntreeMenu(
        "pilotage",
        "Pilotage",
        "pilotage:tableau",
        icone="speedometer2",
        ordre=80,
        visible=est_gerant,
        espaces=("pilotage",),
        vues_exclues=("agenda", "travaux", "travail"),
    )
)
menu.ajouter(
    EntreeMenu(
        "agenda", "Mon agenda", "pilotage:agenda", icone="calendar-event", ordre=50, zone=COMPTE
    )
)
menu.ajouter(
    EntreeMenu(
        "travaux",
        "Mes fichiers",
        "pilotage:travaux",
        icone="folder2-open",
        ordre=55,
        zone=COMPTE,
    )
)
