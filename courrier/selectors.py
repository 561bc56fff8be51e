"""Reads of the mailbox's messages for the pages, « Aujourd'hui » and the quote's panel."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Model, Prefetch, Q, QuerySet

from courrier.models import MessageRecu, StatutMessage
from crm.extensions import Utilisateur
from devis.models import Devis, StatutDevis
from devis.selectors import reponses_a_qualifier


def a_classer() -> QuerySet[MessageRecu]:
    """Unmatched and unreadable messages, newest first, with their attachments."""
    return (
        MessageRecu.objects.filter(statut__in=[StatutMessage.A_CLASSER, StatutMessage.MALFORME])
        .prefetch_related("pieces")
        .order_by("-lu_le", "-pk")
    )


def _derniers(devis_ids: Iterable[int], *, automatiques: bool) -> dict[int, MessageRecu]:
    statut = StatutMessage.AUTOMATIQUE if automatiques else StatutMessage.RATTACHE
    derniers: dict[int, MessageRecu] = {}
    for m in (
        MessageRecu.objects.filter(devis_id__in=devis_ids, statut=statut)
        .prefetch_related("pieces")
        .order_by("lu_le", "pk")
    ):
        if m.devis_id is not None:  # always set here (filtered by devis)
            derniers[m.devis_id] = m  # the latest wins
    return derniers


def a_qualifier(*, user: Utilisateur | None = None) -> list[tuple[Devis, MessageRecu | None]]:
    """Quotes paused by a reply, each with the latest reply read (two queries)."""
    devis = list(reponses_a_qualifier(user=user))
    messages = _derniers([d.pk for d in devis], automatiques=False)
    return [(d, messages.get(d.pk)) for d in devis]


def _absences(le: date) -> Q:
    return Q(
        statut=StatutMessage.AUTOMATIQUE,
        retour_le__gte=le,
        devis__statut=StatutDevis.ENVOYE,
        devis__reponse_le__isnull=True,
        devis__reponse_recue_le__isnull=True,
        devis__relance__faite_le__isnull=True,
    )


def _garder_absences(messages: Iterable[MessageRecu]) -> list[tuple[Devis, MessageRecu]]:
    garde: dict[int, tuple[Devis, MessageRecu]] = {}
    for m in messages:  # oldest first: the latest of each quote wins
        if m.devis is None or m.retour_le is None:  # never, as _absences() filters them
            continue
        if m.devis.relance_due_le is None or m.devis.relance_due_le <= m.retour_le:
            garde[m.devis.pk] = (m.devis, m)
    return list(garde.values())


def absences_a_reporter(le: date, *, devis: Devis | None = None) -> list[tuple[Devis, MessageRecu]]:
    """Waiting quotes whose contact answered by an out-of-office with a return date that falls
    after the relance date: the relance can move to the day after their return (the latest
    such message of each quote)."""
    messages = MessageRecu.objects.filter(_absences(le)).select_related("devis")
    if devis is not None:
        messages = messages.filter(devis=devis)
    return _garder_absences(messages.order_by("lu_le", "pk"))


def reponses_du_jour(
    le: date,
) -> tuple[list[tuple[Devis, MessageRecu]], list[tuple[Devis, MessageRecu]]]:
    """For « Aujourd'hui », in one query: the quotes paused by a reply (with the latest reply)
    and the out-of-office replies whose relance can move."""
    messages = list(
        MessageRecu.objects.filter(
            Q(
                statut=StatutMessage.RATTACHE,
                devis__statut=StatutDevis.ENVOYE,
                devis__reponse_le__isnull=True,
                devis__reponse_recue_le__isnull=False,
            )
            | _absences(le)
        )
        .select_related("devis__organisation", "devis__contact")
        .order_by("lu_le", "pk")
    )
    reponses: dict[int, tuple[Devis, MessageRecu]] = {}
    for m in messages:
        if m.statut == StatutMessage.RATTACHE and m.devis is not None:
            reponses[m.devis.pk] = (m.devis, m)
    # reponse_recue_le is set on each (filtered above); lu_le only keeps the key total for mypy.
    a_qualifier = sorted(reponses.values(), key=lambda dm: dm[0].reponse_recue_le or dm[1].lu_le)
    absences = _garder_absences(m for m in messages if m.statut == StatutMessage.AUTOMATIQUE)
    return a_qualifier, absences


def messages_du(objet: Model, champ: str) -> QuerySet[MessageRecu]:
    return (
        MessageRecu.objects.filter(**{champ: objet})
        .prefetch_related(Prefetch("pieces"))
        .order_by("-lu_le", "-pk")
    )
