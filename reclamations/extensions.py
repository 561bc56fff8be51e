"""What reclamations contributes to the registries of ``crm.extensions`` (found by ``CrmConfig.ready()``)."""

from __future__ import annotations

# Dashboard and management review, audit file, exports, calendar feed.
from . import agenda, audit, exports, tableau  # noqa: F401
