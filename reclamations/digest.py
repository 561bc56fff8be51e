"""Complaints first in the digest: deadlines this week and overdue ones (DESIGN §6)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q

from crm.digest import limiter
from crm.extensions import Ligne, section
from crm.roles import est_gerant
from reclamations.models import Action, Reclamation, StatutAction
from reclamations.selectors import reclamations_visibles


def _visibles(user):
    return reclamations_visibles(
        user, parmi=Reclamation.objects.ouvertes().select_related("organisation", "contact")
    )


@section("reclamations", "Réclamations : délais", ordre=10)
def reclamations(user, le: date) -> list[Ligne]:
    fin = le - timedelta(days=le.weekday()) + timedelta(days=6)
    qs = (
        _visibles(user)
        .filter(
            Q(accuse_le__isnull=True, accuse_du_le__lte=fin)
            | Q(repondue_le__isnull=True, reponse_due_le__lte=fin)
        )
        .order_by("reponse_due_le", "pk")
    )
    lignes = []
    for r in limiter(qs):
        if r.accuse_le is None:
            echeance, quoi = r.accuse_du_le, "accusé de réception dû"
        else:
            echeance, quoi = r.reponse_due_le, "réponse due"
        lignes.append(
            Ligne(
                texte=f"{r.numero} — {r.organisation}",
                url=r.get_absolute_url(),
                detail=f"{quoi} le {echeance:%d/%m/%Y}",
                en_retard=echeance < le,
                telephone=r.contact.telephone_principal if r.contact else "",
            )
        )
    # Overdue first (DESIGN §6); the sort is stable, so each group keeps its deadline order.
    lignes.sort(key=lambda ligne: not ligne.en_retard)
    return lignes


@section("actions", "Actions correctives et préventives en retard", ordre=70)
def actions(user, le: date) -> list[Ligne]:
    qs = Action.objects.filter(
        echeance__lt=le, statut__in=[StatutAction.A_FAIRE, StatutAction.EN_COURS]
    )
    if not est_gerant(user):
        qs = qs.filter(responsable=user)
    return [
        Ligne(
            texte=a.description[:120],
            url=a.reclamation.get_absolute_url() if a.reclamation_id else "",
            detail=f"échéance le {a.echeance:%d/%m/%Y}",
            en_retard=True,
        )
        for a in limiter(qs.select_related("reclamation").order_by("echeance"))
    ]
