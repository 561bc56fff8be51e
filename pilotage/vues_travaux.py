"""The pages of the background jobs: « Mes fichiers », a job's page (its progress bar polled by
htmx) and the download of its file. Only the user who asked and the gérant find a job (404)."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from crm.acces import membre_requis
from crm.roles import est_gerant
from pilotage.models import Travail
from pilotage.travaux import chemin_fichier


def travaux_visibles(user):
    qs = Travail.objects.select_related("user")
    return qs if est_gerant(user) else qs.filter(user=user)


def _travail_pour(request, pk: int) -> Travail:
    return get_object_or_404(travaux_visibles(request.user), pk=pk)


@membre_requis
def mes_fichiers(request):
    """The user's own jobs (the gérant's too: the others' are reached by their page)."""
    travaux = Travail.objects.filter(user=request.user)[:50]
    return render(
        request, "pilotage/travaux.html", {"travaux": travaux, "jours": settings.CRM_TRAVAUX_JOURS}
    )


@membre_requis
def travail(request, pk: int):
    travail = _travail_pour(request, pk)
    gabarit = "pilotage/_travail_etat.html" if request.htmx else "pilotage/travail.html"
    return render(request, gabarit, {"travail": travail, "jours": settings.CRM_TRAVAUX_JOURS})


@membre_requis
def travail_fichier(request, pk: int):
    travail = _travail_pour(request, pk)
    chemin = chemin_fichier(travail) if travail.statut == Travail.Statut.TERMINE else None
    if chemin is None:
        raise Http404("Fichier indisponible")
    return FileResponse(
        open(chemin, "rb"),  # noqa: SIM115 - closed by FileResponse
        as_attachment=True,
        filename=travail.nom_fichier,
        content_type=travail.type_mime or "application/octet-stream",
    )
