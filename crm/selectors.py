"""Reads of the core, shared by the daily rules, the to-do page and the digest."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, Max, Model, OuterRef, Q, QuerySet, Subquery
from django_stubs_ext import WithAnnotations

from crm.calendrier import ajouter_jours_ouvres
from crm.models import TYPES_RENCONTRE, Demande, Organisation, StatutDemande, Tache, TacheQuerySet
from crm.roles import est_gerant

if TYPE_CHECKING:
    from crm.extensions import CibleTache, Utilisateur


def echeance_qualification(recue_le: date) -> date:
    return ajouter_jours_ouvres(recue_le, settings.CRM_DEMANDE_QUALIFICATION_JOURS_OUVRES)


def demandes_a_qualifier(le: date, *, user: Utilisateur | None = None) -> QuerySet[Demande]:
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


def demandes_nouvelles(*, user: Utilisateur | None = None) -> QuerySet[Demande]:
    qs = Demande.objects.filter(statut=StatutDemande.NOUVELLE)
    if user is not None and not est_gerant(user):
        qs = qs.filter(Q(responsable=user) | Q(organisation__responsable=user))
    return qs.select_related("organisation", "contact").order_by("recue_le", "pk")


class PointClient(TypedDict):
    """What ``clients_cles_a_voir`` adds to each key client: its last meeting, the meeting
    booked ahead, and the day the next meeting falls due (None when never met)."""

    dernier_point: date | None
    rendez_vous_le: date | None
    point_du_le: date | None


def clients_cles_a_voir(
    le: date, *, user: Utilisateur | None = None, aujourdhui: date | None = None
) -> list[WithAnnotations[Organisation, PointClient]]:
    """Key clients whose last meeting is older than their meeting frequency (or who never had
    one), unless a meeting is booked: an open « rendez-vous » task linked to the organisation,
    due on or after ``aujourdhui`` (default ``le``; the digest asks for the week's end but a
    meeting booked for Wednesday is booked today). Once its date passes without being done,
    the client is due again; done, it records the meeting (``terminer_tache``)."""
    aujourdhui = aujourdhui or le
    qs = Organisation.objects.filter(
        cle=True, archivee=False, frequence_point_jours__isnull=False
    ).annotate(
        dernier_point=Max("interactions__date", filter=Q(interactions__type__in=TYPES_RENCONTRE)),
        rendez_vous_le=Subquery(
            Tache.objects.ouvertes()
            .filter(
                rendez_vous=True,
                content_type=ContentType.objects.get_for_model(Organisation),
                objet_id=OuterRef("pk"),
                echeance__gte=aujourdhui,
            )
            .order_by("echeance")
            .values("echeance")[:1]
        ),
    )
    if user is not None and not est_gerant(user):
        qs = qs.filter(Q(responsable=user) | Q(devis__mission__consultants=user)).distinct()
    # Key clients are few: the per-row interval is compared here rather than with database
    # date arithmetic, which differs between SQLite and PostgreSQL.
    # cast: django-stubs drops the annotations through a custom queryset's select_related and
    # order_by; dernier_point and rendez_vous_le are annotated above, point_du_le set below.
    lignes = cast(
        "list[WithAnnotations[Organisation, PointClient]]",
        list(qs.select_related("responsable").order_by("raison_sociale")),
    )
    dus = []
    for org in lignes:
        if org.dernier_point is None:
            org.point_du_le = None
        else:
            # frequence_point_jours is set (filtered above)
            org.point_du_le = org.dernier_point + timedelta(days=org.frequence_point_jours or 0)
        if org.rendez_vous_le is not None:
            continue  # booked
        if org.point_du_le is None or org.point_du_le <= le:
            dus.append(org)
    return dus


# --- Tasks (DESIGN §10) ------------------------------------------------------------------------


def cible_de(modele: type[Model] | Model) -> CibleTache | None:
    """The registered task target of a model (or of an object's model), or None."""
    from crm.extensions import cibles_taches

    label = modele._meta.label
    for cible in cibles_taches.tous():
        if cible.modele.lower() == label.lower():
            return cible
    return None


def taches_visibles(user: Utilisateur) -> TacheQuerySet:
    """The tasks ``user`` may see: their own (the gérant: everyone's), unlinked or linked to an
    object they may see (each target's ``visibles(user)``, as a subquery: one query whatever
    the number of targets)."""
    from django.apps import apps

    from crm.extensions import cibles_taches

    qs = Tache.objects.select_related("responsable", "content_type")
    if not est_gerant(user):
        qs = qs.filter(responsable=user)
    objets = Q(content_type__isnull=True)
    for cible in cibles_taches.tous():
        type_ = ContentType.objects.get_for_model(apps.get_model(cible.modele))
        objets |= Q(content_type=type_, objet_id__in=cible.visibles(user).values("pk"))
    return qs.filter(objets)


def taches_de(objet: Model, *, user: Utilisateur) -> QuerySet[Tache]:
    """The open tasks linked to ``objet`` that ``user`` may see, soonest first."""
    return (
        taches_visibles(user)
        .ouvertes()
        .filter(content_type=ContentType.objects.get_for_model(objet), objet_id=objet.pk)
        .order_by("echeance", "pk")
    )


def tache_a_venir(le: date, *, modele: type[Model], champ: str = "pk") -> Exists:
    """``Exists``: an open task due on or after ``le`` is linked to the row (``OuterRef(champ)``
    of a queryset of ``modele``): the affair has a next date (« Sans prochaine étape »)."""
    return Exists(
        Tache.objects.ouvertes().filter(
            content_type=ContentType.objects.get_for_model(modele),
            objet_id=OuterRef(champ),
            echeance__gte=le,
        )
    )


def taches_echues(le: date) -> QuerySet[Tache]:
    """Open tasks due on or before ``le`` (``appliquer(le)["taches_echues"]``)."""
    return Tache.objects.ouvertes().filter(echeance__lte=le).order_by("echeance", "pk")


def demandes_sans_prochaine_etape(le: date) -> QuerySet[Demande]:
    """Requests with a Go and no quote yet, and no open task ahead: nothing will bring them
    back. (A Go request's next step is the quote; its absence is the hole.)"""
    # NOT EXISTS rather than the LEFT JOIN of ``devis__isnull``: with the joins of
    # select_related, SQLite probed all of a long history's Go requests through the join
    # (308 ms at 100 000 quotes, 35 ms this way). The quote model is reached through the
    # relation, so the core still imports no app.
    devis: Any = Demande._meta.get_field("devis").related_model
    return (
        Demande.objects.filter(statut=StatutDemande.GO)
        .filter(~Exists(devis._default_manager.filter(demande=OuterRef("pk"))))
        .exclude(tache_a_venir(le, modele=Demande))
        .select_related("organisation", "contact")
        .order_by("recue_le", "pk")
    )


def url_objet(tache: Tache) -> str:
    """The page of the task's object, without loading it (a list of tasks stays one query):
    the targets' ``get_absolute_url`` need only the primary key (as every one here does)."""
    type_objet = tache.content_type if tache.content_type_id else None
    modele = type_objet.model_class() if type_objet is not None else None
    if modele is None or not hasattr(modele, "get_absolute_url"):
        return ""
    objet: Any = modele(pk=tache.objet_id)  # a registered target: it has get_absolute_url
    return str(objet.get_absolute_url())
