"""Reads for the RGPD rules: when each prospect was last in contact with the firm."""

from __future__ import annotations

from datetime import date
from typing import TypedDict

from django.db.models import DateField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django_stubs_ext import WithAnnotations

from crm.calendrier import ajouter_mois
from crm.effacement import TRES_ANCIEN
from crm.extensions import donnees_personnelles
from crm.models import Organisation
from rgpd.models import Signalement, StatutSignalement

# CNIL référentiel « gestion commerciale »: a prospect's data is kept 3 years from the last
# contact coming from them, then deleted or anonymised.
DUREE_CONSERVATION_MOIS = 36


class DernierContact(TypedDict):
    dernier_contact: date


def avec_dernier_contact(
    qs: QuerySet[Organisation],
) -> QuerySet[WithAnnotations[Organisation, DernierContact]]:
    """Annotate ``dernier_contact``: the latest of the organisation's creation and of every
    app's records of it (``DonneesPersonnelles.derniere_activite``: exchanges, requests,
    quotes, complaints…)."""
    dates = [d for part in donnees_personnelles.tous() for d in part.derniere_activite()]
    return qs.annotate(
        dernier_contact=Greatest(
            Coalesce(TruncDate("cree_le"), Value(TRES_ANCIEN)),
            Value(TRES_ANCIEN),  # Greatest needs two terms even when no app contributes
            *dates,
            output_field=DateField(),
        )
    )


def seuil_inactivite(le: date) -> date:
    return ajouter_mois(le, -DUREE_CONSERVATION_MOIS)


def prospects() -> QuerySet[Organisation]:
    """Organisations that are not clients (an app says so: an accepted quote…) and not already
    anonymised."""
    qs = Organisation.objects.all()
    for part in donnees_personnelles.tous():
        if part.client is not None:
            qs = qs.exclude(part.client())
    return qs.exclude(
        Exists(
            Signalement.objects.filter(
                organisation=OuterRef("pk"), statut=StatutSignalement.ANONYMISE
            )
        )
    )


def prospects_inactifs(le: date) -> QuerySet[WithAnnotations[Organisation, DernierContact]]:
    """Prospects with no contact for 3 years as of ``le`` (strictly before the threshold)."""
    return avec_dernier_contact(prospects()).filter(dernier_contact__lt=seuil_inactivite(le))


def signalements_ouverts() -> QuerySet[Signalement]:
    return Signalement.objects.filter(statut=StatutSignalement.SIGNALE).select_related(
        "organisation"
    )
