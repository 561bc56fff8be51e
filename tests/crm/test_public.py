"""The protections shared by every public token page (crm/public.py, crm/reseau.py,
crm/journal.py): each test reproduces an attack or a fault seen in the audit (issue 16)."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from crm.models import EmailEnvoye
from crm.reseau import adresse_client
from devis.models import Accord, QuestionClient
from devis.services import envoyer_devis, lien_acceptation
from satisfaction.models import Reponse
from satisfaction.services import creer_enquete, envoyer_enquete
from tests.factories import ContactFactory, DevisFactory, devis_envoye
from tests.outils import MOT_DE_PASSE, ServeurRedis

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"
REPONSE = {"satisfaction": "4", "recommandation": "9", "effort": "6", "commentaire": "Bien."}
QUESTION = {"action": "question", "question-message": "En visio ?", "question-nom": "Claire"}


@pytest.fixture(autouse=True)
def _compteurs_remis_a_zero():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def enquete():
    return creer_enquete(contact=ContactFactory(), le=timezone.localdate())


@pytest.fixture
def chemin_devis():
    return lien_acceptation(devis_envoye(timezone.localdate()))


def _derriere_le_proxy(client_ip: str) -> dict:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_ip}


# --- One client address --------------------------------------------------------------------------


def test_client_address_reads_the_proxy_header_only_behind_the_trusted_proxy(settings):
    requete = RequestFactory().get(
        "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5"
    )
    settings.PROXY_DE_CONFIANCE = False
    assert adresse_client(requete) == PROXY  # the header is the client's own words
    settings.PROXY_DE_CONFIANCE = True
    # The right-most entry is the one the proxy appended; what the client typed to its left
    # is never read.
    assert adresse_client(requete) == "203.0.113.5"
    requete.META["HTTP_X_FORWARDED_FOR"] = "203.0.113.5, pas-une-adresse"
    assert adresse_client(requete) == PROXY


def test_behind_the_proxy_junk_tokens_block_their_sender_not_other_clients(
    settings, enquete, client
):
    settings.PROXY_DE_CONFIANCE = True
    settings.CRM_ENQUETE_LIMITE = "30/h"
    faux = reverse("satisfaction:enquete_publique", args=["y" * 43])
    codes = [client.get(faux, **_derriere_le_proxy("203.0.113.7")).status_code for _ in range(31)]
    assert codes[:30] == [404] * 30 and codes[30] == 429
    autre = client.get(enquete.get_absolute_url(), **_derriere_le_proxy("198.51.100.2"))
    assert autre.status_code == 200
    assert "formulaire" in autre.content.decode() or "satisfaction" in autre.content.decode()


def test_login_lockout_behind_the_proxy_records_the_client_address_not_the_proxy(
    settings, gerant, consultant
):
    """Behind the proxy, failures are counted against the client's address (the one axes
    records), so a colleague behind the same proxy keeps signing in; the username itself is
    also locked across addresses (issue 16: a guessed password is not retried from elsewhere)."""
    from axes.models import AccessAttempt

    settings.PROXY_DE_CONFIANCE = True

    def essai(client_ip: str, username: str, mot_de_passe: str):
        return Client().post(
            reverse("login"),
            {"username": username, "password": mot_de_passe},
            **_derriere_le_proxy(client_ip),
        )

    for _ in range(5):
        dernier = essai("203.0.113.7", "gerant", "mauvais")
    assert dernier.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    assert essai("203.0.113.7", "gerant", MOT_DE_PASSE).status_code == 429
    assert essai("198.51.100.2", "gerant", MOT_DE_PASSE).status_code == 429  # the username
    assert essai("198.51.100.2", "consultant", MOT_DE_PASSE).status_code == 302


# --- Redis stopped: the limiters fail open ----------------------------------------------------------


def test_quote_page_and_survey_answer_with_redis_stopped(settings, enquete, chemin_devis, caplog):
    local = settings.CACHES
    redis = ServeurRedis()
    redis.demarrer()
    try:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis.url,
            }
        }
        client = Client()
        assert client.get(chemin_devis).status_code == 200  # counted in the real Redis
        redis.arreter()
        with caplog.at_level(logging.WARNING, logger="crm.public"):
            assert client.get(chemin_devis).status_code == 200
            assert client.get(enquete.get_absolute_url()).status_code == 200
            reponse = client.post(enquete.get_absolute_url(), REPONSE)
    finally:
        redis.arreter()
        settings.CACHES = local  # before the fixtures' teardown clears the cache
    assert reponse.status_code == 200 and Reponse.objects.filter(enquete=enquete).exists()
    assert "cache indisponible" in caplog.text


# --- Cross-site POSTs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entetes",
    [
        {"HTTP_ORIGIN": "https://attaquant.example"},
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        # A sandboxed frame of another site posts with « Origin: null »: its browser still says
        # where the request comes from.
        {"HTTP_ORIGIN": "null", "HTTP_SEC_FETCH_SITE": "cross-site"},
    ],
)
def test_cross_site_posts_are_refused_with_a_french_403(entetes, enquete, chemin_devis, client):
    reponse = client.post(enquete.get_absolute_url(), REPONSE, **entetes)
    assert reponse.status_code == 403
    texte = reponse.content.decode()
    assert '<html lang="fr">' in texte and "Envoi refusé" in texte and "autre site" in texte
    assert reponse["Cache-Control"] == "no-store"
    assert not Reponse.objects.exists()
    assert client.post(chemin_devis, QUESTION, **entetes).status_code == 403
    assert not QuestionClient.objects.exists()


@pytest.mark.parametrize(
    "entetes",
    [
        {},
        # The page sends « Referrer-Policy: no-referrer »: a phone's browser posts its form with
        # « Origin: null ».
        {"HTTP_ORIGIN": "null", "HTTP_SEC_FETCH_SITE": "same-origin"},
        {"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "same-origin"},
        {"HTTP_ORIGIN": "https://crm.iod.example", "HTTP_SEC_FETCH_SITE": "same-origin"},
    ],
)
def test_same_site_posts_are_accepted(entetes, settings, enquete, chemin_devis, client):
    settings.SITE_URL = "https://crm.iod.example"
    assert client.post(enquete.get_absolute_url(), REPONSE, **entetes).status_code == 200
    assert Reponse.objects.filter(enquete=enquete).exists()
    assert client.post(chemin_devis, QUESTION, **entetes).status_code == 302
    assert QuestionClient.objects.count() == 1


# --- Body size -------------------------------------------------------------------------------------


def test_oversized_survey_post_is_refused_413_and_nothing_is_stored(enquete, client):
    trop = client.post(enquete.get_absolute_url(), {**REPONSE, "commentaire": "x" * 70_000})
    assert trop.status_code == 413
    assert "Envoi trop volumineux" in trop.content.decode()
    assert not Reponse.objects.exists()


def test_acceptance_page_takes_a_signature_sized_post_but_not_more(chemin_devis, client):
    donnees = {
        "action": "accepter",
        "accepter-nom": "Claire Dupont",
        "accepter-fonction": "DRH",
        "accepter-signature": "data:image/png;base64," + "A" * 399_000,
    }
    assert client.post(chemin_devis, donnees).status_code != 413  # refused by its own check
    donnees["accepter-signature"] += "A" * 200_000
    assert client.post(chemin_devis, donnees).status_code == 413
    assert not Accord.objects.exists()


# --- Tokens out of logs and stored emails ---------------------------------------------------------


def test_request_log_lines_carry_no_token(enquete, chemin_devis, client, caplog):
    jeton_devis = chemin_devis.rstrip("/").rsplit("/", 1)[-1]
    faux = "q" * 43
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get(reverse("satisfaction:enquete_publique", args=[faux]))
        assert client.post(chemin_devis, {"action": "inconnue"}).status_code == 400
        client.get(reverse("devis:public", args=[faux]))
    assert "Not Found" in caplog.text and "Bad Request" in caplog.text
    assert "[jeton]" in caplog.text
    assert faux not in caplog.text and jeton_devis not in caplog.text


def test_stored_emails_mask_client_links_and_the_sent_emails_keep_them(gerant):
    devis = envoyer_devis(DevisFactory(), le=timezone.localdate(), par=gerant)
    lien = lien_acceptation(devis)
    enquete = creer_enquete(contact=ContactFactory(), le=timezone.localdate())
    envoyer_enquete(enquete, le=timezone.localdate())
    enregistre_devis, enregistre_enquete = EmailEnvoye.objects.order_by("pk")
    for enregistre, marque, chemin in (
        (enregistre_devis, f"[lien client devis {devis.pk}]", lien),
        (enregistre_enquete, f"[lien client enquete {enquete.pk}]", enquete.get_absolute_url()),
    ):
        jeton = chemin.rstrip("/").rsplit("/", 1)[-1]
        assert marque in enregistre.corps_texte and marque in enregistre.corps_html
        assert jeton not in enregistre.corps_texte + enregistre.corps_html
    envoye_devis, envoye_enquete = mail.outbox
    assert lien in envoye_devis.body and lien in envoye_devis.alternatives[0][0]
    assert enquete.get_absolute_url() in envoye_enquete.body
    assert "[lien client" not in envoye_devis.body + envoye_enquete.body
