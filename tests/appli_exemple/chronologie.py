from __future__ import annotations

from crm.extensions import Evenement, source_chronologie
from crm.roles import est_gerant
from tests.appli_exemple.models import Note


@source_chronologie("appli_exemple", ordre=900)
def notes_de(org, *, user) -> list[Evenement]:
    # The app's own visibility rule: its notes are the gérant's.
    if not est_gerant(user):
        return []
    return [
        Evenement(le=n.ecrite_le, type="note_exemple", titre="Note d'exemple", detail=n.texte)
        for n in Note.objects.filter(contact__organisation=org).order_by("-pk")[:200]
    ]
