"""The « Réclamation » entries of the mission and organisation pages (anyone may record one)."""

from __future__ import annotations

from django.urls import reverse

from crm.extensions import PLUS, ActionPage, actions_pages


def _creer(**parametres) -> str:
    return reverse("reclamations:creer") + "?" + "&".join(f"{k}={v}" for k, v in parametres.items())


actions_pages.ajouter(
    ActionPage(
        "reclamations.mission",
        page="mission",
        libelle="Réclamation",
        url=lambda m: _creer(organisation=m.devis.organisation_id, mission=m.pk),
        icone="exclamation-octagon",
        ordre=20,
    )
)
actions_pages.ajouter(
    ActionPage(
        "reclamations.organisation",
        page="organisation",
        libelle="Enregistrer une réclamation",
        url=lambda org: _creer(organisation=org.pk),
        icone="exclamation-octagon",
        groupe=PLUS,
        ordre=10,
    )
)
