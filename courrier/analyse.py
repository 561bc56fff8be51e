"""Reading one message: from the raw bytes to what the CRM keeps (standard ``email`` package,
``policy.default``). Pure functions: no database, no network.

What a mail client sends is not trusted: the text of an HTML-only message is made by ``nh3``
(every tag dropped, scripts and styles with their content), an unknown charset is decoded
leniently rather than refused, and what cannot be read at all raises ``MessageIllisible`` with
the reason, so the message is kept aside and the rest of the batch goes on.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from email import message_from_bytes, policy
from email.message import MIMEPart
from email.utils import getaddresses, parsedate_to_datetime

import nh3
from dateparser.search import search_dates
from django.utils import timezone

# Message-IDs as they appear in In-Reply-To and References: <…@…>.
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# Out-of-office subjects, French and English (Outlook, Gmail, Thunderbird, OVH…).
SUJET_AUTOMATIQUE = re.compile(
    r"^\s*(r[ée]ponse automatique|automatic reply|auto(matic)?[- ]?(reply|response)|auto\s*:|"
    r"out of (the )?office|absent|absence|en cong[ée]s?|message d'absence|"
    r"i am (currently )?out|je suis absente?)",
    re.IGNORECASE,
)
PRECEDENCES_AUTOMATIQUES = {"auto_reply", "bulk", "junk", "list"}
# Where a return date is announced (the date itself is read by dateparser).
ANNONCE_RETOUR = re.compile(
    r"(retour|jusqu['’]au|jusqu['’]à|absente?|back|until|return)", re.IGNORECASE
)
TAILLE_TEXTE_MAX = 100_000
BLOCS = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h[1-6]|/blockquote|hr)\b[^>]*>", re.IGNORECASE)


class MessageIllisible(Exception):
    """The message cannot be read (no sender, broken structure): kept aside with the reason."""


@dataclass
class PieceLue:
    nom: str
    type_mime: str
    contenu: bytes


@dataclass
class Analyse:
    cle: str
    message_id: str
    expediteur: str
    nom_expediteur: str
    sujet: str
    texte: str
    envoye_le: datetime | None
    references: list[str] = field(default_factory=list)
    automatique: bool = False
    retour_le: date | None = None
    pieces: list[PieceLue] = field(default_factory=list)
    incomplet: bool = False


def cle_de(message_id: str, brut: bytes) -> str:
    """The message's unique key: its Message-ID, or a hash of its bytes when it has none."""
    if message_id:
        return message_id[:255]
    return "sha256:" + hashlib.sha256(brut).hexdigest()


def html_en_texte(contenu: str) -> str:
    """Safe plain text from a mail's HTML: line breaks kept, every tag and script dropped."""
    avec_sauts = BLOCS.sub(lambda m: "\n" + m.group(0), contenu)
    texte = html.unescape(nh3.clean(avec_sauts, tags=set(), strip_comments=True))
    return _nettoyer(texte)


def _nettoyer(texte: str) -> str:
    lignes = [
        ligne.rstrip() for ligne in texte.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ]
    texte = re.sub(r"\n{3,}", "\n\n", "\n".join(lignes)).strip()
    return texte[:TAILLE_TEXTE_MAX]


def _en_tete(message: MIMEPart, nom: str) -> str:
    try:
        valeur = message.get(nom)
    except Exception:  # a header the policy cannot parse is read raw
        valeur = message.get_all(nom, [""])[0] if hasattr(message, "get_all") else ""
    return " ".join(str(valeur or "").split())


def _octets(partie: MIMEPart) -> bytes:
    """The part's decoded bytes (empty for a multipart part, whose payload is a list)."""
    donnees = partie.get_payload(decode=True)
    return donnees if isinstance(donnees, bytes) else b""


def _decoder(partie: MIMEPart) -> str:
    """The part's text; an unknown or wrong charset is read as UTF-8, then Latin-1."""
    try:
        return str(partie.get_content())
    except (LookupError, UnicodeDecodeError, AssertionError, ValueError):
        donnees = _octets(partie)
        try:
            return donnees.decode("utf-8")
        except UnicodeDecodeError:
            return donnees.decode("latin-1")


def _texte(message: MIMEPart) -> str:
    corps = message.get_body(preferencelist=("plain", "html"))
    if corps is None:
        return ""
    contenu = _decoder(corps)
    if corps.get_content_type() == "text/html":
        return html_en_texte(contenu)
    return _nettoyer(contenu)


