"""Hardening of the second security round (DESIGN §10): settings that fail closed, the login
lockout per username, the absolute session lifetime, password reset, development-only tools,
private files, htmx without eval, complaints listing only visible missions."""

from __future__ import annotations

import os
import stat
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from reclamations.forms import ReclamationForm
from tests.factories import DemandeFactory, mission_lancee
from tests.outils import MOT_DE_PASSE, PDF, manage

PROD = {
    "DEBUG": "False",
    "SECRET_KEY": "une-cle-de-production-longue-et-aleatoire-" + "x7Q9" * 10,
    "ALLOWED_HOSTS": "crm.iod.example",
    "SITE_URL": "https://crm.iod.example",
}


def _sans(*variables: str) -> dict:
    """The environment without these variables (the test process sets DEBUG=True)."""
    return {k: ("" if k in variables else v) for k, v in os.environ.items()}


def _une_ligne(resultat, variable: str) -> None:
    assert resultat.returncode != 0
    lignes = [ligne for ligne in resultat.stderr.splitlines() if ligne.strip()]
    assert len(lignes) == 1 and variable in lignes[0], resultat.stderr


@pytest.fixture(autouse=True)
def _cache_vide():
    cache.clear()


# --- Settings that fail closed --------------------------------------------------------------


def _lire(expression: str, **env: str) -> str:
    resultat = manage(
        "shell", "-c", f"from django.conf import settings; print({expression})", **env
    )
    assert resultat.returncode == 0, resultat.stderr
    return resultat.stdout.strip().splitlines()[-1]


