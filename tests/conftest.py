"""Shared fixtures: users in their groups, a real redis-server, a real Celery worker, a real
headless Chromium. Nothing here is mocked: servers are started on free loopback ports and
stopped at the end."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from crm.roles import CONSULTANT, GERANT
from tests.outils import ARTEFACTS, MOT_DE_PASSE, RACINE, ServeurRedis, Worker, url_base_de_test

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API + live_server

# WhiteNoise warns at start-up when STATIC_ROOT is missing (tests never run collectstatic).
(RACINE / "var" / "staticfiles").mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _isolation(request, settings, tmp_path):
    marqueur = request.node.get_closest_marker("django_db")
    transactionnel = marqueur is not None and marqueur.kwargs.get("transaction")
    if transactionnel or {"transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db")
        assurer_donnees_de_migration()
    # A fast hasher: the suite creates many users (the real one costs ~0.3 s a password).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "http://testserver"
    # Plain static storage: tests do not run collectstatic.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


DONNEES_DE_MIGRATION = [
    "crm.migrations.0003_groupes_et_donnees",
    "devis.migrations.0002_permissions_et_modele",
    "reclamations.migrations.0002_permissions_et_natures",
    "satisfaction.migrations.0002_permissions",
]


def assurer_donnees_de_migration() -> None:
    """Transactional tests flush every table, the migrations' data included (groups and their
    permissions, the firm's identity, the quote template, reasons, natures): put them back."""
    import importlib

    from django.apps import apps

    if Group.objects.filter(name=GERANT).exists():
        return
    for module in DONNEES_DE_MIGRATION:
        importlib.import_module(module).creer(apps, None)


def _utilisateur(django_user_model, username: str, groupe: str, **champs):
    assurer_donnees_de_migration()
    user = django_user_model.objects.create_user(
        username=username,
        password=MOT_DE_PASSE,
        email=f"{username}@iod.example",
        **champs,
    )
    user.groups.add(Group.objects.get(name=groupe))
    return user


@pytest.fixture
def gerant(django_user_model):
    return _utilisateur(
        django_user_model,
        "gerant",
        GERANT,
        first_name="Dominique",
        last_name="Raczy",
        is_staff=True,
    )


@pytest.fixture
def consultant(django_user_model):
    return _utilisateur(
        django_user_model, "consultant", CONSULTANT, first_name="Camille", last_name="Martin"
    )


@pytest.fixture
def autre_consultant(django_user_model):
    return _utilisateur(
        django_user_model, "consultant2", CONSULTANT, first_name="Louis", last_name="Bernard"
    )


@pytest.fixture
def client_gerant(client, gerant):
    client.force_login(gerant)
    return client


@pytest.fixture
def client_consultant(client, consultant):
    client.force_login(consultant)
    return client


# --- Real servers ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_server():
    serveur = ServeurRedis()
    serveur.demarrer()
    yield serveur
    serveur.arreter()


@pytest.fixture
def celery_reel(redis_server, settings, tmp_path, transactional_db):
    """Point this process's Celery app at the real Redis and start a real worker."""
    from crm.celery import app

    app.conf.broker_url = redis_server.url
    app.conf.result_backend = redis_server.url
    app.conf.broker_transport_options = {"visibility_timeout": 3600}
    # The worker writes prepared files where this test's views read them.
    worker = Worker(
        redis_server.url,
        url_base_de_test(),
        tmp_path / "worker.log",
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
    )
    worker.demarrer()
    yield worker
    worker.arreter()
    app.conf.broker_url = settings.CELERY_BROKER_URL
    app.conf.result_backend = settings.CELERY_RESULT_BACKEND


# --- Real browser ---------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def navigateur():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError("Chromium manque : `make test` l'installe (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


def _robuste(onglet):
    """Navigation waits for the DOM, not for the « load » event: on a loaded CI machine a
    stray static request (an icon font, the favicon) to the test server can hold « load » back
    for seconds, while the page under test is already there."""
    onglet.set_default_timeout(30000)
    for nom in ("goto", "wait_for_url", "expect_navigation", "reload"):
        origine = getattr(onglet, nom)

        def enveloppe(*args, _origine=origine, **kwargs):
            kwargs.setdefault("wait_until", "domcontentloaded")
            return _origine(*args, **kwargs)

        setattr(onglet, nom, enveloppe)
    return onglet


@pytest.fixture
def page(navigateur, request):
    contexte = navigateur.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    onglet = _robuste(contexte.new_page())
    yield onglet
    ARTEFACTS.mkdir(exist_ok=True)
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        onglet.screenshot(path=str(ARTEFACTS / f"echec-{request.node.name}.png"), full_page=True)
    contexte.close()


@pytest.fixture
def telephone(navigateur):
    """A phone-sized browser (iPhone-like viewport, touch)."""
    contexte = navigateur.new_context(
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    onglet = _robuste(contexte.new_page())
    yield onglet
    contexte.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


@pytest.fixture
def cache_vide():
    """The cache (rate limits, lockouts) is shared by the whole run: start and leave it clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sans_exemple():
    """The firm's own installation, without the example app the test settings add (for the
    tests that count its queries or list exactly what it holds)."""
    from tests.appli_exemple.outils import sans_appli_exemple

    with sans_appli_exemple():
        yield
