from __future__ import annotations

from datetime import date

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from crm.acces import gerant_requis
from crm.exceptions import RefusMetier
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
        return _public(render(request, "satisfaction/enquete_merci.html", {"deja": True}))
    if le > enquete.expire_le:
        return _public(render(request, "satisfaction/enquete_expiree.html", {}, status=410))
    form = ReponseEnqueteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.repondre_enquete(enquete, le=le, **form.cleaned_data)
        except services.EnqueteFermee:
            return _public(render(request, "satisfaction/enquete_merci.html", {"deja": True}))
        except RefusMetier as exc:
            form.add_error(None, exc.message)
        else:
            return _public(render(request, "satisfaction/enquete_merci.html", {"deja": False}))
    return _public(render(request, "satisfaction/enquete_form.html", {"form": form, "enquete": enquete}))
