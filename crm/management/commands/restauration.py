"""``manage.py restauration DOSSIER``: put back a backup made by ``manage.py sauvegarde``.

Every file is checked against the manifest (SHA-256) before anything changes. The database is
replaced as a whole (SQLite: the backup API copies the saved file over the live one; PostgreSQL:
``pg_restore --clean --single-transaction``), then MEDIA_ROOT is replaced by the saved files.
Receivers of ``crm.signaux.avant_restauration`` then redo what must not be undone (the RGPD
erasures of the log). Stop the web server and the workers first: the restored data replaces what they are writing.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from crm.management.commands.sauvegarde import (
    FICHIER_MEDIA,
    MANIFESTE,
    env_postgres,
    est_sqlite,
    outil_postgres,
    sha256,
)
from crm.signaux import avant_restauration


class Command(BaseCommand):
    help = "Restaure la base de données et les fichiers déposés depuis une sauvegarde."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dossier", help="dossier écrit par manage.py sauvegarde")
        parser.add_argument(
            "--oui",
            action="store_true",
            help="ne pas demander de confirmation (les données actuelles sont remplacées)",
        )

    def handle(self, *args: Any, dossier: str, oui: bool, **options: Any) -> None:
        source = Path(dossier).resolve()
        try:
            manifeste = json.loads((source / MANIFESTE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Manifeste illisible dans {source} : {exc}") from exc
        for nom, attendu in manifeste["fichiers"].items():
            chemin = source / nom
            if not chemin.is_file() or sha256(chemin) != attendu:
                raise CommandError(f"Sauvegarde altérée ou incomplète : {nom} (empreinte).")

        reglages = connections["default"].settings_dict
        moteur = "sqlite" if est_sqlite(reglages) else "postgresql"
        if manifeste["moteur"] != moteur:
            raise CommandError(
                f"Cette sauvegarde vient de {manifeste['moteur']}, la base actuelle est {moteur}."
            )
        if not oui:
            if not sys.stdin.isatty():
                raise CommandError("Ajoutez --oui pour restaurer sans confirmation.")
            reponse = input(
                f"Remplacer la base et les fichiers actuels par la sauvegarde du "
                f"{manifeste['cree_le']} ? Tapez « oui » : "
            )
            if reponse.strip().lower() != "oui":
                raise CommandError("Restauration annulée.")

        # What must survive the restore (the RGPD erasures), read from the live data now.
        # Receivers return their replay (the stubs type a response as str | None).
        suites: list[Callable[[], object]] = []
        for _, rejeu in avant_restauration.send(sender=Command):
            if callable(rejeu):
                suites.append(rejeu)
        fichier_base = source / manifeste["base"]
        connections.close_all()
        if moteur == "sqlite":
            sauvegarde = sqlite3.connect(f"file:{fichier_base}?mode=ro", uri=True)
            live = sqlite3.connect(str(reglages["NAME"]), timeout=30)
            try:
                with live:
                    sauvegarde.backup(live)
            finally:
                live.close()
                sauvegarde.close()
        else:
            connexion, env = env_postgres(reglages)
            resultat = subprocess.run(
                [
                    outil_postgres("pg_restore"),
                    *connexion,
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--dbname",
                    str(reglages["NAME"]),
                    str(fichier_base),
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            if resultat.returncode != 0:
                raise CommandError(f"pg_restore a échoué : {resultat.stderr.strip()}")

        media = Path(settings.MEDIA_ROOT)
        provisoire = media.with_name(media.name + ".restauration")
        shutil.rmtree(provisoire, ignore_errors=True)
        provisoire.mkdir(parents=True)
        with tarfile.open(source / FICHIER_MEDIA) as tar:
            # The "data" filter refuses absolute paths, "..", links out of the folder, devices.
            tar.extractall(provisoire, filter="data")
        for relatif, attendu in manifeste["media"].items():
            if sha256(provisoire / relatif) != attendu:
                shutil.rmtree(provisoire, ignore_errors=True)
                raise CommandError(f"Fichier déposé altéré dans la sauvegarde : {relatif}.")
        ancien = media.with_name(media.name + ".avant-restauration")
        shutil.rmtree(ancien, ignore_errors=True)
        if media.exists():
            media.rename(ancien)
        provisoire.rename(media)
        shutil.rmtree(ancien, ignore_errors=True)
        for suite in suites:
            suite()
        self.stdout.write(
            f"Restauration faite depuis {source} (sauvegarde du {manifeste['cree_le']}) : "
            f"base {moteur}, {len(manifeste['media'])} fichier(s) déposé(s)."
        )
