"""What satisfaction adds to the mission page: the « Saisir le débrief » button, the debrief
panel (with its « open a request from this need » form) and, for the gérant, the surveys."""

from __future__ import annotations

from django.urls import reverse

from crm.extensions import ActionPage, PanneauPage, actions_pages, panneaux_pages
from crm.roles import est_gerant


def _debrief(mission):
    # The reverse one-to-one caches its answer (even « none ») on the mission: one query for
    # the button and the panel together.
    return getattr(mission, "debrief", None)


actions_pages.ajouter(
    ActionPage(
        "satisfaction.debrief",
        page="mission",
        libelle="Saisir le débrief",
        url=lambda mission: reverse("satisfaction:debrief", args=[mission.pk]),
        icone="chat-quote",
        visible=lambda user, mission: _debrief(mission) is None,
        classe="btn btn-primary",
        ordre=10,
    )
)


def _contexte_debrief(request, mission) -> dict:
    return {"debrief": _debrief(mission)}


def _contexte_enquetes(request, mission) -> dict | None:
    if not est_gerant(request.user):
        return None
    return {"enquetes": mission.enquetes.select_related("contact")}


panneaux_pages.ajouter(
    PanneauPage(
        "satisfaction.debrief",
        page="mission",
        gabarit="satisfaction/_panneau_debrief.html",
        contexte=_contexte_debrief,
        ordre=10,
    )
)
panneaux_pages.ajouter(
    PanneauPage(
        "satisfaction.enquetes",
        page="mission",
        gabarit="satisfaction/_panneau_enquetes.html",
        contexte=_contexte_enquetes,
        ordre=20,
    )
)
