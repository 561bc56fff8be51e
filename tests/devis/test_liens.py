"""A quote's client link can be read for a settable time after the offer's validity
(devis/services/lien.py), then answers « lien expiré »."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from devis.services import lien_acceptation
from devis.services.lien import consultation_expiree
from tests.factories import devis_envoye

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _compteurs_remis_a_zero():
    cache.clear()


def test_quote_link_answers_lien_expire_after_the_viewing_delay(client, settings):
    aujourdhui = timezone.localdate()
    # 30 days' validity by default: valid until 30 days after sending, readable 90 more.
    limite = devis_envoye(aujourdhui - timedelta(days=120))
    trop_vieux = devis_envoye(aujourdhui - timedelta(days=121))
    assert limite.date_validite + timedelta(days=90) == aujourdhui
    assert client.get(lien_acceptation(limite)).status_code == 200  # its last readable day
    expire = client.get(lien_acceptation(trop_vieux))
    assert expire.status_code == 410
    texte = expire.content.decode()
    assert '<html lang="fr">' in texte and "Lien expiré" in texte
    assert trop_vieux.reference not in texte and expire["Cache-Control"] == "no-store"
    # The PDF is closed too.
    assert client.get(lien_acceptation(trop_vieux), {"pdf": "1"}).status_code == 410
    # The delay is a setting.
    settings.CRM_DEVIS_LIEN_CONSULTATION_JOURS = 200
    assert client.get(lien_acceptation(trop_vieux)).status_code == 200
    assert not consultation_expiree(trop_vieux, le=trop_vieux.date_validite + timedelta(days=200))
    assert consultation_expiree(trop_vieux, le=trop_vieux.date_validite + timedelta(days=201))
