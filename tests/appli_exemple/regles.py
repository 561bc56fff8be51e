from __future__ import annotations

from datetime import date

from crm.extensions import regle
from tests.appli_exemple.models import Note

LIBELLE = "Notes d'exemple à relire"


def a_relire(le: date):
    return Note.objects.filter(a_relire_le__lte=le).select_related("contact__organisation")


@regle("appli_exemple", libelles={"notes_a_relire": LIBELLE}, ordre=900)
def notes_a_relire(le: date, *, simuler: bool) -> dict[str, list[str]]:
    # Reports only: nothing to write, so ``simuler`` changes nothing.
    return {"notes_a_relire": [str(pk) for pk in a_relire(le).values_list("pk", flat=True)]}
