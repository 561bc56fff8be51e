"""What reclamations contributes to the registry of ``crm.extensions`` (imported by ``CrmConfig.ready()``):
each kind in its own module."""

from __future__ import annotations

from . import agenda, audit, donnees_personnelles, exports, pages, recherche, tableau, taches  # noqa: F401
