from __future__ import annotations

from django.core.files.base import ContentFile

from courrier.models import MessageRecu, PieceJointeRecue, StatutMessage
from tests.outils import PDF


def message_et_piece(*, devis):
    """A message read from the mailbox about ``devis``, with a PDF attachment kept."""
    message = MessageRecu.objects.create(
        cle="<acces@client.example>",
        statut=StatutMessage.AUTOMATIQUE,
        expediteur=devis.contact.email if devis.contact else "x@client.example",
        sujet="Réponse automatique",
        texte="Absent.",
        devis=devis,
        organisation=devis.organisation,
    )
    piece = PieceJointeRecue(message=message, nom="fiche.pdf", type_mime="application/pdf")
    piece.fichier.save("fiche.pdf", ContentFile(PDF), save=False)
    piece.save()
    return message, piece
