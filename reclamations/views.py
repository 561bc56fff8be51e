from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from crm.acces import membre_requis
from crm.historique import historique
from crm.roles import est_gerant
from reclamations.models import Reclamation, StatutReclamation


def reclamations_visibles(user):
    qs = Reclamation.objects.select_related("organisation", "contact", "nature")
    if est_gerant(user):
        return qs
    # A consultant sees the complaints they received and those on their missions.
    return qs.filter(Q(recue_par=user) | Q(mission__consultants=user) | Q(responsable=user)).distinct()


@membre_requis
def liste(request):
    qs = reclamations_visibles(request.user).order_by("-recue_le", "-pk")
    statut = request.GET.get("statut", "")
    if statut in StatutReclamation.values:
        qs = qs.filter(statut=statut)
    le = timezone.localdate()
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    en_retard = set(Reclamation.objects.en_retard(le).filter(pk__in=[r.pk for r in page]).values_list("pk", flat=True))
    for r in page:
        r.en_retard = r.pk in en_retard
    return render(
        request,
        "reclamations/reclamation_list.html",
        {"page": page, "statut": statut, "statuts": StatutReclamation.choices, "le": le},
    )


@membre_requis
def detail(request, pk: int):
    r = get_object_or_404(reclamations_visibles(request.user), pk=pk)
    return render(
        request,
        "reclamations/reclamation_detail.html",
        {"r": r, "historique": historique(r), "actions": r.actions.all(), "le": timezone.localdate()},
    )
