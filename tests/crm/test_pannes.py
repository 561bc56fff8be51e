"""Fault drills with real parts: Redis down (the web app keeps working, tasks go out when it is
back), a worker dying mid-email (nothing lost or doubled), SMTP down (failure recorded, retried
with backoff, the gérant told). The SMTP sink is a real aiosmtpd process."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from crm import emails
from crm.models import EmailEnvoye, StatutEmail
from devis.models import StatutDevis
from tests.factories import DevisFactory, construire_monde, demande_avec_revue
from tests.outils import MOT_DE_PASSE, RACINE, attendre_port, port_libre

# --- Redis down -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_with_redis_down_the_pages_still_render(client, gerant, consultant, settings):
    """Nothing on a page's path needs Redis: sessions and login throttling live in the database,
    no view touches the cache or enqueues a task."""
    from crm.celery import app

    mort = f"redis://127.0.0.1:{port_libre()}/0"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": mort}
    }
    ancien = app.conf.broker_url
    app.conf.broker_url = mort
    try:
        monde = construire_monde(gerant, consultant)
        reponse = client.post(reverse("login"), {"username": "gerant", "password": MOT_DE_PASSE})
        assert reponse.status_code == 302
        o = monde.objets
        for url in (
            reverse("accueil"),
            reverse("crm:organisations"),
            reverse("crm:organisation", args=[o["organisation"].pk]),
            reverse("crm:demande", args=[o["demande"].pk]),
            reverse("devis:liste"),
            reverse("devis:detail", args=[o["devis"].pk]),
            reverse("crm:mission", args=[o["mission"].pk]),
            reverse("reclamations:liste"),
            reverse("satisfaction:tableau"),
            reverse("rgpd:tableau"),
        ):
            assert client.get(url).status_code == 200, url
    finally:
        app.conf.broker_url = ancien


def test_no_view_enqueues_a_task_so_a_broker_outage_cannot_fail_a_request():
    """Views send their emails themselves (recorded first, retried by the beat's job) and the
    rules run from beat: no request waits on the broker. A view that starts enqueueing must
    tolerate a broker outage — and get its own test here."""
    fautes = []
    for vues in RACINE.glob("*/views.py"):
        texte = vues.read_text(encoding="utf-8")
        if re.search(r"\.(delay|apply_async|send_task)\(", texte):
            fautes.append(str(vues.relative_to(RACINE)))
    assert not fautes, f"vue qui met une tâche en file : {fautes}"


@pytest.mark.redis
def test_a_task_sent_while_redis_is_down_goes_out_when_it_is_back(redis_server, celery_reel):
    from crm.tasks import appliquer_regles

    redis_server.arreter()
    resultat = {}

    def envoyer():
        resultat["tache"] = appliquer_regles.apply_async(
            args=["2026-03-09"],
            retry=True,
            retry_policy={
                "max_retries": 60,
                "interval_start": 0.5,
                "interval_step": 0.5,
                "interval_max": 1,
            },
        )

    fil = threading.Thread(target=envoyer)
    fil.start()
    time.sleep(2)
    assert fil.is_alive(), "l'envoi doit attendre le retour de Redis, pas échouer"
    redis_server.demarrer()
    fil.join(60)
    assert not fil.is_alive()
    assert resultat["tache"].get(timeout=120)["date"] == "2026-03-09"


# --- A worker killed between claiming and sending an email ------------------------------------------


@pytest.mark.django_db
def test_an_email_left_in_progress_by_a_dead_worker_is_sent_once_later(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    envoi = emails.enregistrer(
        motif="test", destinataires=["client@exemple.fr"], sujet="Devis", texte="Bonjour"
    )
    # The worker claimed it (« en cours ») and was killed before sending.
    EmailEnvoye.objects.filter(pk=envoi.pk).update(statut=StatutEmail.EN_COURS)
    maintenant = timezone.now()
    assert emails.reessayer_en_echec(maintenant=maintenant) == 0  # maybe still being sent
    plus_tard = maintenant + timedelta(hours=2)
    EmailEnvoye.objects.filter(pk=envoi.pk).update(cree_le=maintenant - timedelta(minutes=1))
    assert emails.reessayer_en_echec(maintenant=plus_tard) == 1
    assert emails.reessayer_en_echec(maintenant=plus_tard + timedelta(hours=3)) == 0
    assert len(mail.outbox) == 1
    envoi.refresh_from_db()
    assert envoi.statut == StatutEmail.ENVOYE


# --- SMTP down, then back ---------------------------------------------------------------------------


class PuitsSMTP:
    """A real SMTP server (aiosmtpd) that prints every message it receives."""

    def __init__(self, port: int, journal: Path):
        self.port = port
        self.journal = journal
        self.processus = None

    def demarrer(self) -> None:
        self.sortie = open(self.journal, "ab")  # noqa: SIM115 - closed in arreter()
        self.processus = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}"],
            stdout=self.sortie,
            stderr=subprocess.STDOUT,
        )
        attendre_port(self.port)

    def recu(self) -> str:
        self.sortie.flush()
        return self.journal.read_text(errors="replace")

    def arreter(self) -> None:
        if self.processus and self.processus.poll() is None:
            self.processus.terminate()
            self.processus.wait(10)
        self.sortie.close()


@pytest.fixture
def smtp(settings, tmp_path):
    port = port_libre()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    puits = PuitsSMTP(port, tmp_path / "smtp.log")
    yield puits
    if puits.processus:
        puits.arreter()


@pytest.mark.django_db
def test_smtp_down_records_the_failure_with_backoff_then_the_retry_delivers_it(smtp):
    debut = timezone.now()
    envoi = emails.enregistrer(
        motif="test_panne",
        destinataires=["client@exemple.fr"],
        sujet="Votre avis sur notre mission",
        texte="Bonjour, votre avis compte.",
    )
    assert emails.expedier(envoi) is False
    assert envoi.statut == StatutEmail.ECHEC and envoi.tentatives == 1 and envoi.erreur
    premier_delai = envoi.prochain_essai_le - debut
    assert timedelta(minutes=4) < premier_delai <= timedelta(minutes=6)

    # Before the backoff has elapsed: not retried.
    assert emails.reessayer_en_echec(maintenant=debut + timedelta(minutes=1)) == 0
    # Still down at the next try: the delay doubles.
    assert emails.reessayer_en_echec(maintenant=envoi.prochain_essai_le) == 0
    envoi.refresh_from_db()
    assert envoi.statut == StatutEmail.ECHEC and envoi.tentatives == 2
    assert envoi.prochain_essai_le - timezone.now() > timedelta(minutes=9)

    smtp.demarrer()
    assert emails.reessayer_en_echec(maintenant=envoi.prochain_essai_le) == 1
    envoi.refresh_from_db()
    assert envoi.statut == StatutEmail.ENVOYE and envoi.envoye_le is not None
    recu = smtp.recu()
    assert "client@exemple.fr" in recu and f"Subject: {envoi.sujet}"[:40] in recu
    # Sent once: a further run sends nothing.
    assert emails.reessayer_en_echec(maintenant=envoi.prochain_essai_le + timedelta(days=1)) == 0


@pytest.mark.django_db
def test_smtp_down_when_sending_a_quote_tells_the_gerant_and_keeps_the_draft(smtp, client_gerant):
    devis = DevisFactory(demande=demande_avec_revue("go"))
    reponse = client_gerant.post(
        reverse("devis:envoyer", args=[devis.pk]),
        {"envoi-mode": "email", "envoi-le": timezone.localdate().isoformat()},
        follow=True,
    )
    texte = reponse.content.decode()
    assert "pas pu être envoyé" in texte
    devis.refresh_from_db()
    assert devis.statut == StatutDevis.BROUILLON
    assert EmailEnvoye.objects.get(motif="devis").statut in (
        StatutEmail.ABANDONNE,
        StatutEmail.ECHEC,
    )
