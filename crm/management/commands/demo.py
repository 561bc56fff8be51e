"""``manage.py demo``: the demonstration data, in development only.

The data builder lives in the ``demonstration`` app, installed only with ``DEBUG=True``; this
command exists in every configuration so that production answers with a clear refusal rather
than « Unknown command ».
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

REFUS = (
    "La démonstration ne se charge qu'en développement (DEBUG=True) : "
    "elle créerait de faux clients et des comptes aux mots de passe affichés."
)


class Command(BaseCommand):
    help = "Charge une année de données de démonstration (développement seulement)."

    def handle(self, *args: Any, **options: Any) -> None:
        # CRM_DEVELOPPEMENT is DEBUG as configured (the test runner forces settings.DEBUG off).
        if not settings.CRM_DEVELOPPEMENT or "demonstration" not in settings.INSTALLED_APPS:
            raise CommandError(REFUS)
        from demonstration.management.commands.demo import Command as Demonstration

        commande = Demonstration()
        commande.stdout, commande.stderr = self.stdout, self.stderr  # the same wrappers and styles
        commande.handle(*args, **options)