def test_without_debug_variable_the_settings_are_production_ones():
    import subprocess
    import sys

    from tests.outils import RACINE

    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    resultat = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=RACINE,
        env={**env, "DJANGO_SETTINGS_MODULE": "crm.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    # Production: the secret key is asked for.
    _une_ligne(resultat, "SECRET_KEY")


def test_production_refuses_the_builtin_development_key():
    from crm.settings import _DEV_SECRET

    _une_ligne(manage("check", **{**PROD, "SECRET_KEY": _DEV_SECRET}), "SECRET_KEY")


def test_production_refuses_a_site_url_without_https():
    _une_ligne(manage("check", **{**PROD, "SITE_URL": "http://crm.iod.example"}), "SITE_URL")


def test_forwarded_proto_is_believed_only_from_a_declared_proxy():
    assert _lire("getattr(settings, 'SECURE_PROXY_SSL_HEADER', None)", **PROD) == "None"
    avec_proxy = _lire("settings.SECURE_PROXY_SSL_HEADER", **PROD, PROXY_DE_CONFIANCE="True")
    assert "HTTP_X_FORWARDED_PROTO" in avec_proxy


def test_demo_and_benchmark_apps_are_not_installed_in_production():
    assert (
        _lire("[a for a in settings.INSTALLED_APPS if a in ('demonstration', 'banc')]", **PROD)
        == "[]"
    )
    assert "banc" in _lire("settings.INSTALLED_APPS", DEBUG="True")


def test_demo_command_refuses_in_production_with_a_french_message():
    resultat = manage("demo", **PROD)
    assert resultat.returncode != 0
    assert "DEBUG=True" in resultat.stderr and "démonstration" in resultat.stderr


@pytest.mark.django_db
def test_demo_command_refuses_when_debug_was_configured_off(settings):
    settings.CRM_DEVELOPPEMENT = False
    with pytest.raises(CommandError, match="développement"):
        call_command("demo")


# --- Login lockout per username, absolute session lifetime ----------------------------------


@pytest.mark.django_db
def test_failed_logins_spread_over_addresses_lock_the_username(gerant, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        Client(REMOTE_ADDR=f"203.0.113.{n + 1}").post(
            reverse("login"), {"username": "gerant", "password": "pas le bon"}
        )
    # From a new address, even the right password is refused while the lockout lasts.
    reponse = Client(REMOTE_ADDR="198.51.100.7").post(
        reverse("login"), {"username": "gerant", "password": MOT_DE_PASSE}
    )
    assert reponse.status_code == settings.AXES_HTTP_RESPONSE_CODE


@pytest.mark.django_db
def test_an_active_session_ends_at_its_absolute_lifetime(gerant, settings):
    settings.CRM_SESSION_DUREE_MAX = 12 * 3600
    debut = datetime(2026, 3, 2, 8, 0).astimezone()
    with time_machine.travel(debut, tick=False) as voyage:
        client = Client()
        client.post(reverse("login"), {"username": "gerant", "password": MOT_DE_PASSE})
        # Busy all day, a page every hour: the inactivity timeout never strikes.
        for _ in range(12):
            voyage.shift(timedelta(hours=1))
            assert client.get("/").status_code == 200
        voyage.shift(timedelta(minutes=5))
        reponse = client.get("/")
        assert reponse.status_code == 302 and reponse["Location"].startswith(reverse("login"))


# --- Password reset -------------------------------------------------------------------------


@pytest.mark.django_db
def test_reset_link_comes_from_site_url_not_from_the_host_header(gerant, settings):
    settings.SITE_URL = "https://crm.iod.example"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "piege.example"]
    Client(HTTP_HOST="piege.example").post(reverse("password_reset"), {"email": gerant.email})
    assert len(mail.outbox) == 1
    corps = mail.outbox[0].body
    assert "https://crm.iod.example/mot-de-passe/reinitialiser/" in corps
    assert "piege.example" not in corps


@pytest.mark.django_db
def test_reset_link_expires_after_one_hour(gerant):
    debut = datetime(2026, 3, 2, 8, 0).astimezone()
    with time_machine.travel(debut, tick=False) as voyage:
        Client().post(reverse("password_reset"), {"email": gerant.email})
        lien = next(
            ligne for ligne in mail.outbox[0].body.splitlines() if "/reinitialiser/" in ligne
        )
        chemin = lien.split("testserver", 1)[1].strip()
        page = Client().get(chemin, follow=True).content.decode()
        assert "Choisissez un nouveau mot de passe" in page
        voyage.shift(timedelta(minutes=61))
        page = Client().get(chemin, follow=True).content.decode()
        assert "Lien invalide" in page


@pytest.mark.django_db
def test_reset_requests_are_limited_per_email_and_per_address(gerant, settings):
    settings.CRM_REINITIALISATION_LIMITE = "3/h"
    client = Client(REMOTE_ADDR="203.0.113.9")
    statuts = [
        client.post(reverse("password_reset"), {"email": gerant.email}).status_code
        for _ in range(4)
    ]
    assert statuts == [302, 302, 302, 429]
    assert len(mail.outbox) == 3
    # Another address asking for the same mailbox is refused too…
    assert (
        Client(REMOTE_ADDR="198.51.100.1")
        .post(reverse("password_reset"), {"email": gerant.email})
        .status_code
        == 429
    )
    # …and one address cannot go through many mailboxes.
    autre = Client(REMOTE_ADDR="198.51.100.2")
    statuts = [
        autre.post(reverse("password_reset"), {"email": f"x{n}@iod.example"}).status_code
        for n in range(4)
    ]
    assert statuts[-1] == 429
    assert len(mail.outbox) == 3


# --- Files written for the app's user alone -------------------------------------------------


def _mode(chemin) -> int:
    return stat.S_IMODE(os.stat(chemin).st_mode)


@pytest.mark.django_db(transaction=True)
def test_uploads_and_backups_are_private_to_the_app_user(tmp_path, settings):
    demande = DemandeFactory(fiche_de_poste=SimpleUploadedFile("fiche.pdf", PDF))
    fichier = demande.fiche_de_poste.path
    assert _mode(fichier) == 0o600
    assert _mode(os.path.dirname(fichier)) == 0o700

    dossier = tmp_path / "sauvegarde"
    call_command("sauvegarde", str(dossier))
    assert _mode(dossier) == 0o700
    for chemin in dossier.iterdir():
        assert _mode(chemin) == 0o600, chemin.name


# --- htmx without eval, complaints without others' missions ---------------------------------


@pytest.mark.django_db
def test_htmx_eval_and_script_tags_are_off_on_app_and_public_pages(client_gerant):
    from django.template.loader import render_to_string

    for page in (
        client_gerant.get("/").content.decode(),
        render_to_string("public_base.html", {}),
    ):
        assert '"allowEval": false' in page and '"allowScriptTags": false' in page


@pytest.mark.django_db
def test_complaint_form_lists_only_the_missions_the_user_may_see(
    gerant, consultant, autre_consultant
):
    sienne = mission_lancee(date(2026, 3, 2), debut=date(2026, 3, 9), consultants=[consultant])
    autre = mission_lancee(
        date(2026, 3, 3), debut=date(2026, 3, 10), consultants=[autre_consultant]
    )
    proposees = set(ReclamationForm(user=consultant).fields["mission"].queryset)
    assert sienne in proposees and autre not in proposees
    assert {sienne, autre} <= set(ReclamationForm(user=gerant).fields["mission"].queryset)
    # A posted id outside the list is refused.
    form = ReclamationForm(
        {"organisation": autre.devis.organisation_id, "mission": autre.pk}, user=consultant
    )
    assert not form.is_valid() and "mission" in form.errors
