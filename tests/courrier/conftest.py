from __future__ import annotations

import pytest

from tests.courrier.serveur import ServeurDovecot


@pytest.fixture(scope="session")
def dovecot():
    serveur = ServeurDovecot()
    serveur.demarrer()
    yield serveur
    serveur.arreter()


@pytest.fixture
def boite(dovecot, settings):
    """An empty mailbox of its own, configured as the firm's (settings.IMAP, as IMAP_URL
    would set it)."""
    b = dovecot.boite()
    settings.IMAP = b.config()
    settings.IMAP_URL = b.url
    settings.IMAP_OAUTH2_TOKEN = ""
    settings.IMAP_OAUTH2_TOKEN_FILE = ""
    return b
