"""Contributions of rgpd to the registry (crm/extensions.py) kept in their own modules."""

from . import pages  # noqa: F401
