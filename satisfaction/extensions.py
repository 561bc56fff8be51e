"""What satisfaction contributes to the registries of ``crm.extensions`` (found by ``CrmConfig.ready()``)."""

from __future__ import annotations

# Dashboard and management review.
from . import tableau  # noqa: F401
