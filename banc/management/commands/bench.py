"""`manage.py bench --json`: measure the app on a large synthetic history.

The history is built in a separate, throwaway database (a temporary SQLite file; and, when
DATABASE_URL points at PostgreSQL, a temporary database on that server too), by a child
process of this command, so the real data is never touched. Prints one JSON object on stdout
and a readable table on stderr.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

PETIT, GRAND = 1_000, 100_000
PAGE_PROFONDE = 1_000_000
REQUETES = 30


def _quantiles(durees: list[float]) -> tuple[float, float]:
    durees = sorted(durees)
    p95 = durees[min(len(durees) - 1, round(0.95 * (len(durees) - 1)))]
    return round(statistics.median(durees) * 1000, 1), round(p95 * 1000, 1)


class Command(BaseCommand):
    help = "Banc d'essai : pages, règles, digest et PDF sur un historique synthétique de 100 000 devis."

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", help="un objet JSON sur la sortie standard"
        )
        parser.add_argument(
            "--devis", type=int, default=GRAND, help="taille de l'historique (défaut 100 000)"
        )
        parser.add_argument(
            "--interne", action="store_true", help="(usage interne) mesurer dans la base courante"
        )

    def handle(self, *args, **options):
        if options["interne"]:
            resultat = self.mesurer(options["devis"])
            self.stdout.write(json.dumps(resultat, ensure_ascii=False))
            return
        dossier = Path(tempfile.mkdtemp(prefix="crm-bench-"))
        try:
            resultat = self.lancer(
                f"sqlite:///{dossier / 'bench.sqlite3'}", dossier, options["devis"]
            )
            resultat["moteur"] = "sqlite"
            if connection.vendor == "postgresql":
                resultat["postgresql"] = self.sur_postgresql(dossier, options["devis"])
        finally:
            shutil.rmtree(dossier, ignore_errors=True)
        self.tableau(resultat)
        if resultat.get("postgresql"):
            self.tableau(resultat["postgresql"], titre="PostgreSQL")
        if options["json"]:
            self.stdout.write(json.dumps(resultat, ensure_ascii=False))

    # --- parent: one child process per database -------------------------------------------

    def lancer(self, url: str, dossier: Path, devis: int) -> dict:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "EMAIL_URL": "memorymail://",
            "CRM_VAR_DIR": str(dossier / "var"),
            "DEBUG": "False",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-" + "x" * 60,
            "ALLOWED_HOSTS": "testserver",
            # Production settings with this app installed (CRM_BANC), the links' base in
            # https, and the pages measured behind the password alone (no authenticator).
            "CRM_BANC": "True",
            "SITE_URL": "https://testserver",
            "CRM_DOUBLE_FACTEUR_OBLIGATOIRE": "False",
            "SECURE_SSL_REDIRECT": "False",
            "SECURE_HSTS_SECONDS": "0",
            "LOG_LEVEL": "ERROR",
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        manage = Path(settings.BASE_DIR) / "manage.py"
        subprocess.run(
            [sys.executable, str(manage), "migrate", "--noinput", "-v0"], env=env, check=True
        )
        sortie = subprocess.run(
            [sys.executable, str(manage), "bench", "--interne", "--devis", str(devis)],
            env=env,
            check=False,
            capture_output=True,
            text=True,
        )
        if sortie.returncode:
            raise CommandError(f"Le banc d'essai a échoué :\n{sortie.stderr[-4000:]}")
        return json.loads(sortie.stdout.strip().splitlines()[-1])

    def sur_postgresql(self, dossier: Path, devis: int) -> dict:
        import psycopg

        reglages = connection.settings_dict
        nom = f"crm_bench_{os.getpid()}"
        parametres: dict[str, Any] = {
            "host": reglages["HOST"] or None,
            "port": reglages["PORT"] or None,
            "user": reglages["USER"] or None,
            "password": reglages["PASSWORD"] or None,
            "dbname": "postgres",
            "autocommit": True,
        }
        with psycopg.connect(**{k: v for k, v in parametres.items() if v is not None}) as admin:
            admin.execute(f'CREATE DATABASE "{nom}"')
        try:
            parts = urlsplit(os.environ["DATABASE_URL"])
            url = urlunsplit(parts._replace(path=f"/{nom}"))
            resultat = self.lancer(url, dossier, devis)
            resultat["moteur"] = "postgresql"
            return resultat
        finally:
            with psycopg.connect(**{k: v for k, v in parametres.items() if v is not None}) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)')

    def tableau(self, r: dict, titre: str = "SQLite") -> None:
        err = self.stderr
        err.write(f"\nBanc d'essai — {titre} — {r['taille']['devis']} devis")
        err.write(f"{'page':<18}{'p50 ms':>9}{'p95 ms':>9}{'requêtes':>10}{'à 1 000':>9}")
        for nom, p in r["pages"].items():
            if p.get("absente"):
                err.write(f"{nom:<18}{'(page absente)':>37}")
                continue
            err.write(
                f"{nom:<18}{p['p50_ms']:>9}{p['p95_ms']:>9}{p['requetes']:>10}{p['requetes_petit']:>9}"
            )
        err.write(
            f"règles : {r['regles']['s']} s pour {r['regles']['devis_traites']} devis traités"
        )
        err.write(f"digest : {r['digest']['s']} s ({r['digest'].get('envoyes', 0)} emails)")
        err.write(f"PDF : p50 {r['pdf']['p50_ms']} ms, p95 {r['pdf']['p95_ms']} ms")
        err.write(f"génération de l'historique : {r['generation_s']} s\n")

    # --- child: build and measure in the throwaway database -----------------------------------

    def mesurer(self, n_devis: int) -> dict:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from django.test import Client

        from banc.synthese import Generateur, Taille
        from crm.digest import envoyer_digests
        from crm.recherche import reindexer
        from crm.regles import appliquer
        from crm.roles import CONSULTANT, GERANT
        from devis.models import Devis
        from devis.pdf import devis_pdf

        le = timezone.localdate()
        User = get_user_model()
        gerant = User.objects.create_user(
            "bench-gerant", email="gerant@bench.example", first_name="Banc"
        )
        gerant.groups.add(Group.objects.get(name=GERANT))
        consultants = []
        for i in range(5):
            c = User.objects.create_user(f"bench-consultant-{i}", email=f"c{i}@bench.example")
            c.groups.add(Group.objects.get(name=CONSULTANT))
            consultants.append(c)
        generateur = Generateur(le, [gerant, *consultants])
        debut = time.perf_counter()
        generateur.completer(Taille.pour(min(PETIT, n_devis)))
        reindexer()  # the generator writes in bulk, past the apps' save hooks
        org = generateur.organisation_riche()
        client = Client()
        client.force_login(gerant)
        pages = self.pages(org)
        petit = {nom: self.requetes(client, url) for nom, url in pages.items()}
        generateur.completer(Taille.pour(n_devis))
        reindexer()
        generation = time.perf_counter() - debut
        resultat_pages: dict[str, dict[str, Any]] = {}
        for nom, url in pages.items():
            if url is None:
                resultat_pages[nom] = {"absente": True}
                continue
            durees, requetes = self.chronometrer(client, url)
            p50, p95 = _quantiles(durees)
            resultat_pages[nom] = {
                "p50_ms": p50,
                "p95_ms": p95,
                "requetes": requetes,
                "requetes_petit": petit[nom],
            }

        debut = time.perf_counter()
        regles = appliquer(le)
        duree_regles = time.perf_counter() - debut

        debut = time.perf_counter()
        envoyes = envoyer_digests(le=le)
        duree_digest = time.perf_counter() - debut

        devis = generateur.devis_deux_pages()
        devis_pdf(devis)  # warm-up: fonts and WeasyPrint's import
        durees = []
        for _ in range(REQUETES):
            t = time.perf_counter()
            devis_pdf(devis)
            durees.append(time.perf_counter() - t)
        p50, p95 = _quantiles(durees)

        from crm.models import Contact, Organisation
        from reclamations.models import Reclamation
        from satisfaction.models import Reponse

        return {
            "taille": {
                "devis": Devis.objects.count(),
                "organisations": Organisation.objects.count(),
                "contacts": Contact.objects.count(),
                "reclamations": Reclamation.objects.count(),
                "reponses_enquete": Reponse.objects.count(),
            },
            "pages": resultat_pages,
            "regles": {
                "s": round(duree_regles, 2),
                "devis_traites": len(regles.get("relances_creees", []))
                + len(regles.get("sans_suite", [])),
            },
            "digest": {"s": round(duree_digest, 2), "envoyes": envoyes},
            "pdf": {"p50_ms": p50, "p95_ms": p95},
            "generation_s": round(generation, 1),
            "date": le.isoformat(),
        }

    def pages(self, org) -> dict[str, str | None]:
        def url(nom: str, *args) -> str | None:
            try:
                return reverse(nom, args=args)
            except NoReverseMatch:
                return None

        devis = url("devis:liste")
        recherche = url("crm:recherche")
        return {
            "organisations": url("crm:organisations"),
            "devis": devis,
            "reclamations": url("reclamations:liste"),
            "aujourdhui": url("accueil"),
            "tableau_de_bord": url("pilotage:tableau"),
            "organisation": url("crm:organisation", org.pk),
            # Past the end: the list serves its last reachable page (CRM_PAGINATION_LIMITE).
            "devis_profonde": devis and f"{devis}?page={PAGE_PROFONDE}",
            # The global search: a common name, and a prefix every quote number shares.
            "recherche": recherche and f"{recherche}?q=martin",
            "recherche_devis": recherche and f"{recherche}?q=DEV-20",
        }

    def requetes(self, client, url: str | None) -> int | None:
        if url is None:
            return None
        client.get(url)  # warm-up (caches, first-use imports)
        with CaptureQueriesContext(connection) as ctx:
            reponse = client.get(url)
        if reponse.status_code != 200:
            raise CommandError(f"{url} répond {reponse.status_code}")
        return len(ctx.captured_queries)

    def chronometrer(self, client, url: str) -> tuple[list[float], int | None]:
        requetes = self.requetes(client, url)
        durees = []
        for _ in range(REQUETES):
            t = time.perf_counter()
            reponse = client.get(url)
            durees.append(time.perf_counter() - t)
            assert reponse.status_code == 200
        return durees, requetes
