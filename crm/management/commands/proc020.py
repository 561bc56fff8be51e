"""`manage.py proc020 [--date AAAA-MM-JJ] [--json] [--dry-run]`: apply every app's daily rules."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from crm.regles import appliquer, libelles


class Command(BaseCommand):
    help = "Applique les règles quotidiennes de PROC-020 à une date (par défaut : aujourd'hui, Europe/Paris)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="date métier AAAA-MM-JJ (défaut : aujourd'hui)")
        parser.add_argument(
            "--json", action="store_true", help="un objet JSON sur la sortie standard"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="montre ce qui serait fait, sans rien écrire"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["date"]:
            try:
                le = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(
                    f"Date invalide « {options['date']} » : format attendu AAAA-MM-JJ."
                ) from exc
        else:
            le = timezone.localdate()
        resultat = appliquer(le, simuler=options["dry_run"])
        if options["json"]:
            self.stdout.write(json.dumps(resultat, ensure_ascii=False))
        else:
            titre = "Simulation" if options["dry_run"] else "Règles appliquées"
            self.stdout.write(f"{titre} au {le:%d/%m/%Y}")
            noms = libelles()
            for cle, valeurs in resultat.items():
                if cle in ("date", "simulation", "erreurs"):
                    continue
                libelle = noms.get(cle, cle)
                detail = (
                    f" : {', '.join(map(str, valeurs[:20]))}{' …' if len(valeurs) > 20 else ''}"
                    if valeurs
                    else ""
                )
                self.stdout.write(f"- {libelle} : {len(valeurs)}{detail}")
            for erreur in resultat["erreurs"]:
                self.stderr.write(f"Erreur : {erreur}")
        if resultat["erreurs"]:
            raise CommandError("Certaines règles ont échoué (voir ci-dessus).")
