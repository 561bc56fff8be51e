"""Quotes as task targets (DESIGN §10): a task may hang on a quote; only the gérant sees quotes,
so only they see such a task."""

from __future__ import annotations

from crm.extensions import CibleTache, cibles_taches
from crm.roles import est_gerant
from devis.models import Devis


def _visibles(user):
    return Devis.objects.all() if est_gerant(user) else Devis.objects.none()


cibles_taches.ajouter(CibleTache("devis", "devis.Devis", "Devis", visibles=_visibles, ordre=20))
