"""The IMAP side of reading the mailbox, on imap-tools (a maintained client over ``imaplib``).

The mailbox is never changed except to flag a processed message ``\\Seen`` (or, when
``CRM_COURRIER_DOSSIER_TRAITES`` names a folder, to move it there): messages are fetched with
``BODY.PEEK``, which leaves their flags alone.
"""

from __future__ import annotations

import imaplib
import re
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from django.conf import settings
from imap_tools import MailBox, MailBoxUnencrypted, MailMessage, MailMessageFlags
from imap_tools.errors import MailboxLoginError, UnexpectedCommandStatusError
from imap_tools.mailbox import BaseMailBox

# Everything that means « the server could not be reached or refused us »: retried later.
ERREURS_SERVEUR: tuple[type[Exception], ...] = (
    OSError,
    socket.timeout,
    ssl.SSLError,
    imaplib.IMAP4.error,
    imaplib.IMAP4.abort,
    MailboxLoginError,
    UnexpectedCommandStatusError,
)
# Of an oversized message, this much of the body is read (its text usually comes first).
DEBUT_CORPS = 256 * 1024


class MessageBrut(MailMessage):
    """imap-tools' message keeping its raw bytes (parsed again with ``policy.default``)."""

    def __init__(self, fetch_data: list[Any]) -> None:
        super().__init__(fetch_data)
        self.brut = self._get_message_data_parts(fetch_data)[0]


def chaine_xoauth2(utilisateur: str, jeton: str) -> str:
    """The SASL XOAUTH2 initial response (Google, Microsoft 365), before base64."""
    return f"user={utilisateur}\x01auth=Bearer {jeton}\x01\x01"


def jeton_oauth2() -> str:
    """The OAuth2 access token: ``IMAP_OAUTH2_TOKEN``, or the file ``IMAP_OAUTH2_TOKEN_FILE``
    read at each connection (a refresher outside the CRM keeps it current)."""
    if settings.IMAP_OAUTH2_TOKEN_FILE:
        return Path(settings.IMAP_OAUTH2_TOKEN_FILE).read_text(encoding="utf-8").strip()
    return str(settings.IMAP_OAUTH2_TOKEN).strip()


@contextmanager
def ouvrir(config: dict[str, Any]) -> Iterator[BaseMailBox]:
    classe: type[MailBox | MailBoxUnencrypted] = MailBox if config["ssl"] else MailBoxUnencrypted
    boite = classe(config["hote"], config["port"], timeout=settings.CRM_COURRIER_DELAI_IMAP)
    boite.email_message_class = MessageBrut
    jeton = jeton_oauth2()
    try:
        if jeton:
            chaine = chaine_xoauth2(config["utilisateur"], jeton)
            resultat = boite.client.authenticate("XOAUTH2", lambda _: chaine.encode())
            if resultat[0] != "OK":
                raise MailboxLoginError(resultat, "OK")
            boite.folder.set(config["dossier"])
        else:
            boite.login(config["utilisateur"], config["mot_de_passe"], config["dossier"])
        yield boite
    finally:
        with suppress(*ERREURS_SERVEUR):
            boite.logout()


def uidvalidity(boite: BaseMailBox, dossier: str) -> int:
    return int(boite.folder.status(dossier, ["UIDVALIDITY"])["UIDVALIDITY"])


def uids_apres(boite: BaseMailBox, dernier: int) -> list[int]:
    """UIDs above ``dernier``, ascending (``n:*`` also names the last message when none is
    newer: it is filtered out)."""
    return sorted(u for u in (int(x) for x in boite.uids(f"UID {dernier + 1}:*")) if u > dernier)


def taille(boite: BaseMailBox, uid: int) -> int:
    _, donnees = boite.client.uid("fetch", str(uid), "(RFC822.SIZE)")
    for element in donnees or []:
        ligne = element[0] if isinstance(element, tuple) else element
        trouve = re.search(rb"RFC822\.SIZE (\d+)", ligne or b"")
        if trouve:
            return int(trouve.group(1))
    return 0


def lire(boite: BaseMailBox, uid: int, *, taille_max: int) -> tuple[bytes, bool] | None:
    """The message's bytes and whether they are incomplete (over ``taille_max``: its headers
    and the start of its body only, never the whole attachment in memory). None when the
    message vanished meanwhile (moved by a mail client, or by another worker)."""
    if taille(boite, uid) > taille_max:
        _, donnees = boite.client.uid(
            "fetch", str(uid), f"(BODY.PEEK[HEADER] BODY.PEEK[TEXT]<0.{DEBUT_CORPS}>)"
        )
        morceaux = [e[1] for e in donnees or [] if isinstance(e, tuple)]
        return (b"".join(morceaux), True) if morceaux else None
    for message in boite.fetch(uid_list=[str(uid)], mark_seen=False):
        assert isinstance(message, MessageBrut)  # ouvrir() sets it as the message class
        return message.brut, False
    return None


def marquer_traite(boite: BaseMailBox, uid: int) -> None:
    if settings.CRM_COURRIER_DOSSIER_TRAITES:
        boite.move([str(uid)], settings.CRM_COURRIER_DOSSIER_TRAITES)
    else:
        boite.flag([str(uid)], MailMessageFlags.SEEN, True)
