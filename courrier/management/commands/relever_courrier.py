"""``manage.py relever_courrier [--json]``: read the new messages of the firm's mailbox, once
each (DESIGN §10). Reads the clock, like a view: the messages are read now."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from courrier.services import relever
from crm.exceptions import RefusMetier


class Command(BaseCommand):
    help = "Relève la boîte mail de l'entreprise (IMAP_URL) et rattache les messages reçus."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Un objet JSON pour les scripts.")
        parser.add_argument(
            "--maintenant",
            action="store_true",
            help="Ignorer l'attente entre deux essais après un échec de connexion.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            bilan = relever(forcer=options["maintenant"])
        except RefusMetier as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(bilan.en_dict(), ensure_ascii=False))
        else:
            self.stdout.write(
                f"Lus : {bilan.lus} — rattachés : {bilan.rattaches} — à classer : "
                f"{bilan.a_classer} — ignorés : {bilan.ignores} (dont {bilan.automatiques} "
                f"réponse(s) automatique(s), {bilan.malformes} illisible(s))"
            )
        if bilan.erreur:
            self.stderr.write(bilan.erreur)
            raise SystemExit(1)
