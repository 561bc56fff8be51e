"""What rgpd adds to the organisation page, for the gérant: the objection to prospecting and,
on each contact's row, the link to that person's data (export, erasure, objection)."""

from __future__ import annotations

from django.urls import reverse

from crm.extensions import PLUS, ActionPage, actions_pages
from crm.roles import est_gerant


def _gerant(user, obj) -> bool:
    return est_gerant(user)


actions_pages.ajouter(
    ActionPage(
        "rgpd.opposition_organisation",
        page="organisation",
        libelle="Opposition à la prospection",
        url=lambda org: reverse("rgpd:opposition_organisation", args=[org.pk]),
        icone="slash-circle",
        visible=_gerant,
        groupe=PLUS,
        ordre=60,
    )
)
actions_pages.ajouter(
    ActionPage(
        "rgpd.contact",
        page="contact",
        libelle="Données personnelles",
        url=lambda contact: reverse("rgpd:contact", args=[contact.pk]),
        icone="shield-lock",
        visible=_gerant,
        classe="btn btn-sm btn-link text-body-secondary",
        titre="Données personnelles : export, effacement, opposition",
        icone_seule=True,
    )
)
