"""The gérant's RGPD pages: inactive prospects, a person's data (export, erasure, objection)
and the log. Thin callers of rgpd.services; every page is the gérant's (data controller)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from crm.acces import gerant_requis, organisation_pour, organisations_visibles
from crm.models import Contact
from crm.pagination import paginer
from rgpd import services
from rgpd.models import JournalRGPD
from rgpd.selectors import signalements_ouverts

CONFIRMATION = "EFFACER"


def _contact_pour(request, pk: int) -> Contact:
    return get_object_or_404(
        Contact.objects.select_related("organisation").filter(
            organisation__in=organisations_visibles(request.user)
        ),
        pk=pk,
    )


@gerant_requis
def tableau(request):
    q = request.GET.get("q", "").strip()
    contacts = []
    if len(q) >= 2:
        contacts = list(
            Contact.objects.select_related("organisation")
            .filter(
                Q(nom__icontains=q)
                | Q(prenom__icontains=q)
                | Q(email__icontains=q)
                | Q(organisation__raison_sociale__icontains=q)
            )
            .order_by("nom", "prenom", "pk")[:50]
        )
    journal = paginer(request, JournalRGPD.objects.select_related("par"), par_page=50)
    return render(
        request,
        "rgpd/tableau.html",
        {
            "q": q,
            "contacts": contacts,
            "signalements": signalements_ouverts().order_by("signale_le", "pk"),
            "journal": journal,
            "preavis": services.PREAVIS_JOURS,
        },
    )


@gerant_requis
def contact(request, pk: int):
    c = _contact_pour(request, pk)
    return render(
        request,
        "rgpd/contact.html",
        {
            "contact": c,
            "confirmation": CONFIRMATION,
            "journal": JournalRGPD.objects.filter(
                cible_type=Contact._meta.label, cible_id=c.pk
            ).select_related("par")[:20],
        },
    )


def _piece(contenu: bytes | str, *, type_mime: str, nom: str) -> HttpResponse:
    response = HttpResponse(contenu, content_type=type_mime)
    response["Content-Disposition"] = f'attachment; filename="{nom}"'
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@gerant_requis
def export_json(request, pk: int):
    c = _contact_pour(request, pk)
    donnees = services.exporter_contact(c, format="json", par=request.user)
    return _piece(
        json.dumps(donnees, ensure_ascii=False, indent=2),
        type_mime="application/json; charset=utf-8",
        nom=f"donnees-contact-{c.pk}.json",
    )


@never_cache
@gerant_requis
def export_csv(request, pk: int):
    c = _contact_pour(request, pk)
    donnees = services.exporter_contact(c, format="csv", par=request.user)
    # A BOM so that a spreadsheet opens the accents as UTF-8.
    return _piece(
        "\ufeff" + services.donnees_en_csv(donnees),
        type_mime="text/csv; charset=utf-8",
        nom=f"donnees-contact-{c.pk}.csv",
    )


@gerant_requis
@require_POST
def effacer(request, pk: int):
    c = _contact_pour(request, pk)
    if request.POST.get("confirmation", "").strip().upper() != CONFIRMATION:
        messages.error(request, f"Tapez {CONFIRMATION} pour confirmer l'effacement.")
        return redirect("rgpd:contact", c.pk)
    services.effacer_contact(c, le=timezone.localdate(), par=request.user)
    messages.success(
        request,
        "Données personnelles effacées. Les devis, accords et réclamations sont conservés, "
        "anonymisés.",
    )
    return redirect("rgpd:contact", c.pk)


@gerant_requis
@require_POST
def opposition_contact(request, pk: int):
    c = _contact_pour(request, pk)
    valeur = request.POST.get("valeur") == "oui"
    services.changer_opposition(c, valeur=valeur, par=request.user)
    messages.success(
        request,
        "Ce contact ne sera plus prospecté."
        if valeur
        else "Ce contact peut de nouveau être prospecté.",
    )
    return redirect("rgpd:contact", c.pk)


@gerant_requis
@require_POST
def opposition_organisation(request, pk: int):
    org = organisation_pour(request, pk)
    valeur = request.POST.get("valeur") == "oui"
    services.changer_opposition(org, valeur=valeur, par=request.user)
    messages.success(
        request,
        f"{org} ne sera plus prospectée." if valeur else f"{org} peut de nouveau être prospectée.",
    )
    return redirect(org)
