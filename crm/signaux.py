"""Signals of the core, for what another app must do around a core operation it cannot name.

``avant_restauration``: sent by ``manage.py restauration`` once the backup is checked, before
the live database is replaced. A receiver reads what it needs from the live data and may return
a callable, run once the backup is in place (``rgpd`` replays the erasures of its log, so that
an erased person does not come back with an older backup)."""

from django.dispatch import Signal

avant_restauration = Signal()
