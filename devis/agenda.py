"""The quotes' entries of the calendar feed (``crm.extensions.SourceAgenda``): relances due,
and quotes « en discussion » to recontact."""

from __future__ import annotations

from datetime import date

from crm.extensions import EntreeAgenda, SourceAgenda, sources_agenda
from devis.selectors import a_recontacter, relance_de, relances_a_venir


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


def recontacts(user, *, le: date, horizon: date) -> list[EntreeAgenda]:
    """The next contact of each quote « en discussion » (DESIGN §10): one entry per quote,
    moved to the new date when a new exchange is recorded (same ``uid``)."""
    return [
        EntreeAgenda(
            uid=f"recontact-{d.pk}",
            jour=d.prochain_contact_le,
            titre=f"Recontacter {d.organisation} — devis {d.numero} en discussion"
            + (" (en retard)" if d.prochain_contact_le < le else ""),
            description=f"En discussion depuis le {d.reponse_le:%d/%m/%Y} : {d.objet}"
            + (
                f"\nContact : {d.contact.nom_complet} {d.contact.telephone_principal}"
                if d.contact
                else ""
            ),
            url=d.get_absolute_url(),
        )
        for d in a_recontacter(horizon, user=user)
        if d.prochain_contact_le is not None  # always set: a_recontacter() filters on it
    ]


sources_agenda.ajouter(SourceAgenda(cle="relances", fonction=relances, ordre=10))
sources_agenda.ajouter(SourceAgenda(cle="recontacts", fonction=recontacts, ordre=11))
