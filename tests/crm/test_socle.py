"""The foundation: configuration errors, real Celery through a real Redis, the login page in
a real Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pytest

from crm.calendrier import ajouter_jours_ouvres
from devis.models import Relance
from tests.factories import devis_envoye
from tests.outils import MOT_DE_PASSE, RACINE, manage


@pytest.mark.parametrize(
    ("variable", "valeur"),
    [
        ("DATABASE_URL", "mysqll://nimporte-quoi"),
        ("DATABASE_URL", "pas une url"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("REDIS_URL", "redis://127.0.0.1:port/0"),
    ],
)
def test_malformed_url_stops_startup_with_one_line_naming_the_variable(variable, valeur):
    resultat = manage("check", **{variable: valeur})
    assert resultat.returncode != 0
    lignes = [ligne for ligne in resultat.stderr.splitlines() if ligne.strip()]
    assert len(lignes) == 1, resultat.stderr
    assert variable in lignes[0]
    assert "Traceback" not in resultat.stderr


def test_production_settings_pass_check_deploy():
    resultat = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="False",
        SECRET_KEY="une-cle-de-production-longue-et-aleatoire-" + "x7Q9" * 10,
        ALLOWED_HOSTS="crm.iod.example",
        SITE_URL="https://crm.iod.example",
    )
    assert resultat.returncode == 0, resultat.stdout + resultat.stderr


def test_production_refuses_to_start_without_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    resultat = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=RACINE,
        env={**env, "DEBUG": "False", "ALLOWED_HOSTS": "x"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert resultat.returncode != 0
    assert "SECRET_KEY" in resultat.stderr


@pytest.mark.redis
def test_daily_rules_task_round_trip_through_real_redis_and_worker(celery_reel):
    """The beat's task, sent through a real Redis, run by a real worker process on the test
    database, creates the relance and returns the rules' report."""
    from crm.tasks import appliquer_regles

    devis = devis_envoye(date(2026, 3, 2))
    echeance = ajouter_jours_ouvres(date(2026, 3, 2), 5)
    resultat = appliquer_regles.delay(echeance.isoformat()).get(timeout=90)
    assert resultat["date"] == echeance.isoformat()
    assert devis.numero in resultat["relances_dues"]
    assert Relance.objects.filter(devis=devis).count() == 1


@pytest.mark.e2e
def test_login_in_chromium_reaches_the_home_page(live_server, page, gerant):
    page.goto(f"{live_server.url}/")
    assert "/connexion/" in page.url
    assert page.locator("html").get_attribute("lang") == "fr"
    page.fill("input[name=username]", "gerant")
    page.fill("input[name=password]", "mauvais mot de passe")
    page.click("button[type=submit]")
    assert "incorrect" in page.content()
    assert page.input_value("input[name=username]") == "gerant"
    page.fill("input[name=password]", MOT_DE_PASSE)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    texte = page.inner_text("body")
    assert "Dominique" in texte
    assert "Gérant" in texte


@pytest.mark.django_db
def test_ids_above_999_are_printed_without_thousands_separator_in_links(client_gerant):
    from crm.models import Organisation

    org = Organisation.objects.create(pk=1234, raison_sociale="Grand Compte SA")
    page = client_gerant.get(org.get_absolute_url()).content.decode()
    assert "?organisation=1234" in page
    assert "1\u00a0234" not in page and "1 234" not in page
