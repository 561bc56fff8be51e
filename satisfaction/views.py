from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from crm.acces import gerant_requis, membre_requis, mission_pour
from crm.exceptions import RefusMetier
from crm.models import TypePrestation
from crm.periodes import annee_choisie
from crm.public import objet_par_jeton, page_publique, reponse_publique
from crm.roles import CONSULTANT
from satisfaction import selectors, services
from satisfaction.forms import DebriefForm, ReponseEnqueteForm
from satisfaction.models import Enquete

# --- The satisfaction page ----------------------------------------------------------------------


def _graphiques(tendance: list[dict]) -> dict:
    libelles = [t["libelle"] for t in tendance]
    return {
        "indicateurs": {
            "type": "line",
            "labels": libelles,
            "datasets": [
                {
                    "label": "Taux de satisfaction (%)",
                    "data": [t["taux_satisfaction"] for t in tendance],
                },
                {"label": "NPS", "data": [t["nps"] for t in tendance]},
            ],
            "min": -100,
            "max": 100,
        },
        "effort": {
            "type": "bar",
            "labels": libelles,
            "datasets": [
                {
                    "label": "Effort client moyen (sur 7)",
                    "data": [t["effort_moyen"] for t in tendance],
                }
            ],
            "min": 0,
            "max": 7,
        },
        "debriefs": {
            "type": "bar",
            "labels": libelles,
            "datasets": [
                {
                    "label": "Oui",
                    "data": [t["debriefs"]["oui"] for t in tendance],
                    "couleur": "#2e7d32",
                },
                {
                    "label": "Partiellement",
                    "data": [t["debriefs"]["partiellement"] for t in tendance],
                    "couleur": "#c77c02",
                },
                {
                    "label": "Non",
                    "data": [t["debriefs"]["non"] for t in tendance],
                    "couleur": "#b02a37",
                },
            ],
            "entiers": True,
        },
    }


@gerant_requis
def tableau(request):
    """Indicators of one year (optionally one service type or one consultant), their trend over
    the last eight quarters, the breakdowns, the verbatims and the surveys to send."""
    le = timezone.localdate()
    annee = annee_choisie(request.GET.get("annee"), defaut=le.year)
    debut = date(annee, 1, 1)
    # The current year stops today: no empty quarters ahead in the trend.
    fin = min(date(annee, 12, 31), max(le, debut))
    type_prestation = request.GET.get("type_prestation", "")
    if type_prestation not in TypePrestation.values:
        type_prestation = ""
    consultants = get_user_model().objects.filter(groups__name=CONSULTANT, is_active=True)
    consultant = None
    if request.GET.get("consultant", "").isdigit():
        consultant = consultants.filter(pk=request.GET["consultant"]).first()
    filtres = selectors.Filtres(type_prestation=type_prestation or None, consultant=consultant)
    tendance = selectors.tendance_par_trimestre(debut=date(annee - 1, 1, 1), fin=fin, **filtres)
    return render(
        request,
        "satisfaction/tableau.html",
        {
            "indicateurs": selectors.indicateurs(debut=debut, fin=fin, **filtres),
            "debut": debut,
            "fin": fin,
            "annee": annee,
            "annees": range(le.year, le.year - 5, -1),
            "types": TypePrestation.choices,
            "type_prestation": type_prestation,
            "consultants": consultants.order_by("first_name", "last_name"),
            "consultant": consultant,
            "tendance": tendance,
            "graphiques": _graphiques(tendance),
            "par_type": selectors.indicateurs_par_type(debut=debut, fin=fin),
            "par_consultant": selectors.indicateurs_par_consultant(debut=debut, fin=fin),
            "verbatims": selectors.verbatims(debut=debut, fin=fin),
            "a_envoyer": selectors.missions_sans_enquete(le)[:50],
        },
    )


# --- The public survey page ----------------------------------------------------------------------


# Three scores and a comment of at most a few thousand characters.
CORPS_MAX_ENQUETE = 64 * 1024


@page_publique(limite="CRM_ENQUETE_LIMITE", corps_max=CORPS_MAX_ENQUETE)
def enquete_publique(request, jeton: str):
    """The survey's page: the client answers once, before expiry.

    A wrong token is a plain 404, an expired survey a 410: neither says anything of other
    surveys. The guards of every public page (rate limit per client address, cross-site POST,
    body size) come first: ``crm.public``.
    """
    enquete = objet_par_jeton(Enquete.objects.select_related("contact__organisation"), jeton)
    if enquete is None:
        return reponse_publique(request, "satisfaction/enquete_introuvable.html", status=404)
    le = timezone.localdate()
    if enquete.repondue:
        return reponse_publique(request, "satisfaction/enquete_merci.html", {"deja": True})
    if le > enquete.expire_le:
        return reponse_publique(request, "satisfaction/enquete_expiree.html", status=410)
    form = ReponseEnqueteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.repondre_enquete(enquete, le=le, **form.cleaned_data)
        except services.EnqueteFermee:
            return reponse_publique(request, "satisfaction/enquete_merci.html", {"deja": True})
        except RefusMetier as exc:
            form.add_error(None, exc.message)
        else:
            return reponse_publique(request, "satisfaction/enquete_merci.html", {"deja": False})
    return reponse_publique(
        request, "satisfaction/enquete_form.html", {"form": form, "enquete": enquete}
    )


# --- Debrief and survey sending ----------------------------------------------------------------


@membre_requis
def debrief(request, pk: int):
    """The consultant's debrief of one of their missions (the gérant may log it too)."""
    mission = mission_pour(request, pk)
    if hasattr(mission, "debrief"):
        messages.info(request, "Le débrief de cette mission est déjà enregistré.")
        return redirect(mission)
    form = DebriefForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            d = services.enregistrer_debrief(
                mission, le=timezone.localdate(), par=request.user, **form.cleaned_data
            )
        except RefusMetier as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Débrief enregistré. Merci !")
            if d.insatisfait:
                messages.warning(
                    request,
                    "Le client n'est pas satisfait : enregistrez sa réclamation maintenant.",
                )
                return redirect(
                    f"{reverse('reclamations:creer')}?organisation="
                    f"{mission.devis.organisation_id}&mission={mission.pk}"
                )
            return redirect(mission)
    return render(request, "satisfaction/debrief_form.html", {"form": form, "mission": mission})


@membre_requis
@require_POST
def demande_depuis_debrief(request, pk: int):
    mission = mission_pour(request, pk)
    d = getattr(mission, "debrief", None)
    if d is None:
        raise Http404("Pas de débrief")
    demande = services.ouvrir_demande_depuis_debrief(d, le=timezone.localdate(), par=request.user)
    messages.success(request, "Nouvelle demande ouverte à partir du besoin exprimé au débrief.")
    return redirect(demande)


@gerant_requis
@require_POST
def envoyer_enquete(request, pk: int):
    mission = mission_pour(request, pk)
    contact = mission.devis.contact
    le = timezone.localdate()
    retour = request.POST.get("retour") == "satisfaction"
    en_cours = mission.enquetes.filter(
        contact=contact, reponse__isnull=True, expire_le__gte=le
    ).exists()
    if contact is None:
        messages.error(request, "Le devis de cette mission n'a pas de contact à interroger.")
    elif en_cours:
        messages.info(request, "Une enquête attend déjà la réponse de ce contact.")
    else:
        try:
            enquete = services.creer_enquete(contact=contact, le=le, mission=mission)
            services.envoyer_enquete(enquete, le=le, par=request.user)
        except RefusMetier as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Enquête envoyée à {contact.nom_complet}.")
    return redirect("satisfaction:tableau") if retour else redirect(mission)
