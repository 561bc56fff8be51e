"""What pilotage adds to the core's pages, for the gérant: the Excel/CSV export buttons of the
organisation and request lists (with the list's current filters) and the client file."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

from crm.extensions import PLUS, ActionPage, actions_pages
from crm.roles import est_gerant


def _gerant(user, obj) -> bool:
    return est_gerant(user)


def _export(liste: str, format: str) -> str:
    return reverse("pilotage:export", args=[liste]) + f"?format={format}"


def _vers_export(liste: str, format: str) -> Callable[[object], str]:
    """An ``ActionPage.url`` for the list's export (the page's object plays no part)."""
    return lambda obj: _export(liste, format)


for _liste in ("organisations", "demandes"):
    actions_pages.ajouter(
        ActionPage(
            f"pilotage.export_{_liste}_xlsx",
            page=_liste,
            libelle="Excel",
            url=_vers_export(_liste, "xlsx"),
            icone="file-earmark-spreadsheet",
            visible=_gerant,
            garder_filtres=True,
            ordre=10,
        )
    )
    actions_pages.ajouter(
        ActionPage(
            f"pilotage.export_{_liste}_csv",
            page=_liste,
            libelle="CSV",
            url=_vers_export(_liste, "csv"),
            visible=_gerant,
            garder_filtres=True,
            ordre=11,
        )
    )

actions_pages.ajouter(
    ActionPage(
        "pilotage.dossier_client",
        page="organisation",
        libelle="Dossier complet (Excel)",
        url=lambda org: reverse("pilotage:dossier_client", args=[org.pk]),
        icone="file-earmark-spreadsheet",
        visible=_gerant,
        groupe=PLUS,
        ordre=50,
    )
)
