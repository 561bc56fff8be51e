"""The quote's emails: the quote and its relance to the client (from the gérant's editable
texts), the confirmation of an online acceptance with the stamped PDF, and the gérant's alerts
(acceptance, refusal, question). Sent after the caller's transaction, never inside it."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings
from django.db import models

from crm import emails
from crm.exceptions import RefusMetier
from crm.extensions import Utilisateur
from crm.models import EmailEnvoye, Entreprise
from devis.models import Accord, Devis, ModeleDevis
from devis.services.lien import lien_acceptation
from devis.services.signature import tampon_acceptation

logger = logging.getLogger(__name__)


def _contexte_email(devis: Devis) -> dict[str, Any]:
    return {
        "devis": devis,
        "contact": devis.contact,
        "lien": settings.SITE_URL + lien_acceptation(devis),
    }


def _piece_pdf(devis: Devis) -> emails.PieceJointe:
    from devis.pdf import devis_pdf

    return emails.PieceJointe(
        nom=f"{devis.reference}.pdf".replace(" ", "_"), contenu=devis_pdf(devis)
    )


def _remplir(modele_texte: str, valeurs: dict[str, str]) -> str:
    """Fill {variables} of a text typed by the gérant (unknown ones are left as typed)."""
    return re.sub(r"\{(\w+)\}", lambda m: valeurs.get(m.group(1), m.group(0)), modele_texte)


def email_devis(devis: Devis, *, nom: str, par: Utilisateur | None = None) -> EmailEnvoye:
    """The quote's email (sending or relance), from the gérant's editable texts when set."""
    from django.utils.html import escape, linebreaks

    contexte = _contexte_email(devis)
    sujet, texte, html = emails.rendre(nom, contexte)
    modele = ModeleDevis.courant()
    relance = nom == "devis-relance"
    sujet_modele = modele.relance_sujet if relance else modele.email_sujet
    corps_modele = modele.relance_corps if relance else modele.email_corps
    contact = devis.contact
    if contact is None:
        # The callers check the address before sending; this names the failure if one did not.
        raise RefusMetier("Le devis n'a pas de contact à qui écrire.")
    valeurs = {
        "civilite": contact.civilite if contact else "",
        "nom": contact.nom if contact else "",
        "numero": devis.reference,
        "objet": devis.objet,
        "lien": contexte["lien"],
        "validite": f"{devis.date_validite:%d/%m/%Y}" if devis.date_validite else "",
        "envoye_le": f"{devis.envoye_le:%d/%m/%Y}" if devis.envoye_le else "",
        "signataire": Entreprise.courante().signataire,
    }
    if sujet_modele.strip():
        sujet = _remplir(sujet_modele, valeurs)
    if corps_modele.strip():
        texte = _remplir(corps_modele, valeurs)
        html = linebreaks(escape(texte))
    envoi = emails.enregistrer(
        motif="relance" if relance else "devis",
        destinataires=[contact.email],
        sujet=sujet,
        texte=texte,
        html=html,
        objet=devis,
        pieces_jointes=[_piece_pdf(devis)],
        par=par,
    )
    emails.expedier(envoi)
    return envoi


def _emails_gerants() -> list[str]:
    from crm.digest import destinataires
    from crm.roles import est_gerant

    return [u.email for u in destinataires() if est_gerant(u)]


def prevenir_gerants(
    nom: str, contexte: dict[str, Any], *, motif: str, objet: models.Model
) -> None:
    """Tell the gérant(s) now; a failure is kept on the email's record and retried."""
    gerants = _emails_gerants()
    if not gerants:
        logger.warning("Aucun gérant avec une adresse email : « %s » non signalé.", motif)
        return
    try:
        emails.envoyer(nom, contexte, motif=motif, destinataires=gerants, objet=objet)
    except Exception:  # the client's answer is recorded whatever happens to the email
        logger.exception("Email « %s » au gérant non envoyé (devis %s).", motif, objet.pk)


def contexte_gerant(devis: Devis, **extra: Any) -> dict[str, Any]:
    return {
        "devis": devis,
        "contact": devis.contact,
        "lien_devis": settings.SITE_URL + devis.get_absolute_url(),
        **extra,
    }


def confirmer_au_client(devis: Devis, accord: Accord) -> None:
    """The client's confirmation, with the accepted PDF stamped (name, date, SHA-256)."""
    from devis.pdf import devis_pdf

    if not (devis.contact and devis.contact.email):
        return
    try:
        tampon = tampon_acceptation(accord)
        tamponne = devis_pdf(devis, acceptation=tampon)
        emails.envoyer(
            "devis-confirmation",
            {"devis": devis, "contact": devis.contact, "accord": accord, "moment": tampon["le"]},
            motif="confirmation_acceptation",
            destinataires=[devis.contact.email],
            objet=devis,
            pieces_jointes=[
                emails.PieceJointe(
                    nom=f"{devis.reference}-bon-pour-accord.pdf".replace(" ", "_"),
                    contenu=tamponne,
                )
            ],
        )
    except Exception:  # the agreement stands; the gérant sees the email's state on the quote
        logger.exception("Confirmation d'acceptation non envoyée (devis %s).", devis.pk)
