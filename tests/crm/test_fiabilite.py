"""Fault drills with real parts: a real Redis, real worker processes killed with SIGKILL, and
concurrent runs of the rules. The invariant: every due quote gets exactly one relance."""

from __future__ import annotations

import time
from datetime import date

import pytest
from django.db.models import Count

from crm.calendrier import ajouter_jours_ouvres
from crm.models import Organisation
from devis.models import Devis, Relance, StatutDevis
from devis.services import echeances_envoi
from tests.outils import Worker, url_base_de_test

ENVOI = date(2026, 3, 2)
RELANCE, SANS_SUITE = echeances_envoi(ENVOI)


def creer_devis_dus(n: int) -> list[int]:
    """n quotes sent on ENVOI and still waiting (bulk: the volume is the point here)."""
    org = Organisation.objects.create(raison_sociale="Volume SA")
    Devis.objects.bulk_create(
        Devis(
            organisation=org,
            objet=f"Devis {i}",
            numero=f"DEV-2026-{i:04d}",
            statut=StatutDevis.ENVOYE,
            envoye_le=ENVOI,
            relance_due_le=RELANCE,
            sans_suite_le=SANS_SUITE,
        )
        for i in range(1, n + 1)
    )
    return list(Devis.objects.values_list("pk", flat=True))


def _attendre(condition, delai: float, message: str) -> None:
    fin = time.monotonic() + delai
    while time.monotonic() < fin:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(message)


@pytest.mark.redis
def test_worker_killed_mid_run_then_rerun_leaves_exactly_one_relance_per_quote(
    redis_server, celery_reel, tmp_path
):
    from crm.tasks import appliquer_regles

    n = 3000
    creer_devis_dus(n)
    jour = ajouter_jours_ouvres(ENVOI, 5).isoformat()

    # A worker that commits in small batches, so that it can be caught in the middle.
    celery_reel.arreter()
    lent = Worker(redis_server.url, url_base_de_test(), tmp_path / "lent.log", CRM_REGLES_LOT="25")
    lent.demarrer()
    appliquer_regles.delay(jour)
    _attendre(lambda: Relance.objects.count() >= 100, 90, "le worker n'a rien créé")
    lent.tuer()  # kill -9 in the middle of the run
    partiel = Relance.objects.count()
    assert 0 < partiel < n, f"le worker devait être tué en plein travail ({partiel})"

    # The next run (tomorrow's beat, or the redelivered message) finishes the work, once.
    celery_reel.demarrer()
    resultat = appliquer_regles.delay(jour).get(timeout=120)
    assert len(resultat["relances_dues"]) == n
    assert Relance.objects.count() == n
    assert not Relance.objects.values("devis").annotate(c=Count("pk")).filter(c__gt=1).exists()
    assert Devis.objects.filter(relance__isnull=True).count() == 0


@pytest.mark.redis
def test_two_workers_running_the_rules_at_once_create_each_relance_once(
    redis_server, celery_reel, tmp_path
):
    from crm.tasks import appliquer_regles

    n = 1500
    creer_devis_dus(n)
    second = Worker(redis_server.url, url_base_de_test(), tmp_path / "second.log")
    second.demarrer()
    try:
        jour = ajouter_jours_ouvres(ENVOI, 5).isoformat()
        taches = [appliquer_regles.delay(jour) for _ in range(4)]
        resultats = [t.get(timeout=120) for t in taches]
    finally:
        second.arreter()
    assert all(len(r["relances_dues"]) == n for r in resultats)
    assert Relance.objects.count() == n


@pytest.mark.redis
def test_redis_restarted_the_worker_reconnects_and_runs_the_rules(redis_server, celery_reel):
    from crm.tasks import appliquer_regles

    creer_devis_dus(10)
    redis_server.arreter()
    redis_server.demarrer()  # same port, empty: a restart without persistence
    jour = ajouter_jours_ouvres(ENVOI, 5).isoformat()
    resultat = appliquer_regles.apply_async(
        args=[jour],
        retry=True,
        retry_policy={"max_retries": 20, "interval_start": 0.5, "interval_step": 0.5},
    ).get(timeout=120)
    assert len(resultat["relances_dues"]) == 10
    assert Relance.objects.count() == 10
