"""The client's link dies (issue 10): revised, expired, cancelled or answered quotes, and the
page's rate limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from devis.models import Accord, Devis, StatutDevis
from devis.services import (
    LienInactif,
    accepter_en_ligne,
    annuler_devis,
    enregistrer_reponse,
    envoyer_devis,
    etat_lien,
    lien_acceptation,
    reviser_devis,
)
from tests.factories import (
    devis_envoye,
    devis_envoye_aujourdhui,
)
from tests.outils import accepter_par_le_lien

pytestmark = pytest.mark.usefixtures("cache_vide")  # the rate limit counts in the cache


# --- The link dies: revised, expired, cancelled, refused --------------------------------------------


@pytest.mark.django_db
def test_revised_quote_old_link_opens_nothing_and_the_current_one_names_the_new_version(client):
    ancien = devis_envoye_aujourdhui()
    chemin = lien_acceptation(ancien)
    nouveau = reviser_devis(ancien)
    # The link the client received is dead: it shows neither the old offer nor a form.
    page = client.get(chemin)
    assert page.status_code == 404
    texte = page.content.decode()
    assert "remplacé par une nouvelle version" in texte and ancien.reference not in texte
    assert accepter_par_le_lien(client, chemin).status_code == 404
    assert not Accord.objects.exists()
    # The gérant's current link of the cancelled version says which version replaced it.
    ancien.refresh_from_db()
    texte = client.get(lien_acceptation(ancien)).content.decode()
    assert "annulé et remplacé par une nouvelle version" in texte
    assert nouveau.reference in texte  # « DEV-AAAA-NNNN v2 »
    assert "form-accepter" not in texte
    # The new version, once sent, has its own link, open.
    envoye = envoyer_devis(nouveau, le=timezone.localdate(), email=False)
    assert lien_acceptation(envoye) != chemin
    assert "form-accepter" in client.get(lien_acceptation(envoye)).content.decode()


@pytest.mark.django_db
def test_expired_offer_cannot_be_accepted(client):
    devis = devis_envoye(timezone.localdate() - timedelta(days=40))  # 30 days' validity by default
    chemin = lien_acceptation(devis)
    texte = client.get(chemin).content.decode()
    assert "Offre expirée" in texte and "form-accepter" not in texte
    assert accepter_par_le_lien(client, chemin).status_code == 409
    with pytest.raises(LienInactif, match="Offre expirée"):
        accepter_en_ligne(
            devis, nom="Claire Dupont", fonction="DRH", ip=None, navigateur="", le=timezone.now()
        )
    # The last valid day still works.
    assert etat_lien(devis, le=devis.date_validite).ouvert
    assert not etat_lien(devis, le=devis.date_validite + timedelta(days=1)).ouvert
    assert not Accord.objects.exists()


@pytest.mark.django_db
def test_cancelled_quote_link_is_dead(client):
    devis = devis_envoye_aujourdhui()
    chemin = lien_acceptation(devis)
    annuler_devis(devis)
    assert client.get(chemin).status_code == 404
    assert accepter_par_le_lien(client, chemin).status_code == 404
    devis.refresh_from_db()
    texte = client.get(lien_acceptation(devis)).content.decode()
    assert "Ce devis a été annulé" in texte and "form-accepter" not in texte
    assert accepter_par_le_lien(client, lien_acceptation(devis)).status_code == 409


@pytest.mark.django_db
def test_quote_answered_by_the_gerant_closes_the_link(client):
    devis = devis_envoye_aujourdhui()
    chemin = lien_acceptation(devis)
    enregistrer_reponse(devis, decision="refuse", le=timezone.localdate())
    texte = client.get(chemin).content.decode()
    assert "Ce devis a été refusé" in texte and "form-accepter" not in texte
    assert accepter_par_le_lien(client, chemin).status_code == 409


@pytest.mark.django_db
def test_en_discussion_keeps_the_link_open(client):
    devis = devis_envoye_aujourdhui()
    enregistrer_reponse(devis, decision="en_discussion", le=timezone.localdate())
    assert accepter_par_le_lien(client, lien_acceptation(devis)).status_code == 302
    assert Accord.objects.filter(devis=devis).exists()


# --- Rate limit ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_is_rate_limited_with_a_french_429(client, settings):
    # Mid-minute and still: the « 3/m » window cannot turn over between the requests.
    with time_machine.travel(timezone.now().replace(second=30, microsecond=0), tick=False):
        _limite_de_la_page(client, settings)


def _limite_de_la_page(client, settings):
    settings.CRM_DEVIS_LIEN_LIMITE = "3/m"
    chemin = lien_acceptation(devis_envoye_aujourdhui())
    for _ in range(3):
        assert client.get(chemin).status_code == 200
    trop = client.get(chemin)
    assert trop.status_code == 429
    assert "Trop de tentatives" in trop.content.decode()
    assert trop["Referrer-Policy"] == "no-referrer" and "no-store" in trop["Cache-Control"]
    # Guessing tokens is limited too, before any lookup.
    assert client.get(chemin.replace(chemin[-6:-1], "zzzzz")).status_code == 429
    refus = client.post(chemin, {"action": "refuser", "refuser-precision": "Trop cher."})
    assert refus.status_code == 429
    assert Devis.objects.get().statut == StatutDevis.ENVOYE
    # The limit is per address: another client is not blocked.
    assert client.get(chemin, REMOTE_ADDR="192.0.2.55").status_code == 200
