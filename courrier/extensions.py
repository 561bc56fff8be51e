"""The mailbox's part of a person's data (RGPD): the messages they sent, kept by the CRM."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from courrier import pages  # noqa: F401  (the panels of the quote's and complaint's pages)
from courrier.models import MessageRecu, PieceJointeRecue
from crm.effacement import Mentions, derniere_date, nettoyer
from crm.extensions import DonneesPersonnelles, donnees_personnelles
from crm.models import Contact, Organisation


def _messages(contact: Contact) -> QuerySet[MessageRecu]:
    filtre = Q(contact=contact)
    if contact.email:
        filtre |= Q(expediteur__iexact=contact.email)
    return MessageRecu.objects.filter(filtre)


def exporter(contact: Contact) -> dict[str, Any]:
    return {
        "emails_recus": [
            {
                "recu_le": m.envoye_le.isoformat() if m.envoye_le else m.lu_le.isoformat(),
                "expediteur": m.expediteur,
                "sujet": m.sujet,
                "texte": m.texte,
                "pieces_jointes": [p.nom for p in m.pieces.all()],
            }
            for m in _messages(contact).prefetch_related("pieces").order_by("lu_le", "pk")
        ]
    }


def effacer(contact: Contact, *, mentions: Mentions, remplacement: str, le: date) -> None:
    """The person's messages keep their date and subject's facts, not who they are: sender,
    name and every mention in the texts go, and their attachments are deleted."""
    mentions = mentions.avec([contact.email])
    pks = nettoyer(
        _messages(contact),
        mentions=mentions,
        remplacement=remplacement,
        valeurs={"expediteur": "", "nom_expediteur": "", "message_id": ""},
    )
    for pj in PieceJointeRecue.objects.filter(message_id__in=pks):
        if pj.fichier:
            pj.fichier.delete(save=False)
    PieceJointeRecue.objects.filter(message_id__in=pks).update(
        fichier="", nom="pièce jointe effacée (RGPD)"
    )


def anonymiser(organisation: Organisation, *, remplacement: str, le: date) -> None:
    MessageRecu.objects.filter(organisation=organisation).update(
        texte="", sujet=remplacement, expediteur="", nom_expediteur=""
    )


donnees_personnelles.ajouter(
    DonneesPersonnelles(
        cle="courrier",
        titre="Emails reçus",
        exporter=exporter,
        effacer=effacer,
        anonymiser=anonymiser,
        derniere_activite=lambda: [derniere_date(MessageRecu, "lu_le", tronquer=True)],
        ordre=60,
    )
)
