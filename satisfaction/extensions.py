"""What satisfaction contributes to the registry of ``crm.extensions`` (imported by ``CrmConfig.ready()``):
each kind in its own module."""

from __future__ import annotations

from . import donnees_personnelles, pages, tableau  # noqa: F401
