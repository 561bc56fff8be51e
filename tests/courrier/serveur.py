"""A real Dovecot IMAP server for the tests (MACHINE-NOTES: throwaway config and maildir on a
loopback port), and a mailbox per test (any user name logs in with the same password, each with
its own empty maildir)."""

from __future__ import annotations

import imaplib
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

from tests.outils import attendre_port, port_libre

MOT_DE_PASSE_IMAP = "secret-de-test"

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/run
log_path = {d}/dovecot.log
ssl = no
disable_plaintext_auth = no
mail_location = maildir:{d}/mail/%u
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
first_valid_uid = 1
auth_mechanisms = plain login
passdb {{
  driver = static
  args = password={mdp}
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={d}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


class ServeurDovecot:
    def __init__(self) -> None:
        binaire = shutil.which("dovecot") or "/usr/sbin/dovecot"
        if not Path(binaire).exists():
            raise RuntimeError(
                "dovecot manque : `make test` l'installe (apt-get install dovecot-imapd)"
            )
        self.binaire = binaire
        self.port = port_libre()
        self.dossier = Path(tempfile.mkdtemp(prefix="crm-dovecot-"))

    def demarrer(self) -> None:
        d = self.dossier
        os.chmod(d, 0o755)
        (d / "mail").mkdir()
        shutil.chown(d / "mail", "dovecot", "dovecot")
        (d / "dovecot.conf").write_text(
            CONFIG.format(d=d, port=self.port, mdp=MOT_DE_PASSE_IMAP), encoding="utf-8"
        )
        subprocess.run([self.binaire, "-c", str(d / "dovecot.conf")], check=True)
        attendre_port(self.port)

    def arreter(self) -> None:
        pid = self.dossier / "run" / "master.pid"
        if pid.exists():
            os.kill(int(pid.read_text().strip()), 15)
            for _ in range(50):
                if not pid.exists():
                    break
                time.sleep(0.05)
        shutil.rmtree(self.dossier, ignore_errors=True)

    def boite(self) -> Boite:
        return Boite(self.port, f"crm{uuid.uuid4().hex[:10]}")


class Boite:
    """One user's mailbox on the server, filled with IMAP APPEND like a mail delivery."""

    def __init__(self, port: int, utilisateur: str) -> None:
        self.port = port
        self.utilisateur = utilisateur

    @property
    def url(self) -> str:
        return f"imap://{self.utilisateur}:{MOT_DE_PASSE_IMAP}@127.0.0.1:{self.port}/INBOX"

    def config(self) -> dict:
        return {
            "ssl": False,
            "hote": "127.0.0.1",
            "port": self.port,
            "utilisateur": self.utilisateur,
            "mot_de_passe": MOT_DE_PASSE_IMAP,
            "dossier": "INBOX",
        }

    def _connexion(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port)
        imap.login(self.utilisateur, MOT_DE_PASSE_IMAP)
        return imap

    def deposer(self, message: EmailMessage | bytes, dossier: str = "INBOX") -> None:
        brut = message if isinstance(message, bytes) else message.as_bytes()
        imap = self._connexion()
        try:
            imap.create(dossier)
            statut, _ = imap.append(dossier, None, None, brut)
            assert statut == "OK"
        finally:
            imap.logout()

    def drapeaux(self) -> list[str]:
        """Each message's flags, in order (to check the mailbox was not changed otherwise)."""
        imap = self._connexion()
        try:
            imap.select("INBOX", readonly=True)
            _, donnees = imap.fetch("1:*", "(FLAGS)")
            return [d.decode() for d in donnees if d]
        finally:
            imap.logout()

    def nombre(self, dossier: str = "INBOX") -> int:
        imap = self._connexion()
        try:
            _, donnees = imap.select(dossier, readonly=True)
            return int(donnees[0])
        finally:
            imap.logout()
