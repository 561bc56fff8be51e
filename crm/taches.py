"""The core's part of the tasks (DESIGN §10): its models as task targets, and the tasks panel of
its pages. The same panel (``crm/_taches.html``) is included by the apps' own pages through the
``{% taches_objet obj %}`` tag, fed by ``contexte_taches``."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone

from crm.acces import demandes_visibles, missions_visibles, organisations_visibles
from crm.extensions import CibleTache, PanneauPage, cibles_taches, panneaux_pages
from crm.selectors import cible_de, taches_de


def contexte_taches(request: HttpRequest | None, obj: Model) -> dict[str, Any] | None:
    """The open tasks of ``obj`` the user may see and the quick-add form's target (one query).
    None (no panel) for an object whose model is not a task target."""
    cible = cible_de(type(obj))
    if cible is None or request is None:
        return None
    return {
        "taches": list(taches_de(obj, user=request.user)),
        "taches_cible": cible.cle,
        "taches_objet": obj,
        "taches_le": timezone.localdate(),
        "taches_id": f"taches-{cible.cle}-{obj.pk}",
    }


for cle, modele, libelle, visibles in (
    ("organisation", "crm.Organisation", "Organisation", organisations_visibles),
    ("demande", "crm.Demande", "Demande", demandes_visibles),
    ("mission", "crm.Mission", "Mission", missions_visibles),
):
    cibles_taches.ajouter(
        CibleTache(cle=cle, modele=modele, libelle=libelle, visibles=visibles, ordre=10)
    )
    panneaux_pages.ajouter(
        PanneauPage(
            f"taches.{cle}",
            page=cle,
            gabarit="crm/_taches.html",
            contexte=contexte_taches,
            ordre=5,
        )
    )
