"""Reads of the core, shared by the daily rules, the to-do page and the digest."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Max, Q, QuerySet

from crm.calendrier import ajouter_jours_ouvres
from crm.models import TYPES_RENCONTRE, Demande, Organisation, StatutDemande
from crm.roles import est_gerant


def echeance_qualification(recue_le: date) -> date:
    return ajouter_jours_ouvres(recue_le, settings.CRM_DEMANDE_QUALIFICATION_JOURS_OUVRES)


def demandes_a_qualifier(le: date, *, user=None) -> QuerySet[Demande]:
    """Requests still « nouvelle » after the promised 2 jours ouvrés (late from the next day)."""
    # Latest reception day whose deadline falls before ``le``: every request received on or
    # before it is late. Walking back a few days keeps the query a simple indexed range.
    jour = le
    while echeance_qualification(jour) >= le:
        jour -= timedelta(days=1)
    qs = Demande.objects.filter(statut=StatutDemande.NOUVELLE, recue_le__lte=jour)
    if user is not None and not est_gerant(user):
        qs = qs.filter(Q(responsable=user) | Q(organisation__responsable=user))
    return qs.select_related("organisation", "contact").order_by("recue_le", "pk")


def demandes_nouvelles(*, user=None) -> QuerySet[Demande]:
    qs = Demande.objects.filter(statut=StatutDemande.NOUVELLE)
    if user is not None and not est_gerant(user):
        qs = qs.filter(Q(responsable=user) | Q(organisation__responsable=user))
    return qs.select_related("organisation", "contact").order_by("recue_le", "pk")


def clients_cles_a_voir(le: date, *, user=None) -> list[Organisation]:
    """Key clients whose last meeting is older than their meeting frequency (or who never had one)."""
    qs = Organisation.objects.filter(
        cle=True, archivee=False, frequence_point_jours__isnull=False
    ).annotate(
        dernier_point=Max("interactions__date", filter=Q(interactions__type__in=TYPES_RENCONTRE))
    )
    if user is not None and not est_gerant(user):
        qs = qs.filter(Q(responsable=user) | Q(devis__mission__consultants=user)).distinct()
    # Key clients are few: the per-row interval is compared here rather than with database
    # date arithmetic, which differs between SQLite and PostgreSQL.
    dus = []
    for org in qs.select_related("responsable").order_by("raison_sociale"):
        if org.dernier_point is None:
            org.point_du_le = None
        else:
            org.point_du_le = org.dernier_point + timedelta(days=org.frequence_point_jours)
        if org.point_du_le is None or org.point_du_le <= le:
            dus.append(org)
    return dus
