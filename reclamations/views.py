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
    return qs.filter(
        Q(recue_par=user) | Q(mission__consultants=user) | Q(responsable=user)
    ).distinct()


@membre_requis
def liste(request):
    qs = reclamations_visibles(request.user).order_by("-recue_le", "-pk")
    statut = request.GET.get("statut", "")
    if statut in StatutReclamation.values:
        qs = qs.filter(statut=statut)
    le = timezone.localdate()
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    en_retard = set(
        Reclamation.objects.en_retard(le)
        .filter(pk__in=[r.pk for r in page])
        .values_list("pk", flat=True)
    )
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
        {
            "r": r,
            "historique": historique(r),
            "actions": r.actions.all(),
            "le": timezone.localdate(),
        },
    )


# --- The six phases ------------------------------------------------------------------------------

from django.contrib import messages  # noqa: E402
from django.shortcuts import redirect  # noqa: E402
from django.urls import reverse  # noqa: E402

from crm.acces import gerant_requis  # noqa: E402
from crm.exceptions import RefusMetier  # noqa: E402
from reclamations import forms as f  # noqa: E402
from reclamations import services  # noqa: E402


def _formulaire(request, form, titre: str, retour: str, aide: str = ""):
    return render(
        request,
        "crm/formulaire.html",
        {"form": form, "titre": titre, "retour": retour, "aide": aide},
    )


def _etape(request, pk: int, classe, titre: str, appliquer, succes: str):
    """One phase of a complaint: the gérant, or the consultant who received it (DESIGN §7)."""
    from django.core.exceptions import PermissionDenied

    from crm.roles import est_gerant

    r = get_object_or_404(reclamations_visibles(request.user), pk=pk)
    if not (est_gerant(request.user) or r.recue_par_id == request.user.pk):
        raise PermissionDenied(
            "Seuls le gérant et la personne qui a reçu la réclamation la traitent."
        )
    form = classe(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            appliquer(r, form.cleaned_data)
        except RefusMetier as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, succes)
            return redirect(r)
    return _formulaire(request, form, f"{titre} — {r.numero}", r.get_absolute_url())


@membre_requis
def creer(request):
    """Anyone (a consultant at a debrief too) records a complaint in under a minute."""
    initial = {k: request.GET.get(k) for k in ("organisation", "mission") if request.GET.get(k)}
    form = f.ReclamationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            r = services.enregistrer_reclamation(
                organisation=d["organisation"],
                recue_le=d["recue_le"],
                description=d["description"],
                contact=d["contact"],
                par=request.user,
                canal=d["canal"],
                gravite=d["gravite"],
                mission=d["mission"],
            )
        except RefusMetier as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                f"Réclamation {r.numero} enregistrée : accusé de réception dû le {r.accuse_du_le:%d/%m/%Y}.",
            )
            return redirect(r)
    return _formulaire(
        request,
        form,
        "Nouvelle réclamation",
        reverse("reclamations:liste"),
        aide="Notez les mots du client ; la qualification viendra ensuite.",
    )


@membre_requis
def accuser(request, pk: int):
    return _etape(
        request,
        pk,
        f.AccuseForm,
        "Accusé de réception",
        lambda r, d: services.accuser_reception(r, le=d["le"], mode=d["mode"], par=request.user),
        "Accusé de réception enregistré.",
    )


@membre_requis
def qualifier(request, pk: int):
    return _etape(
        request,
        pk,
        f.QualificationForm,
        "Qualification",
        lambda r, d: services.qualifier(r, par=request.user, **d),
        "Réclamation qualifiée.",
    )


@membre_requis
def repondre(request, pk: int):
    return _etape(
        request,
        pk,
        f.ReponseForm,
        "Réponse au client",
        lambda r, d: services.repondre(r, par=request.user, **d),
        "Réponse enregistrée.",
    )


@membre_requis
def clore(request, pk: int):
    return _etape(
        request,
        pk,
        f.ClotureForm,
        "Clôture",
        lambda r, d: services.clore(
            r,
            le=d["le"],
            client_satisfait=d["client_satisfait"],
            verification=d["verification"],
            par=request.user,
        ),
        "Réclamation close.",
    )


@membre_requis
def rouvrir(request, pk: int):
    return _etape(
        request,
        pk,
        f.ReouvertureForm,
        "Réouverture",
        lambda r, d: services.rouvrir(r, raison=d["raison"], par=request.user),
        "Réclamation rouverte.",
    )


@gerant_requis
def action_creer(request, pk: int | None = None):
    r = get_object_or_404(Reclamation, pk=pk) if pk else None
    form = f.ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = form.save(commit=False)
        action.reclamation = r
        action.save()
        messages.success(request, "Action enregistrée.")
        return redirect(r) if r else redirect("reclamations:liste")
    return _formulaire(
        request,
        form,
        "Nouvelle action corrective ou préventive",
        r.get_absolute_url() if r else reverse("reclamations:liste"),
    )
