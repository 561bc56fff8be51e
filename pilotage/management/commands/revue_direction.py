"""``manage.py revue_direction --debut AAAA-MM-JJ --fin AAAA-MM-JJ --pdf FICHIER``: the same
PDF as the « Revue de direction » page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pilotage.revue import revue_direction_pdf


def _date(texte: str) -> date:
    try:
        return date.fromisoformat(texte)
    except ValueError as exc:
        raise CommandError(f"Date invalide « {texte} » : attendu AAAA-MM-JJ.") from exc


class Command(BaseCommand):
    help = "Produit le rapport PDF de la revue de direction (ISO 9001 §9.3) pour une période."

    def add_arguments(self, parser):
        parser.add_argument("--debut", required=True, help="premier jour, AAAA-MM-JJ")
        parser.add_argument("--fin", required=True, help="dernier jour, AAAA-MM-JJ")
        parser.add_argument("--pdf", required=True, help="fichier PDF à écrire")

    def handle(self, *args, **options):
        debut, fin = _date(options["debut"]), _date(options["fin"])
        if fin < debut:
            raise CommandError("La fin de la période précède son début.")
        pdf = revue_direction_pdf(debut, fin, le=timezone.localdate())
        chemin = Path(options["pdf"])
        try:
            chemin.write_bytes(pdf)
        except OSError as exc:
            raise CommandError(f"Impossible d'écrire {chemin} : {exc}") from exc
        self.stdout.write(f"Revue de direction du {debut:%d/%m/%Y} au {fin:%d/%m/%Y} : {chemin}")
