"""The core's entries of the calendar feed (``crm.extensions.SourceAgenda``): key clients
due a meeting."""

from __future__ import annotations

from datetime import date

from crm.extensions import EntreeAgenda, SourceAgenda, Utilisateur, sources_agenda
from crm.selectors import clients_cles_a_voir


def clients_cles(user: Utilisateur, *, le: date, horizon: date) -> list[EntreeAgenda]:
    entrees = []
    for org in clients_cles_a_voir(le, user=user):
        entrees.append(
            EntreeAgenda(
                uid=f"client-cle-{org.pk}",
                # Never met: due today. Otherwise on the day the meeting falls due.
                jour=org.point_du_le or le,
                titre=f"Point à prévoir avec {org.raison_sociale} (client clé)",
                description=(
                    f"Dernier rendez-vous le {org.dernier_point:%d/%m/%Y}"
                    if org.dernier_point
                    else "Aucun rendez-vous enregistré"
                )
                + f" ; un point tous les {org.frequence_point_jours} jours.",
                url=org.get_absolute_url(),
            )
        )
    return entrees


sources_agenda.ajouter(SourceAgenda(cle="clients_cles", fonction=clients_cles, ordre=30))


def taches(user: Utilisateur, *, le: date, horizon: date) -> list[EntreeAgenda]:
    """The user's own open tasks (overdue ones included) as to-dos: a calendar is personal, so
    the gérant's feed does not carry the consultants' tasks (their digest and page do)."""
    from crm.selectors import taches_visibles, url_objet

    qs = (
        taches_visibles(user)
        .ouvertes()
        .filter(responsable=user, echeance__lte=horizon)
        .order_by("echeance", "pk")
    )
    entrees = []
    for t in qs:
        entrees.append(
            EntreeAgenda(
                uid=f"tache-{t.pk}",
                jour=t.echeance,
                titre=t.titre + (" (en retard)" if t.echeance < le else ""),
                description=(
                    f"Tâche ({t.content_type.name})"
                    if t.content_type_id and t.content_type
                    else "Tâche"
                ),
                url=url_objet(t),
                a_faire=True,
            )
        )
    return entrees


sources_agenda.ajouter(SourceAgenda(cle="taches", fonction=taches, ordre=5))
