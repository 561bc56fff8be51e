"""Access helpers: every view finds its object through one of these, which check the user's
rights on the object (DESIGN §7). A guessed id of an object one may not see is a 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404

from crm.models import Demande, Mission, Organisation, OrganisationQuerySet
from crm.roles import est_consultant, est_gerant

if TYPE_CHECKING:
    from crm.extensions import Utilisateur

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)
M = TypeVar("M", bound=Model)
# A view: the request, then its URL's arguments.
Vue = Callable[Concatenate[HttpRequest, P], R]


def gerant_requis(vue: Vue[P, R]) -> Vue[P, R]:
    """Views only the gérant may use: others get a French 403 page."""

    @login_required
    @wraps(vue)
    def enveloppe(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> R:
        if not est_gerant(request.user):
            raise PermissionDenied("Cette page est réservée au gérant.")
        return vue(request, *args, **kwargs)

    return enveloppe


def membre_requis(vue: Vue[P, R]) -> Vue[P, R]:
    """Views for the gérant and the consultants (any signed-in member of the firm)."""

    @login_required
    @wraps(vue)
    def enveloppe(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> R:
        if not (est_gerant(request.user) or est_consultant(request.user)):
            raise PermissionDenied("Votre compte n'a accès à aucune page du CRM : voyez le gérant.")
        return vue(request, *args, **kwargs)

    return enveloppe


def organisations_visibles(user: Utilisateur) -> OrganisationQuerySet:
    # Consultants read every client and prospect (DESIGN §7); nobody sees archived ones here.
    return Organisation.objects.all()


def missions_visibles(user: Utilisateur) -> QuerySet[Mission]:
    qs = Mission.objects.select_related("devis__organisation", "devis__contact")
    if est_gerant(user):
        return qs
    return qs.filter(consultants=user)


def demandes_visibles(user: Utilisateur) -> QuerySet[Demande]:
    return Demande.objects.select_related("organisation", "contact")


def organisation_pour(request: HttpRequest, pk: int) -> Organisation:
    return get_object_or_404(organisations_visibles(request.user), pk=pk)


def mission_pour(request: HttpRequest, pk: int) -> Mission:
    return get_object_or_404(missions_visibles(request.user), pk=pk)


def demande_pour(request: HttpRequest, pk: int) -> Demande:
    return get_object_or_404(demandes_visibles(request.user), pk=pk)


def filtre_consultant(
    user: Utilisateur, qs: QuerySet[M], champ_organisation: str = "organisation"
) -> QuerySet[M]:
    """A consultant's own clients: those they are responsible for or have a mission with."""
    if est_gerant(user):
        return qs
    return qs.filter(
        Q(**{f"{champ_organisation}__responsable": user})
        | Q(**{f"{champ_organisation}__devis__mission__consultants": user})
    ).distinct()
