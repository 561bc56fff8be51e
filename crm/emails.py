"""Every email the app sends goes through here: rendered from three templates
(``emails/<nom>-subject.txt``, ``-body.txt``, ``-body.html``), recorded in ``EmailEnvoye``
before it is sent, sent outside any transaction, and retried with backoff when it fails."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db.models import Model, Q, QuerySet
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone

from crm.models import EmailEnvoye, Entreprise, StatutEmail
from crm.public import demasquer_liens, masquer_liens

if TYPE_CHECKING:
    from crm.extensions import Utilisateur

logger = logging.getLogger(__name__)

EN_COURS = StatutEmail.EN_COURS  # transient claim marker, see expedier()


@dataclass(frozen=True)
class PieceJointe:
    nom: str
    contenu: bytes
    type_mime: str = "application/pdf"


def _ligne_seule(texte: str) -> str:
    # Subjects and addresses come partly from user input: one line, no header injection.
    return " ".join(texte.replace("\r", " ").replace("\n", " ").split())


def rendre(nom: str, contexte: dict[str, Any]) -> tuple[str, str, str]:
    contexte = {"entreprise": Entreprise.courante(), "site_url": settings.SITE_URL, **contexte}
    sujet = _ligne_seule(render_to_string(f"emails/{nom}-subject.txt", contexte))
    texte = render_to_string(f"emails/{nom}-body.txt", contexte)
    html: str
    try:
        html = render_to_string(f"emails/{nom}-body.html", contexte)
    except TemplateDoesNotExist:
        html = ""
    return sujet, texte, html


def _dossier_pieces() -> Path:
    dossier = Path(settings.MEDIA_ROOT) / "emails"
    dossier.mkdir(parents=True, exist_ok=True)
    return dossier


def nouveau_message_id() -> str:
    """A unique Message-ID (angle brackets included) on the site's own domain, so that the
    client's reply (In-Reply-To, References) names an email the app recorded."""
    return make_msgid(domain=urlsplit(settings.SITE_URL).hostname or "localhost")


def enregistrer(
    *,
    motif: str,
    destinataires: list[str],
    sujet: str,
    texte: str,
    html: str = "",
    objet: Model | None = None,
    pieces_jointes: tuple[PieceJointe, ...] | list[PieceJointe] = (),
    par: Utilisateur | None = None,
    copie: list[str] | None = None,
) -> EmailEnvoye:
    """Record an email to send (attachments kept on disk, for the record and for retries).

    Its Message-ID is fixed here, once: every retry sends the same one."""
    pieces = []
    for pj in pieces_jointes:
        chemin = _dossier_pieces() / f"{secrets.token_hex(16)}{Path(pj.nom).suffix[:8]}"
        chemin.write_bytes(pj.contenu)
        pieces.append(
            {
                "nom": _ligne_seule(pj.nom),
                "chemin": str(chemin.relative_to(settings.MEDIA_ROOT)),
                "type": pj.type_mime,
            }
        )
    return EmailEnvoye.objects.create(
        motif=motif,
        destinataires=", ".join(_ligne_seule(d) for d in destinataires),
        copie=", ".join(_ligne_seule(d) for d in (copie or [])),
        sujet=_ligne_seule(sujet)[:255],
        # Kept without the client links' tokens (crm.public): expedier rebuilds them.
        corps_texte=masquer_liens(texte),
        corps_html=masquer_liens(html),
        pieces_jointes=pieces,
        content_type=ContentType.objects.get_for_model(objet) if objet is not None else None,
        object_id=str(objet.pk) if objet is not None else "",
        par=par if getattr(par, "pk", None) else None,
        message_id=nouveau_message_id(),
    )


