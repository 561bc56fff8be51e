"""``manage.py reindexer``: rebuild the global search's index from every app's objects (after
a bulk import or a restore; the apps keep it current on save otherwise)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from crm.recherche import compacter, reindexer


class Command(BaseCommand):
    help = "Reconstruit l'index de la recherche globale (organisations, contacts, devis…)."

    def handle(self, *args, **options):
        ecrits = reindexer()
        compacter()
        self.stdout.write(f"Index de recherche reconstruit : {ecrits} entrées.")
