"""Reads of the mailbox's messages for the pages, « Aujourd'hui » and the quote's panel."""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch, QuerySet

from courrier.models import MessageRecu, StatutMessage
from devis.models import Devis, StatutDevis
from devis.selectors import reponses_a_qualifier


def a_classer() -> QuerySet[MessageRecu]:
    """Unmatched and unreadable messages, newest first, with their attachments."""
    return (
        MessageRecu.objects.filter(statut__in=[StatutMessage.A_CLASSER, StatutMessage.MALFORME])
        .prefetch_related("pieces")
        .order_by("-lu_le", "-pk")
    )


def _derniers(devis_ids, *, automatiques: bool) -> dict[int, MessageRecu]:
    statut = StatutMessage.AUTOMATIQUE if automatiques else StatutMessage.RATTACHE
    derniers: dict[int, MessageRecu] = {}
    for m in (
        MessageRecu.objects.filter(devis_id__in=devis_ids, statut=statut)
        .prefetch_related("pieces")
        .order_by("lu_le", "pk")
    ):
        derniers[m.devis_id] = m  # the latest wins
    return derniers


def a_qualifier(*, user=None) -> list[tuple[Devis, MessageRecu | None]]:
    """Quotes paused by a reply, each with the latest reply read (two queries)."""
    devis = list(reponses_a_qualifier(user=user))
    messages = _derniers([d.pk for d in devis], automatiques=False)
    return [(d, messages.get(d.pk)) for d in devis]


def absences_a_reporter(le: date, *, devis: Devis | None = None) -> list[tuple[Devis, MessageRecu]]:
    """Waiting quotes whose contact answered by an out-of-office with a return date that falls
    after the relance date: the relance can move to the day after their return (the latest
    such message of each quote)."""
    messages = (
        MessageRecu.objects.filter(
            statut=StatutMessage.AUTOMATIQUE,
            retour_le__gte=le,
            devis__statut=StatutDevis.ENVOYE,
            devis__reponse_le__isnull=True,
            devis__reponse_recue_le__isnull=True,
            devis__relance__faite_le__isnull=True,
        )
        .select_related("devis__organisation", "devis__contact")
        .order_by("lu_le", "pk")
    )
    if devis is not None:
        messages = messages.filter(devis=devis)
    garde: dict[int, MessageRecu] = {}
    for m in messages:
        if m.devis.relance_due_le is None or m.devis.relance_due_le <= m.retour_le:
            garde[m.devis_id] = m
    return [(m.devis, m) for m in garde.values()]


def messages_du(objet, champ: str) -> QuerySet[MessageRecu]:
    return (
        MessageRecu.objects.filter(**{champ: objet})
        .prefetch_related(Prefetch("pieces"))
        .order_by("-lu_le", "-pk")
    )
