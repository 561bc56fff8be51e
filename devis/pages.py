"""What devis adds to the request page, for the gérant: « Établir le devis » once the
feasibility review said Go, and the panel of the request's quotes."""

from __future__ import annotations

from django.urls import reverse

from crm.extensions import ActionPage, PanneauPage, actions_pages, panneaux_pages
from crm.models import Decision
from crm.roles import est_gerant
from devis.models import Devis


def _go(user, demande) -> bool:
    # The view already read the review (cached on the request object): no query here.
    revue = getattr(demande, "revue", None)
    return est_gerant(user) and revue is not None and revue.decision == Decision.GO


actions_pages.ajouter(
    ActionPage(
        "devis.creer_depuis_demande",
        page="demande",
        libelle="Établir le devis",
        url=lambda demande: reverse("devis:creer_depuis_demande", args=[demande.pk]),
        icone="file-earmark-plus",
        visible=_go,
        methode="post",
        classe="btn btn-success",
    )
)


def _devis_lies(request, demande) -> dict | None:
    if not est_gerant(request.user):
        return None
    return {"devis_lies": Devis.objects.filter(demande=demande).order_by("-pk")}


panneaux_pages.ajouter(
    PanneauPage(
        "devis.demande",
        page="demande",
        gabarit="devis/_panneau_demande.html",
        contexte=_devis_lies,
    )
)
