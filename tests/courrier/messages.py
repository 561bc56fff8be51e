"""Messages as the clients' mail clients write them, to put in the test mailbox."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.core import mail


def envoye_par_le_crm(devis) -> EmailMessage:
    """The app's own email of the quote, as the client received it."""
    envoi = [m for m in mail.outbox if devis.numero in m.subject][-1]
    return message_from_bytes(envoi.message().as_bytes(), policy=policy.default)


def reponse_outlook(origine, *, de: str, texte: str, quand) -> EmailMessage:
    """Outlook: « RE: », threading headers, HTML and text, the original quoted below."""
    m = EmailMessage()
    m["From"] = de
    m["To"] = origine["Reply-To"] or origine["From"]
    m["Subject"] = f"RE: {origine['Subject']}"
    m["Date"] = format_datetime(quand)
    m["Message-ID"] = make_msgid(domain="client.example")
    m["In-Reply-To"] = origine["Message-ID"]
    m["References"] = origine["Message-ID"]
    m["Thread-Index"] = "AQHa1234567890abcdef=="
    m.set_content(f"{texte}\n\nDe : IOD\nEnvoyé : lundi\nObjet : {origine['Subject']}\n")
    m.add_alternative(
        f"<html><body><p>{texte}</p><div style='border-top:1px solid'>"
        f"<b>De :</b> IOD<br><b>Objet :</b> {origine['Subject']}</div></body></html>",
        subtype="html",
    )
    return m


def reponse_gmail_html_seul(origine, *, de: str, html: str, quand) -> EmailMessage:
    """Gmail-style reply « Re: » whose only body is HTML (with what a browser must never run)."""
    m = EmailMessage()
    m["From"] = de
    m["To"] = origine["From"]
    m["Subject"] = f"Re: {origine['Subject']}"
    m["Date"] = format_datetime(quand)
    m["Message-ID"] = make_msgid(domain="mail.gmail.com")
    m["In-Reply-To"] = origine["Message-ID"]
    m["References"] = f"<autre@ailleurs.example> {origine['Message-ID']}"
    m.set_content(html, subtype="html")
    return m


def absence(*, de: str, sujet: str, texte: str, quand, en_reponse_a=None) -> EmailMessage:
    m = EmailMessage()
    m["From"] = de
    m["To"] = "contact@iod.example"
    m["Subject"] = sujet
    m["Date"] = format_datetime(quand)
    m["Message-ID"] = make_msgid(domain="client.example")
    m["Auto-Submitted"] = "auto-replied"
    if en_reponse_a is not None:
        m["In-Reply-To"] = en_reponse_a["Message-ID"]
    m.set_content(texte)
    return m


def simple(*, de: str, sujet: str, texte: str, quand, message_id: bool = True) -> EmailMessage:
    m = EmailMessage()
    m["From"] = de
    m["To"] = "contact@iod.example"
    m["Subject"] = sujet
    m["Date"] = format_datetime(quand)
    if message_id:
        m["Message-ID"] = make_msgid(domain="inconnu.example")
    m.set_content(texte)
    return m
