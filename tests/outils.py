"""Helpers the tests share (imported by name; fixtures live in conftest.py): real servers on
loopback ports, paths, the e2e sign-in and the phone-width check."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
ARTEFACTS = RACINE / "test-artifacts"
MOT_DE_PASSE = "motdepasse-de-test-42"
# A minimal PDF, accepted by the uploads' content check.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def attendre_port(port: int, delai: float = 20.0) -> None:
    fin = time.monotonic() + delai
    while time.monotonic() < fin:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"Rien n'écoute sur 127.0.0.1:{port}")


class ServeurRedis:
    def __init__(self):
        binaire = shutil.which("redis-server")
        if not binaire:
            raise RuntimeError(
                "redis-server manque : `make test` l'installe (apt-get install redis-server)"
            )
        self.port = port_libre()
        self.binaire = binaire
        self.processus = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def demarrer(self) -> None:
        self.processus = subprocess.Popen(
            [
                self.binaire,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        attendre_port(self.port)

    def arreter(self) -> None:
        if self.processus and self.processus.poll() is None:
            self.processus.terminate()
            self.processus.wait(10)


def url_base_de_test() -> str:
    """DATABASE_URL of the test database, for processes started by a test (a worker…)."""
    from django.db import connection

    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s.get('PASSWORD') or ''}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


class Worker:
    """A real `celery worker` process on the test database and a real Redis."""

    def __init__(self, redis_url: str, database_url: str, journal: Path, **env: str):
        self.env = env
        self.redis_url = redis_url
        self.database_url = database_url
        self.journal = journal
        self.processus = None

    def demarrer(self) -> None:
        env = {
            **os.environ,
            "REDIS_URL": self.redis_url,
            "DATABASE_URL": self.database_url,
            "EMAIL_URL": "memorymail://",
            "DJANGO_SETTINGS_MODULE": "crm.settings",
            **self.env,
        }
        self.sortie = open(self.journal, "ab")  # noqa: SIM115 - closed in arreter()
        self.processus = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "crm",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=RACINE,
            env=env,
            stdout=self.sortie,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def tuer(self) -> None:
        """kill -9: the worker dies without a chance to acknowledge or clean up."""
        if self.processus and self.processus.poll() is None:
            self.processus.kill()
            self.processus.wait(10)

    def arreter(self) -> None:
        if self.processus and self.processus.poll() is None:
            self.processus.terminate()
            try:
                self.processus.wait(15)
            except subprocess.TimeoutExpired:
                self.tuer()
        self.sortie.close()


# --- Browser ------------------------------------------------------------------------------------


def connexion(page, base: str, username: str, mot_de_passe: str = MOT_DE_PASSE) -> None:
    """Sign in through the login form, as a person would, and wait for « Aujourd'hui »."""
    page.goto(f"{base}/connexion/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", mot_de_passe)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def pas_de_defilement_horizontal(page) -> None:
    """The page is no wider than the screen (no sideways scrolling on a phone)."""
    largeurs = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert largeurs[0] <= largeurs[1] + 1, f"la page déborde sur téléphone : {largeurs}"


def texte_pdf(pdf: bytes) -> str:
    """A PDF's words by poppler's pdftotext, one space between them (table cells wrap anywhere)."""
    resultat = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(resultat.stdout.decode().split())


NAVIGATEUR = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


def accepter_par_le_lien(client, chemin: str, **champs):
    """The client's « Bon pour accord » posted on the quote's public page, from a phone."""
    donnees = {
        "action": "accepter",
        "accepter-nom": "Claire Dupont",
        "accepter-fonction": "DRH",
        "accepter-conditions": "on",
        **champs,
    }
    return client.post(chemin, donnees, REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT=NAVIGATEUR)


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``manage.py`` in a child process, with ``env`` added to this one's environment."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=RACINE,
        # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a deployment check.
        env={**{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
