"""The gérant's pages of the mailbox: « À classer » and « Réponses à qualifier », and the
one-click actions they (and « Aujourd'hui », and the quote's page) post to. Thin: find the
object, call one service, come back with a message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from courrier import selectors, services
from courrier.digest import boutons_qualifier
from courrier.forms import ClasserForm
from courrier.models import MessageRecu, PieceJointeRecue, StatutMessage
from crm.acces import gerant_requis
from crm.exceptions import RefusMetier, message_refus
from devis.models import Devis, Reponse
from devis.services import enregistrer_reponse, reprendre_suivi


def _retour(request: HttpRequest, defaut: str) -> HttpResponse:
    suivant = request.POST.get("suivant", "")
    if suivant and url_has_allowed_host_and_scheme(suivant, allowed_hosts={request.get_host()}):
        return redirect(suivant)
    return redirect(defaut)


def _faire(request: HttpRequest, action: Callable[[], object], succes: str) -> bool:
    try:
        action()
    except RefusMetier as exc:
        messages.error(request, message_refus(exc))
        return False
    messages.success(request, succes)
    return True


@gerant_requis
def a_classer(request: HttpRequest) -> HttpResponse:
    lus = [(m, ClasserForm(prefix=f"m{m.pk}", message=m)) for m in selectors.a_classer()[:50]]
    return render(
        request,
        "courrier/a_classer.html",
        {"messages_recus": lus, "malforme": StatutMessage.MALFORME, **_statuts()},
    )


def _statuts() -> dict[str, Any]:
    # The mailbox's health, read now (a view is an edge): shown after an hour of failures.
    return {
        "automatique": StatutMessage.AUTOMATIQUE,
        "panne": services.boite_en_echec(maintenant=timezone.now()),
    }


@gerant_requis
def a_qualifier(request: HttpRequest) -> HttpResponse:
    lignes = [(d, m, boutons_qualifier(d)) for d, m in selectors.a_qualifier(user=request.user)]
    return render(request, "courrier/a_qualifier.html", {"lignes": lignes, **_statuts()})


@gerant_requis
@require_POST
def classer(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(MessageRecu, pk=pk)
    form = ClasserForm(request.POST, prefix=f"m{pk}", message=message)
    if not form.is_valid():
        for erreurs in form.errors.values():
            for e in erreurs:
                messages.error(request, str(e))  # already a str: ErrorList yields messages
        return redirect("courrier:a_classer")
    _faire(
        request,
        lambda: services.classer(
            message,
            organisation=form.cleaned_data["organisation"],
            le=timezone.localdate(),
            par=request.user,
        ),
        f"Email rattaché à {form.cleaned_data['organisation']}.",
    )
    return redirect("courrier:a_classer")


@gerant_requis
@require_POST
def ignorer(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(MessageRecu, pk=pk)
    _faire(request, lambda: services.ignorer(message, par=request.user), "Email ignoré.")
    return redirect("courrier:a_classer")


@gerant_requis
@require_POST
def creer_demande(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(MessageRecu, pk=pk)
    try:
        demande = services.creer_demande(message, le=timezone.localdate(), par=request.user)
    except RefusMetier as exc:
        messages.error(request, message_refus(exc))
        return redirect("courrier:a_classer")
    messages.success(request, "Demande créée depuis l'email : complétez-la.")
    return redirect(demande)


@gerant_requis
@require_POST
def qualifier(request: HttpRequest, pk: int) -> HttpResponse:
    devis = get_object_or_404(Devis, pk=pk)
    decision = request.POST.get("decision", "")
    if decision not in Reponse.values:
        messages.error(request, "Choisissez accepté, refusé ou en discussion.")
        return _retour(request, "courrier:a_qualifier")
    _faire(
        request,
        lambda: enregistrer_reponse(
            devis,
            decision=decision,
            le=timezone.localdate(),
            par=request.user,
            commentaire="Réponse reçue par email",
        ),
        f"{devis.numero} : réponse « {Reponse(decision).label} » enregistrée.",
    )
    return _retour(request, "courrier:a_qualifier")


@gerant_requis
@require_POST
def reprendre(request: HttpRequest, pk: int) -> HttpResponse:
    devis = get_object_or_404(Devis, pk=pk)
    _faire(
        request,
        lambda: reprendre_suivi(devis, par=request.user),
        f"{devis.numero} : le suivi reprend (relance et « sans suite »).",
    )
    return _retour(request, "courrier:a_qualifier")


@gerant_requis
@require_POST
def reporter(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(MessageRecu, pk=pk, devis__isnull=False)
    _faire(
        request,
        lambda: services.reporter_au_retour(message, le=timezone.localdate(), par=request.user),
        f"Relance reportée au {services.date_report(message):%d/%m/%Y}.",
    )
    assert message.devis is not None  # devis__isnull=False above
    return _retour(request, message.devis.get_absolute_url())


@gerant_requis
def piece(request: HttpRequest, pk: int) -> FileResponse:
    """An attachment kept from a message, served only to the gérant (never from /media)."""
    pj = get_object_or_404(PieceJointeRecue, pk=pk)
    if not pj.fichier:
        raise Http404("Pièce jointe non gardée")
    return FileResponse(pj.fichier.open("rb"), as_attachment=True, filename=pj.nom)