def expedier(email: EmailEnvoye) -> bool:
    """Send one recorded email. Returns True when sent.

    Safe to call twice or from two workers: the row is claimed with a conditional UPDATE
    (à envoyer / échec → en cours), so only one caller sends it. The services call it after
    their own transaction has committed, so no lock is held during the network call (a caller
    that wraps a service in its own transaction, such as a test, keeps that responsibility).
    """
    pris = EmailEnvoye.objects.filter(
        pk=email.pk, statut__in=[StatutEmail.A_ENVOYER, StatutEmail.ECHEC]
    ).update(statut=EN_COURS)
    if not pris:
        email.refresh_from_db()
        return email.statut == StatutEmail.ENVOYE
    message = EmailMultiAlternatives(
        subject=email.sujet,
        body=demasquer_liens(email.corps_texte),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[d.strip() for d in email.destinataires.split(",") if d.strip()],
        cc=[d.strip() for d in email.copie.split(",") if d.strip()],
        # Replies go to the mailbox the CRM reads (when configured), threaded by Message-ID.
        reply_to=[settings.CRM_EMAIL_REPONDRE_A] if settings.CRM_EMAIL_REPONDRE_A else None,
        headers={"Message-ID": email.message_id} if email.message_id else None,
    )
    if email.corps_html:
        message.attach_alternative(demasquer_liens(email.corps_html), "text/html")
    for pj in email.pieces_jointes:
        contenu = (Path(settings.MEDIA_ROOT) / pj["chemin"]).read_bytes()
        message.attach(pj["nom"], contenu, pj["type"])
    tentatives = email.tentatives + 1
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # any transport error is recorded, never dropped
        logger.warning("Échec d'envoi de l'email %s : %s", email.pk, exc)
        statut = (
            StatutEmail.ECHEC
            if tentatives < settings.CRM_EMAIL_ESSAIS_MAX
            else StatutEmail.ABANDONNE
        )
        # Exponential backoff: 5, 10, 20, 40… minutes.
        prochain = timezone.now() + timedelta(minutes=5 * 2 ** (tentatives - 1))
        EmailEnvoye.objects.filter(pk=email.pk).update(
            statut=statut, tentatives=tentatives, erreur=str(exc)[:2000], prochain_essai_le=prochain
        )
        email.refresh_from_db()
        return False
    EmailEnvoye.objects.filter(pk=email.pk).update(
        statut=StatutEmail.ENVOYE, tentatives=tentatives, erreur="", envoye_le=timezone.now()
    )
    email.refresh_from_db()
    return True


def envoyer(
    nom: str,
    contexte: dict[str, Any],
    *,
    motif: str,
    destinataires: list[str],
    objet: Model | None = None,
    pieces_jointes: tuple[PieceJointe, ...] | list[PieceJointe] = (),
    par: Utilisateur | None = None,
    copie: list[str] | None = None,
) -> EmailEnvoye:
    """Render, record and send now (the caller is outside any transaction)."""
    sujet, texte, html = rendre(nom, contexte)
    email = enregistrer(
        motif=motif,
        destinataires=destinataires,
        sujet=sujet,
        texte=texte,
        html=html,
        objet=objet,
        pieces_jointes=pieces_jointes,
        par=par,
        copie=copie,
    )
    expedier(email)
    return email


def abandonner(email: EmailEnvoye, raison: str) -> None:
    EmailEnvoye.objects.filter(pk=email.pk).exclude(statut=StatutEmail.ENVOYE).update(
        statut=StatutEmail.ABANDONNE, erreur=(email.erreur + "\n" + raison).strip()[:2000]
    )


def reessayer_en_echec(*, maintenant: datetime | None = None, limite: int = 100) -> int:
    """Retry the failed emails whose backoff has elapsed. Returns how many went out.

    Also picks up emails left « à envoyer » or « en cours » for over an hour (a worker killed
    between recording and sending), so a crash delays an email but never loses it.
    """
    maintenant = maintenant or timezone.now()
    bloques = Q(
        statut__in=[StatutEmail.A_ENVOYER, EN_COURS], cree_le__lt=maintenant - timedelta(hours=1)
    )
    EmailEnvoye.objects.filter(bloques).update(
        statut=StatutEmail.ECHEC, prochain_essai_le=maintenant
    )
    envoyes = 0
    a_reessayer = EmailEnvoye.objects.filter(
        statut=StatutEmail.ECHEC, prochain_essai_le__lte=maintenant
    ).order_by("prochain_essai_le")[:limite]
    for email in a_reessayer:
        envoyes += expedier(email)
    return envoyes


def emails_de(objet: Model) -> QuerySet[EmailEnvoye]:
    ct = ContentType.objects.get_for_model(objet)
    return EmailEnvoye.objects.filter(content_type=ct, object_id=str(objet.pk))
