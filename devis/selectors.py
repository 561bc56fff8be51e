"""Reads on quotes shared by the to-do page, the rules' report and the digest."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TypedDict

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django_stubs_ext import WithAnnotations

from crm.roles import est_gerant
from devis.models import Devis, Relance, Reponse, StatutDevis


def _pour(qs: QuerySet, user, prefixe: str = "") -> QuerySet:
    """Restrict to a consultant's own clients; the gérant sees everything."""
    if user is None or est_gerant(user):
        return qs
    return qs.filter(
        Q(**{f"{prefixe}organisation__responsable": user}) | Q(**{f"{prefixe}cree_par": user})
    )


def liste_filtree(params) -> QuerySet[Devis]:
    """The quotes list with its own filters (``statut``, ``q``), newest first, with totals:
    what the list page shows and what its export writes."""
    qs = Devis.objects.avec_totaux().select_related("organisation", "contact").order_by("-pk")
    statut = params.get("statut", "")
    q = params.get("q", "").strip()
    if statut in StatutDevis.values:
        qs = qs.filter(statut=statut)
    if q:
        qs = qs.filter(
            Q(numero__icontains=q)
            | Q(objet__icontains=q)
            | Q(organisation__raison_sociale__icontains=q)
        )
    return qs


def relances_a_faire(le: date, *, user=None) -> QuerySet[Relance]:
    """Relances due at or before ``le``, not done, on quotes still waiting (oldest first)."""
    qs = Relance.objects.filter(
        faite_le__isnull=True,
        due_le__lte=le,
        devis__statut=StatutDevis.ENVOYE,
        devis__reponse_le__isnull=True,
        devis__reponse_recue_le__isnull=True,  # a reply to qualify replaces the relance
    ).select_related("devis__organisation", "devis__contact")
    return _pour(qs, user, "devis__").order_by("due_le", "pk")


class AvecEcheance(TypedDict):
    echeance: date


def relances_a_venir(fin: date, *, user=None) -> QuerySet[WithAnnotations[Devis, AvecEcheance]]:
    """Waiting quotes with a relance to do by ``fin``, in one query: the relance created by
    the daily rule and not done yet, or falling due by ``fin`` and not created yet (later this
    week, today before 07:00, or after a failed run; not for those who refuse canvassing).

    Each quote comes with its ``relance`` (see ``relance_de``) and its ``echeance``, the day
    the relance is due; earliest first.
    """
    creee = Q(relance__isnull=False, relance__faite_le__isnull=True, relance__due_le__lte=fin)
    a_creer = (
        Q(relance__isnull=True, relance_due_le__lte=fin)
        & ~Q(organisation__ne_pas_prospecter=True)
        & ~Q(contact__ne_pas_prospecter=True)
    )
    qs = (
        Devis.objects.horloge_en_marche()
        .filter(creee | a_creer)
        .annotate(echeance=Coalesce("relance__due_le", "relance_due_le"))
        .select_related("organisation", "contact", "relance")
    )
    return _pour(qs, user).order_by("echeance", "pk")


def a_recontacter(le: date, *, user=None) -> QuerySet[Devis]:
    """Sent quotes answered « en discussion » whose next contact date is at or before ``le``
    (DESIGN §10), earliest first. A new « en discussion » answer moves the date; a final
    answer clears it."""
    qs = Devis.objects.filter(
        statut=StatutDevis.ENVOYE,
        reponse=Reponse.EN_DISCUSSION,
        prochain_contact_le__lte=le,
    ).select_related("organisation", "contact")
    return _pour(qs, user).order_by("prochain_contact_le", "pk")


def relance_de(devis: Devis) -> Relance | None:
    """The quote's relance, None when the daily rule has not created it yet."""
    return devis.relance if hasattr(devis, "relance") else None


def bientot_sans_suite(le: date, fin: date, *, user=None) -> QuerySet[Devis]:
    """Quotes that will become « sans suite » between tomorrow and ``fin``."""
    qs = Devis.objects.horloge_en_marche().filter(sans_suite_le__gt=le, sans_suite_le__lte=fin)
    return _pour(qs, user).select_related("organisation", "contact").order_by("sans_suite_le")


def classes_sans_suite(debut: date, fin: date, *, user=None) -> QuerySet[Devis]:
    qs = Devis.objects.filter(
        statut=StatutDevis.SANS_SUITE,
        classe_sans_suite_le__gte=debut,
        classe_sans_suite_le__lte=fin,
    )
    return _pour(qs, user).select_related("organisation").order_by("classe_sans_suite_le")


def reponses_a_qualifier(*, user=None) -> QuerySet[Devis]:
    """Waiting quotes paused by a reply read from the mailbox, whatever the date (oldest first)."""
    qs = Devis.objects.en_attente().filter(reponse_recue_le__isnull=False)
    return (
        _pour(qs, user).select_related("organisation", "contact").order_by("reponse_recue_le", "pk")
    )


def numeros(devis: QuerySet[Devis]) -> list[str]:
    """The quotes' numbers, for the rules' report (only a draft has none, and no rule lists one)."""
    return [n for n in devis.values_list("numero", flat=True) if n is not None]


def semaine(le: date) -> tuple[date, date]:
    lundi = le - timedelta(days=le.weekday())
    return lundi, lundi + timedelta(days=6)