def _pieces(message: MIMEPart) -> tuple[list[PieceLue], list[str]]:
    """The attachments, and the text of each forwarded message attached whole (message/rfc822,
    as Apple Mail and Outlook « transférer en pièce jointe » send it)."""
    pieces, transferes = [], []
    for partie in message.iter_attachments():
        if partie.get_content_type() == "message/rfc822":
            for sous in partie.iter_parts():
                transferes.append(
                    f"---------- Message transféré ----------\n"
                    f"De : {_en_tete(sous, 'From')}\nObjet : {_en_tete(sous, 'Subject')}\n\n"
                    f"{_texte(sous)}"
                )
            continue
        if partie.is_multipart():
            continue
        try:
            contenu = _octets(partie)
        except Exception:
            contenu = b""
        nom = " ".join((partie.get_filename() or "piece-jointe").split())[:200]
        pieces.append(PieceLue(nom, partie.get_content_type(), contenu))
    return pieces, transferes


def est_automatique(message: MIMEPart, sujet: str) -> bool:
    """RFC 3834 ``Auto-Submitted`` (anything but « no »), the usual X- headers, a bulk
    ``Precedence``, or an out-of-office subject."""
    auto = _en_tete(message, "Auto-Submitted").lower()
    if auto and auto != "no":
        return True
    if message.get("X-Autoreply") or message.get("X-Autorespond"):
        return True
    if _en_tete(message, "Precedence").lower() in PRECEDENCES_AUTOMATIQUES:
        return True
    return bool(SUJET_AUTOMATIQUE.search(sujet))


def date_de_retour(texte: str, *, depuis: datetime) -> date | None:
    """The return day an out-of-office message announces (« de retour le 5 janvier », « absent
    jusqu'au 05/01/2027 », « back on January 5th »), read by dateparser in French and English;
    the latest date after the message's own, within a year. None when none is said."""
    extraits = [
        texte[max(0, m.start() - 10) : m.end() + 60] for m in ANNONCE_RETOUR.finditer(texte[:3000])
    ]
    base = depuis.replace(tzinfo=None)
    trouvees: list[date] = []
    for extrait in extraits:
        resultats = search_dates(
            extrait,
            languages=["fr", "en"],
            settings={
                "PREFER_DATES_FROM": "future",
                "RELATIVE_BASE": base,
                "DATE_ORDER": "DMY",
                "REQUIRE_PARTS": ["day", "month"],
            },
        )
        for _, quand in resultats or []:
            if base.date() < quand.date() and (quand.date() - base.date()).days <= 366:
                trouvees.append(quand.date())
    return max(trouvees) if trouvees else None


def analyser(brut: bytes, *, incomplet: bool = False) -> Analyse:
    """Read one message. ``incomplet``: only its headers and the start of its body were
    fetched (an oversized message): attachments are not kept."""
    try:
        message = message_from_bytes(brut, policy=policy.default)
    except Exception as exc:  # the parser is lenient; anything it still refuses is malformed
        raise MessageIllisible(f"structure illisible ({exc.__class__.__name__})") from exc
    try:
        sujet = _en_tete(message, "Subject")[:255]
        message_id = (MESSAGE_ID.findall(_en_tete(message, "Message-ID")) or [""])[0]
        adresses = getaddresses([_en_tete(message, "From")])
    except Exception as exc:
        raise MessageIllisible(f"en-têtes illisibles ({exc.__class__.__name__})") from exc
    nom, adresse = adresses[0] if adresses else ("", "")
    if not adresse or "@" not in adresse:
        raise MessageIllisible("pas d'expéditeur lisible (en-tête From)")
    try:
        envoye_le = parsedate_to_datetime(_en_tete(message, "Date"))
        if timezone.is_naive(envoye_le):
            envoye_le = timezone.make_aware(envoye_le)
    except (TypeError, ValueError, IndexError):
        envoye_le = None
    references = MESSAGE_ID.findall(
        _en_tete(message, "In-Reply-To") + " " + _en_tete(message, "References")
    )
    try:
        texte = _texte(message)
        pieces, transferes = _pieces(message)
        texte = _nettoyer("\n\n".join([texte, *transferes]))
        pieces = [] if incomplet else pieces
    except Exception as exc:
        raise MessageIllisible(f"corps illisible ({exc.__class__.__name__})") from exc
    automatique = est_automatique(message, sujet)
    retour = None
    if automatique:
        retour = date_de_retour(f"{sujet}\n{texte}", depuis=envoye_le or timezone.now())
    return Analyse(
        cle=cle_de(message_id, brut),
        message_id=message_id,
        expediteur=adresse.strip().lower()[:254],
        nom_expediteur=nom.strip()[:200],
        sujet=sujet,
        texte=texte,
        envoye_le=envoye_le,
        references=references,
        automatique=automatique,
        retour_le=retour,
        pieces=pieces,
        incomplet=incomplet,
    )
