from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from crm.acces import gerant_requis, membre_requis
from crm.exceptions import RefusMetier
from crm.historique import historique
from crm.models import Mission
from crm.pages import page_formulaire
from crm.pagination import paginer
from crm.periodes import annee_choisie
from reclamations import forms as f
from reclamations import selectors, services
from reclamations.filters import ReclamationFilter
from reclamations.models import CanalReclamation, Reclamation, StatutAction


@membre_requis
def liste(request):
    """Suivi: every complaint, filtered, each deadline coloured (overdue, due soon)."""
    le = timezone.localdate()
    filtre = ReclamationFilter(
        request.GET, queryset=selectors.reclamations_visibles(request.user), le=le
    )
    page = paginer(request, filtre.qs.order_by("-recue_le", "-pk"))
    selectors.annoter_echeances(page, le)
    return render(
        request,
        "reclamations/reclamation_list.html",
        {"page": page, "filtre": filtre, "le": le},
    )


@membre_requis
def detail(request, pk: int):
    r = get_object_or_404(selectors.reclamations_visibles(request.user), pk=pk)
    le = timezone.localdate()
    selectors.annoter_echeances([r], le)
    return render(
        request,
        "reclamations/reclamation_detail.html",
        {
            "r": r,
            "peut_traiter": selectors.peut_traiter(request.user, r),
            "historique": historique(r),
            "actions": r.actions.select_related("responsable"),
            "client": selectors.historique_client(r, request.user),
            "le": le,
        },
    )


@gerant_requis
def tableau(request):
    """The complaints dashboard of one calendar year (the current one by default)."""
    le = timezone.localdate()
    annee = annee_choisie(request.GET.get("annee"), defaut=le.year)
    figures = selectors.tableau_de_bord(debut=date(annee, 1, 1), fin=date(annee, 12, 31), le=le)
    graphique = {
        "type": "bar",
        "labels": [m.debut.strftime("%m/%Y") for m in figures["par_mois"]],
        "datasets": [
            {"label": "Réclamations reçues", "data": [m.nombre for m in figures["par_mois"]]}
        ],
        "entiers": True,
    }
    return render(
        request,
        "reclamations/tableau.html",
        {
            "f": figures,
            "annee": annee,
            "annees": range(le.year, le.year - 5, -1),
            "graphique": graphique,
            "le": le,
        },
    )


# --- The six phases ------------------------------------------------------------------------------


def _formulaire(request, form, titre: str, retour: str, aide: str = ""):
    return page_formulaire(request, form, titre=titre, retour=retour, aide=aide)


def _etape(request, pk: int, classe, titre: str, appliquer, succes: str):
    """One phase of a complaint: the gérant, or the consultant who received it (DESIGN §7)."""
    r = get_object_or_404(selectors.reclamations_visibles(request.user), pk=pk)
    if not selectors.peut_traiter(request.user, r):
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


def _initial_creation(request) -> dict:
    """Pre-fill from the page it was opened from (an organisation, a mission, a debrief)."""
    initial: dict[str, Any] = {}
    for cle in ("organisation", "mission"):
        valeur = request.GET.get(cle, "")
        if valeur.isdigit():
            initial[cle] = int(valeur)
    if "mission" in initial:
        mission = (
            Mission.objects.pour_utilisateur(request.user)
            .select_related("devis", "debrief")
            .filter(pk=initial["mission"])
            .first()
        )
        if mission is None:
            initial.pop("mission")
        else:
            initial["organisation"] = mission.devis.organisation_id
            if mission.devis.contact_id:
                initial["contact"] = mission.devis.contact_id
            debrief = getattr(mission, "debrief", None)
            if debrief is not None and debrief.insatisfait:
                # Heard at the debrief: the client's own words are the complaint.
                initial["canal"] = CanalReclamation.ORAL
                initial["recue_le"] = debrief.le
                if debrief.verbatim:
                    initial["description"] = debrief.verbatim
    return initial


@membre_requis
def creer(request):
    """Anyone (a consultant at a debrief too) records a complaint in under a minute."""
    form = f.ReclamationForm(
        request.POST or None, initial=_initial_creation(request), user=request.user
    )
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
                f"Réclamation {r.numero} enregistrée : accusé de réception dû le "
                f"{r.accuse_du_le:%d/%m/%Y}, réponse due le {r.reponse_due_le:%d/%m/%Y}.",
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


@gerant_requis
def rouvrir(request, pk: int):
    return _etape(
        request,
        pk,
        f.ReouvertureForm,
        "Réouverture",
        lambda r, d: services.rouvrir(r, raison=d["raison"], par=request.user),
        "Réclamation rouverte.",
    )


# --- Exploitation: corrective and preventive actions ----------------------------------------------


@gerant_requis
def action_creer(request, pk: int | None = None):
    r = get_object_or_404(Reclamation, pk=pk) if pk else None
    form = f.ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.creer_action(
                description=d["description"],
                echeance=d["echeance"],
                type=d["type"],
                reclamation=r,
                responsable=d["responsable"],
            )
        except RefusMetier as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Action enregistrée.")
            return redirect(r) if r else redirect("reclamations:actions")
    return _formulaire(
        request,
        form,
        "Nouvelle action corrective ou préventive" + (f" — réclamation {r.numero}" if r else ""),
        r.get_absolute_url() if r else reverse("reclamations:actions"),
    )


@membre_requis
def actions(request):
    """Every corrective and preventive action, overdue first."""
    le = timezone.localdate()
    qs = selectors.actions_visibles(request.user)
    statut = request.GET.get("statut", "")
    if statut == "ouvertes":
        qs = qs.filter(statut__in=selectors.ACTIONS_OUVERTES)
    elif statut in StatutAction.values:
        qs = qs.filter(statut=statut)
    page = paginer(request, selectors.actions_triees(qs, le))
    return render(
        request,
        "reclamations/action_list.html",
        {"page": page, "statut": statut, "statuts": StatutAction.choices, "le": le},
    )


@membre_requis
def action_suivre(request, pk: int):
    """The gérant, or the action's owner, records where it stands and whether it worked."""
    action = get_object_or_404(selectors.actions_visibles(request.user), pk=pk)
    initial = {
        "statut": action.statut,
        "realisee_le": action.realisee_le,
        "efficacite_verifiee": ""
        if action.efficacite_verifiee is None
        else str(action.efficacite_verifiee),
        "efficacite_commentaire": action.efficacite_commentaire,
    }
    form = f.SuiviActionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.suivre_action(
                action, le=timezone.localdate(), par=request.user, **form.cleaned_data
            )
        except RefusMetier as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Suivi de l'action enregistré.")
            return redirect("reclamations:actions")
    return _formulaire(
        request,
        form,
        "Suivi de l'action",
        reverse("reclamations:actions"),
        aide=f"{action.get_type_display()} — {action.description[:200]} "
        f"(échéance le {action.echeance:%d/%m/%Y})",
    )
