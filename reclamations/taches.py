"""Complaints as task targets (DESIGN §10): seen by whoever sees the complaint."""

from __future__ import annotations

from crm.extensions import CibleTache, cibles_taches
from reclamations.models import Reclamation
from reclamations.selectors import reclamations_visibles


def _visibles(user):
    return reclamations_visibles(user, parmi=Reclamation.objects.all())


cibles_taches.ajouter(
    CibleTache(
        "reclamation", "reclamations.Reclamation", "Réclamation", visibles=_visibles, ordre=30
    )
)
