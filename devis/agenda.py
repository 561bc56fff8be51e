"""The quotes' entries of the calendar feed (``crm.extensions.SourceAgenda``): relances due."""

from __future__ import annotations

from datetime import date

from crm.extensions import EntreeAgenda, SourceAgenda, sources_agenda
from devis.selectors import relance_de, relances_a_venir


def relances(user, *, le: date, horizon: date) -> list[EntreeAgenda]:
    entrees = []
    for d in relances_a_venir(horizon, user=user):
        contact = (
            f"\nContact : {d.contact.nom_complet} {d.contact.telephone_principal}"
            if d.contact and relance_de(d) is not None
            else ""
        )
        entrees.append(
            EntreeAgenda(
                uid=f"relance-{d.pk}",
                jour=d.echeance,
                titre=f"Relance du devis {d.numero} — {d.organisation}"
                + (" (en retard)" if d.echeance < le else ""),
                description=f"Devis envoyé le {d.envoye_le:%d/%m/%Y} : {d.objet}" + contact,
                url=d.get_absolute_url(),
            )
        )
    return entrees


sources_agenda.ajouter(SourceAgenda(cle="relances", fonction=relances, ordre=10))
