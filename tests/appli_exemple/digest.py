from __future__ import annotations

from datetime import date

from crm.digest import limiter
from crm.extensions import Ligne, section
from crm.roles import est_gerant
from tests.appli_exemple.regles import a_relire

TITRE = "Notes d'exemple à relire"


@section("appli_exemple", TITRE, ordre=900)
def notes(user, le: date) -> list[Ligne]:
    if not est_gerant(user):
        return []
    return [
        Ligne(
            texte=f"{n.contact.organisation} — {n.contact.nom_complet}",
            url=n.contact.organisation.get_absolute_url(),
            detail=f"à relire depuis le {n.a_relire_le:%d/%m/%Y}",
            en_retard=n.a_relire_le < le,
        )
        for n in limiter(a_relire(le).order_by("a_relire_le", "pk"))
    ]
