"""Configuration and the outgoing side: IMAP_URL checked at start-up, the XOAUTH2 string, the
beat task only when a mailbox is set, and every email's stable Message-ID and Reply-To."""

from __future__ import annotations

import base64
import os
import subprocess
import sys

import pytest
from django.core import mail

from courrier.imap import chaine_xoauth2, jeton_oauth2
from crm import emails
from crm.models import EmailEnvoye
from tests.outils import RACINE


def _python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=RACINE,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "crm.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "valeur",
    ["pop3://u:p@mail.example/INBOX", "imaps://u:p@mail.example:port/INBOX", "imaps:///INBOX"],
)
def test_malformed_imap_url_stops_startup_naming_the_variable(valeur):
    resultat = _python("import crm.settings", IMAP_URL=valeur)
    assert resultat.returncode != 0
    lignes = [ligne for ligne in resultat.stderr.splitlines() if ligne.strip()]
    assert len(lignes) == 1 and "IMAP_URL" in lignes[0], resultat.stderr
    assert "Traceback" not in resultat.stderr


def test_imap_url_is_parsed_and_schedules_the_beat_task_only_when_set():
    code = (
        "import json, crm.settings as s; "
        "print(json.dumps([s.IMAP, 'relever-courrier' in s.CELERY_BEAT_SCHEDULE]))"
    )
    avec = _python(code, IMAP_URL="imaps://gerant%40iod.fr:mot%2Fde@imap.iod.fr/Clients")
    assert avec.returncode == 0, avec.stderr
    assert avec.stdout.strip() == (
        '[{"ssl": true, "hote": "imap.iod.fr", "port": 993, "utilisateur": "gerant@iod.fr", '
        '"mot_de_passe": "mot/de", "dossier": "Clients"}, true]'
    )
    sans = _python(code, IMAP_URL="")
    assert sans.stdout.strip() == "[null, false]"


def test_xoauth2_sasl_string_is_rfc_shaped():
    chaine = chaine_xoauth2("gerant@iod.fr", "ya29.jeton")
    assert chaine == "user=gerant@iod.fr\x01auth=Bearer ya29.jeton\x01\x01"
    # What imaplib sends once base64-encoded (the example of Google's XOAUTH2 documentation).
    assert base64.b64encode(
        chaine_xoauth2(
            "someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"
        ).encode()
    ) == (
        b"dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52"
        b"YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ=="
    )


def test_oauth2_token_file_is_read_at_each_connection(settings, tmp_path):
    fichier = tmp_path / "jeton"
    fichier.write_text("premier\n")
    settings.IMAP_OAUTH2_TOKEN_FILE = str(fichier)
    assert jeton_oauth2() == "premier"
    fichier.write_text("renouvele")
    assert jeton_oauth2() == "renouvele"


@pytest.mark.django_db
def test_every_email_has_a_stable_message_id_and_the_firms_reply_to(settings):
    settings.SITE_URL = "https://crm.iod.example"
    settings.CRM_EMAIL_REPONDRE_A = "contact@iod.example"
    settings.EMAIL_BACKEND = "crm.tests_backend_inexistant.Backend"
    envoi = emails.enregistrer(
        motif="test", destinataires=["client@client.example"], sujet="Essai", texte="Bonjour"
    )
    assert envoi.message_id.startswith("<") and envoi.message_id.endswith("@crm.iod.example>")
    assert not emails.expedier(envoi)  # the backend fails: retried later

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert emails.reessayer_en_echec(maintenant=envoi.prochain_essai_le) == 1
    (envoye,) = mail.outbox
    assert envoye.extra_headers["Message-ID"] == envoi.message_id
    assert envoye.message()["Message-ID"] == envoi.message_id
    assert envoye.reply_to == ["contact@iod.example"]
    autre = emails.enregistrer(motif="test", destinataires=["x@y.fr"], sujet="2", texte="2")
    assert autre.message_id != envoi.message_id
    assert EmailEnvoye.objects.filter(message_id=envoi.message_id).count() == 1
