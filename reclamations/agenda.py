"""The complaints' entries of the calendar feed (``crm.extensions.SourceAgenda``): the
acknowledgement and answer deadlines of open complaints."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from crm.extensions import EntreeAgenda, SourceAgenda, sources_agenda
from reclamations.models import Reclamation
from reclamations.selectors import reclamations_visibles


def _reclamations(user):
    """The open complaints ``user`` may see (the one visibility rule)."""
    return reclamations_visibles(
        user, parmi=Reclamation.objects.ouvertes().select_related("organisation")
    )


def echeances(user, *, le: date, horizon: date) -> list[EntreeAgenda]:
    entrees = []
    for r in _reclamations(user).filter(Q(accuse_le__isnull=True) | Q(repondue_le__isnull=True)):
        if r.accuse_le is None:
            entrees.append(
                EntreeAgenda(
                    uid=f"reclamation-accuse-{r.pk}",
                    jour=r.accuse_du_le,
                    titre=f"Accusé de réception dû — {r.numero} — {r.organisation}",
                    description=r.description[:300],
                    url=r.get_absolute_url(),
                )
            )
        if r.repondue_le is None:
            entrees.append(
                EntreeAgenda(
                    uid=f"reclamation-reponse-{r.pk}",
                    jour=r.reponse_due_le,
                    titre=f"Réponse due — {r.numero} — {r.organisation}",
                    description=r.description[:300],
                    url=r.get_absolute_url(),
                )
            )
    return entrees


sources_agenda.ajouter(SourceAgenda(cle="reclamations", fonction=echeances, ordre=20))
