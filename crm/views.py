"""Views of the core: thin callers of selectors and services (STYLE « Views »)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from crm import digest
from crm.acces import (
    demande_pour,
    demandes_visibles,
    gerant_requis,
    membre_requis,
    mission_pour,
    missions_visibles,
    organisation_pour,
    organisations_visibles,
)
from crm.calendrier import jours_ouvres_entre
from crm.exceptions import RefusMetier
from crm.filters import DemandeFilter, OrganisationFilter
from crm.forms import RevueForm
from crm.historique import historique
from crm.roles import est_gerant
from crm.services import decider_faisabilite
from crm.timeline import chronologie


@membre_requis
def accueil(request):
    """« Aujourd'hui »: what to chase today, overdue first (the digest's sections, for today)."""
    le = timezone.localdate()
    sections = digest.contenu(request.user, le)
    return render(request, "crm/accueil.html", {"le": le, "sections": sections})


@membre_requis
def organisations(request):
    qs = organisations_visibles(request.user).avec_statut().select_related("responsable")
    filtre = OrganisationFilter(request.GET, queryset=qs)
    page = Paginator(filtre.qs.order_by("raison_sociale", "pk"), 25).get_page(request.GET.get("page"))
    return render(request, "crm/organisation_list.html", {"filtre": filtre, "page": page})


@membre_requis
def organisation(request, pk: int):
    org = organisation_pour(request, pk)
    contacts = org.contacts.filter(archive=False).order_by("nom", "prenom")
    return render(
        request,
        "crm/organisation_detail.html",
        {
            "org": org,
            "contacts": contacts,
            "chronologie": chronologie(org, voir_prix=est_gerant(request.user)),
            "recommandations": org.recommandations.order_by("raison_sociale"),
            "historique": historique(org) if est_gerant(request.user) else [],
        },
    )


@membre_requis
def demandes(request):
    qs = demandes_visibles(request.user)
    filtre = DemandeFilter(request.GET, queryset=qs)
    page = Paginator(filtre.qs.order_by("-recue_le", "-pk"), 25).get_page(request.GET.get("page"))
    le = timezone.localdate()
    for d in page:
        d.age_jours_ouvres = jours_ouvres_entre(d.recue_le, le)
    return render(request, "crm/demande_list.html", {"filtre": filtre, "page": page})


@membre_requis
def demande(request, pk: int):
    d = demande_pour(request, pk)
    return render(
        request,
        "crm/demande_detail.html",
        {
            "demande": d,
            "revue": getattr(d, "revue", None),
            "devis_lies": d.devis.order_by("-pk") if est_gerant(request.user) else [],
            "historique": historique(d),
            "age": jours_ouvres_entre(d.recue_le, timezone.localdate()),
        },
    )


@gerant_requis
def revue(request, pk: int):
    d = demande_pour(request, pk)
    existante = getattr(d, "revue", None)
    if existante is not None:
        messages.info(request, "La revue de faisabilité de cette demande est déjà enregistrée.")
        return redirect(d)
    form = RevueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decider_faisabilite(d, le=timezone.localdate(), par=request.user, **form.cleaned_data)
        except RefusMetier as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Revue de faisabilité enregistrée.")
            return redirect(d)
    return render(request, "crm/revue_form.html", {"demande": d, "form": form})


@membre_requis
def missions(request):
    qs = missions_visibles(request.user).prefetch_related("consultants").order_by("-debut", "-pk")
    statut = request.GET.get("statut")
    if statut:
        qs = qs.filter(statut=statut)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "crm/mission_list.html", {"page": page, "statut": statut})


@membre_requis
def mission(request, pk: int):
    m = mission_pour(request, pk)
    return render(
        request,
        "crm/mission_detail.html",
        {
            "mission": m,
            "voir_prix": est_gerant(request.user),
            "debrief": getattr(m, "debrief", None),
            "historique": historique(m),
        },
    )


@gerant_requis
def apercu_digest(request):
    le = timezone.localdate()
    return render(
        request,
        "crm/digest_apercu.html",
        {"le": le, "sections": digest.contenu(request.user, le)},
    )
