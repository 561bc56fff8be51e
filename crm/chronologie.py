"""An organisation's whole story as one dated timeline.

The core lists its own events (interactions, requests, missions); every app adds its own through
the registry (``crm.extensions.source_chronologie``, usually from its ``chronologie.py``). Each
source is given the viewing user and shows only what its app's own pages would show them: the
timeline is never a way round a page's access rule.
"""

from __future__ import annotations

from crm.extensions import Evenement, Utilisateur, source_chronologie, sources_chronologie
from crm.models import Organisation, SensInteraction

__all__ = ["Evenement", "chronologie"]


def chronologie(org: Organisation, *, user: Utilisateur) -> list[Evenement]:
    evenements: list[Evenement] = []
    for source in sources_chronologie.tous():
        evenements.extend(source.fonction(org, user=user))
    return sorted(evenements, key=lambda e: e.le, reverse=True)


@source_chronologie("crm", ordre=10)
def _coeur(org: Organisation, *, user: Utilisateur) -> list[Evenement]:
    from crm.acces import demandes_visibles, missions_visibles

    evts = [
        Evenement(
            le=i.date,
            type="interaction",
            icone="chat-dots",
            style="interaction",
            # « Email reçu »: read from the firm's mailbox (an incoming exchange).
            titre=i.get_type_display() + (" reçu" if i.sens == SensInteraction.ENTRANT else ""),
            detail=f"{i.resume}" + (f" — avec {i.contact.nom_complet}" if i.contact else ""),
            badge=(i.auteur.get_full_name() if i.auteur else ""),
        )
        for i in org.interactions.select_related("contact", "auteur")[:200]
    ]
    evts += [
        Evenement(
            le=d.recue_le,
            type="demande",
            icone="inbox",
            style="demande",
            titre=f"Demande — {d.get_type_prestation_display()} ({d.get_contexte_display().lower()})",
            detail=d.description[:200],
            url=d.get_absolute_url(),
            badge=d.get_statut_display(),
        )
        for d in demandes_visibles(user).filter(organisation=org).order_by("-recue_le", "-pk")[:200]
    ]
    evts += [
        Evenement(
            le=m.debut,
            type="mission",
            icone="kanban",
            style="mission",
            titre=f"Mission lancée — {m.devis.objet}",
            url=m.get_absolute_url(),
            badge=m.get_statut_display(),
        )
        for m in missions_visibles(user)
        .filter(devis__organisation=org)
        .order_by("-debut", "-pk")[:200]
    ]
    return evts
