"""A one-button form on the organisation page and a panel counting the organisation's notes."""

from __future__ import annotations

from django.urls import reverse

from crm.extensions import ActionPage, PanneauPage, actions_pages, panneaux_pages
from crm.roles import est_gerant
from tests.appli_exemple.models import Note

actions_pages.ajouter(
    ActionPage(
        "appli_exemple.relire",
        page="organisation",
        libelle="Notes relues",
        url=lambda org: reverse("appli_exemple:relire", args=[org.pk]),
        icone="check2-all",
        visible=lambda user, org: est_gerant(user),
        methode="post",
        ordre=900,
    )
)


def _contexte(request, org) -> dict | None:
    if not est_gerant(request.user):
        return None
    return {"notes_exemple": Note.objects.filter(contact__organisation=org).count()}


panneaux_pages.ajouter(
    PanneauPage(
        "appli_exemple.notes",
        page="organisation",
        gabarit="appli_exemple/_panneau.html",
        contexte=_contexte,
        ordre=900,
    )
)
