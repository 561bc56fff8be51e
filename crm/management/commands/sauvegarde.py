"""``manage.py sauvegarde DOSSIER``: a consistent copy of the database and the uploaded files.

- SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot
  while the app keeps running (WAL included).
- PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot, restored by pg_restore).
- Uploaded files (MEDIA_ROOT) as a tar.
- ``manifeste.json``: engine, date, and the SHA-256 of every file of the backup and of every
  uploaded file, checked by ``manage.py restauration`` before it changes anything.

Copy the folder off this machine (another site, encrypted): a backup on the same disk does not
survive the disk.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils import timezone

FICHIER_SQLITE = "base.sqlite3"
FICHIER_PG = "base.pgdump"
FICHIER_MEDIA = "fichiers.tar"
MANIFESTE = "manifeste.json"


def sha256(chemin: Path) -> str:
    h = hashlib.sha256()
    with open(chemin, "rb") as f:
        for bloc in iter(lambda: f.read(1024 * 1024), b""):
            h.update(bloc)
    return h.hexdigest()


def outil_postgres(nom: str) -> str:
    """pg_dump / pg_restore / psql: on PATH, or beside the installed server's initdb."""
    trouve = shutil.which(nom)
    if trouve:
        return trouve
    candidats = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{nom}"),
        key=lambda c: [int(p) if p.isdigit() else p for p in Path(c).parts[-3].split(".")],
    )
    if not candidats:
        raise CommandError(f"{nom} introuvable : installez le client PostgreSQL.")
    return candidats[-1]


def env_postgres(reglages: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment (the password goes through PGPASSWORD, never argv)."""
    args = []
    if reglages.get("HOST"):
        args += ["--host", str(reglages["HOST"])]
    if reglages.get("PORT"):
        args += ["--port", str(reglages["PORT"])]
    if reglages.get("USER"):
        args += ["--username", str(reglages["USER"])]
    env = {**os.environ}
    if reglages.get("PASSWORD"):
        env["PGPASSWORD"] = str(reglages["PASSWORD"])
    return args, env


def est_sqlite(reglages: dict[str, Any]) -> bool:
    return str(reglages["ENGINE"]).endswith("sqlite3")


class Command(BaseCommand):
    help = "Sauvegarde la base de données et les fichiers déposés dans DOSSIER (avec manifeste)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dossier", help="dossier de destination (vide ou inexistant)")

    def handle(self, *args: Any, dossier: str, **options: Any) -> None:
        cible = Path(dossier).resolve()
        if cible.exists() and any(cible.iterdir()):
            raise CommandError(f"{cible} n'est pas vide : choisissez un dossier neuf.")
        # Readable by the app's user alone: the backup holds every client's data.
        ancien_umask = os.umask(0o077)
        try:
            cible.mkdir(parents=True, exist_ok=True)
            cible.chmod(0o700)
            self._sauvegarder(cible)
        finally:
            os.umask(ancien_umask)
        for chemin in cible.iterdir():
            chemin.chmod(0o600)

    def _sauvegarder(self, cible: Path) -> None:
        reglages = connections["default"].settings_dict

        if est_sqlite(reglages):
            fichier_base = cible / FICHIER_SQLITE
            source = sqlite3.connect(str(reglages["NAME"]))
            destination = sqlite3.connect(str(fichier_base))
            try:
                with destination:
                    source.backup(destination)
                destination.execute("PRAGMA journal_mode=DELETE")
            finally:
                destination.close()
                source.close()
            moteur = "sqlite"
        else:
            fichier_base = cible / FICHIER_PG
            args, env = env_postgres(reglages)
            resultat = subprocess.run(
                [
                    outil_postgres("pg_dump"),
                    *args,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    "--file",
                    str(fichier_base),
                    str(reglages["NAME"]),
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            if resultat.returncode != 0:
                raise CommandError(f"pg_dump a échoué : {resultat.stderr.strip()}")
            moteur = "postgresql"

        media = Path(settings.MEDIA_ROOT)
        empreintes_media = {}
        with tarfile.open(cible / FICHIER_MEDIA, "w") as tar:
            if media.is_dir():
                for chemin in sorted(p for p in media.rglob("*") if p.is_file()):
                    relatif = chemin.relative_to(media).as_posix()
                    empreintes_media[relatif] = sha256(chemin)
                    tar.add(chemin, arcname=relatif, recursive=False)

        manifeste = {
            "version": 1,
            "cree_le": timezone.now().isoformat(),
            "moteur": moteur,
            "base": fichier_base.name,
            "fichiers": {
                fichier_base.name: sha256(fichier_base),
                FICHIER_MEDIA: sha256(cible / FICHIER_MEDIA),
            },
            "media": empreintes_media,
        }
        (cible / MANIFESTE).write_text(
            json.dumps(manifeste, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        self.stdout.write(
            f"Sauvegarde écrite dans {cible} : base {moteur}, "
            f"{len(empreintes_media)} fichier(s) déposé(s)."
        )
