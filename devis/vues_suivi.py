"""Moving one quote's relance (DESIGN §10), from the quote page and from its line on
« Aujourd'hui ». Thin views over ``services.reporter_relance``: the service judges every date."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from crm.acces import gerant_requis
from crm.exceptions import RefusMetier
from crm.extensions import Ligne
from crm.pages import page_formulaire
from devis import selectors, services
from devis.digest import ligne_relance
from devis.forms import ReportRelanceForm
from devis.views import _devis_pour


def _suivant(request, devis) -> str:
    """Where to go back: the page the form came from (« Aujourd'hui »), else the quote."""
    suivant = request.POST.get("suivant") or request.GET.get("suivant", "")
    if suivant and url_has_allowed_host_and_scheme(suivant, allowed_hosts={request.get_host()}):
        return suivant
    return devis.get_absolute_url()


def _ligne(request, devis, *, le: date, form=None, fait: str = ""):
    """The quote's line of « Aujourd'hui », alone (the htmx answer that replaces it): with the
    new date once moved, or with the form open, its error and what the user typed."""
    d = selectors.relances_a_venir(date.max, user=request.user).filter(pk=devis.pk).first()
    if d is not None:
        ligne = ligne_relance(d, le=le, user=request.user)
    else:  # answered or relance done meanwhile: the line says it, nothing to move any more
        ligne = Ligne(
            texte=f"{devis.numero} — {devis.organisation} — {devis.objet}",
            url=devis.get_absolute_url(),
            gabarit="devis/_ligne_report.html",
            contexte={"pk": devis.pk},
        )
    return render(
        request,
        "crm/_ligne.html",
        {
            "ligne": ligne,
            "le": le,
            "avec_actions": True,
            "report_form": form,
            "report_fait": fait,
            "suivant": _suivant(request, devis),
        },
    )


@gerant_requis
@require_http_methods(["GET", "POST"])
def reporter(request, pk: int):
    """GET: the form alone (also where a refusal lands without JavaScript). POST: move the
    relance; htmx gets the line back, a plain POST a redirect with a message."""
    devis = _devis_pour(request, pk)
    le = timezone.localdate()
    form = ReportRelanceForm(
        request.POST if request.method == "POST" else None,
        initial={"suivant": request.GET.get("suivant", "")},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            devis = services.reporter_relance(
                devis,
                au=d["au"],
                motif=d["motif"],
                le=le,
                par=request.user,
                sans_suite_au=d["sans_suite_au"],
            )
        except RefusMetier as exc:
            form.add_error(None, exc.message)
        else:
            fait = f"Relance reportée au {d['au']:%d/%m/%Y}."
            if request.htmx:
                return _ligne(request, devis, le=le, fait=fait)
            messages.success(request, fait)
            return redirect(_suivant(request, devis))
    if request.htmx:
        return _ligne(request, devis, le=le, form=form)
    return page_formulaire(
        request,
        form,
        titre=f"Reporter la relance — {devis.reference}",
        retour=_suivant(request, devis),
        aide="Le client est absent, ou a demandé à être rappelé plus tard : la relance unique "
        "(PROC-020 §3.4) est déplacée, et la date « sans suite » avec elle.",
    )
