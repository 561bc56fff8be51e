from __future__ import annotations

from datetime import date

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from crm.acces import gerant_requis
from crm.exceptions import RefusMetier
from crm.models import Entreprise
from satisfaction import services
from satisfaction.forms import ReponseEnqueteForm
from satisfaction.models import Enquete
from satisfaction.selectors import indicateurs


@gerant_requis
def tableau(request):
    le = timezone.localdate()
    debut = date(le.year, 1, 1)
    return render(
        request,
        "satisfaction/tableau.html",
        {"indicateurs": indicateurs(debut=debut, fin=le), "debut": debut, "fin": le},
    )


def _public(response):
    # Private link: never cached, never sent on as a referrer.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
def enquete_publique(request, jeton: str):
    """The only page open without an account: the client answers once, before expiry."""
    enquete = Enquete.objects.par_jeton(jeton).select_related("contact__organisation").first()
    if enquete is None:
        raise Http404("Enquête introuvable")
    le = timezone.localdate()
    if enquete.repondue:
        return _public(
            render(
                request,
                "satisfaction/enquete_merci.html",
                {"deja": True, "entreprise": Entreprise.courante()},
            )
        )
    if le > enquete.expire_le:
        return _public(
            render(
                request,
                "satisfaction/enquete_expiree.html",
                {"entreprise": Entreprise.courante()},
                status=410,
            )
        )
    form = ReponseEnqueteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.repondre_enquete(enquete, le=le, **form.cleaned_data)
        except services.EnqueteFermee:
            return _public(
                render(
                    request,
                    "satisfaction/enquete_merci.html",
                    {"deja": True, "entreprise": Entreprise.courante()},
                )
            )
        except RefusMetier as exc:
            form.add_error(None, exc.message)
        else:
            return _public(
                render(
                    request,
                    "satisfaction/enquete_merci.html",
                    {"deja": False, "entreprise": Entreprise.courante()},
                )
            )
    return _public(
        render(
            request,
            "satisfaction/enquete_form.html",
            {"form": form, "enquete": enquete, "entreprise": Entreprise.courante()},
        )
    )


# --- Debrief and survey sending ----------------------------------------------------------------

from django.contrib import messages  # noqa: E402
from django.shortcuts import redirect  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402

from crm.acces import membre_requis, mission_pour  # noqa: E402
from satisfaction.forms import DebriefForm  # noqa: E402


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
            if d.reponse == "non":
                messages.warning(
                    request,
                    "Le client n'est pas satisfait : enregistrez sa réclamation maintenant.",
                )
                return redirect(
                    f"{reverse('reclamations:creer')}?organisation={mission.devis.organisation_id}&mission={mission.pk}"
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
    try:
        enquete = services.creer_enquete(contact=contact, le=le, mission=mission)
        services.envoyer_enquete(enquete, le=le, par=request.user)
    except RefusMetier as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Enquête envoyée à {contact.nom_complet}.")
    return redirect(mission)
