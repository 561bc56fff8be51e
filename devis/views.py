"""Quote pages: thin views over devis.services (PROC-020 §3.3–3.5)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from crm.acces import demande_pour, gerant_requis
from crm.emails import emails_de
from crm.exceptions import RefusMetier
from crm.historique import historique
from devis import services
from devis.forms import DevisForm, EnvoiForm, LigneFormSet, RelanceForm, ReponseForm
from devis.models import Devis, StatutDevis
from devis.pdf import devis_pdf


def _devis_pour(request, pk: int) -> Devis:
    # Only the gérant reaches these views (gerant_requis); the helper is the one place that
    # would narrow the set if quotes were ever shared with consultants.
    return get_object_or_404(
        Devis.objects.select_related("organisation", "contact", "demande", "remplace"), pk=pk
    )


@gerant_requis
def liste(request):
    qs = Devis.objects.avec_totaux().select_related("organisation", "contact").order_by("-pk")
    statut = request.GET.get("statut", "")
    q = request.GET.get("q", "").strip()
    if statut in StatutDevis.values:
        qs = qs.filter(statut=statut)
    if q:
        qs = qs.filter(Q(numero__icontains=q) | Q(objet__icontains=q) | Q(organisation__raison_sociale__icontains=q))
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "devis/devis_list.html",
        {"page": page, "statut": statut, "q": q, "statuts": StatutDevis.choices},
    )


@gerant_requis
def detail(request, pk: int):
    devis = _devis_pour(request, pk)
    relance = getattr(devis, "relance", None)
    return render(
        request,
        "devis/devis_detail.html",
        {
            "devis": devis,
            "lignes": devis.lignes.all(),
            "relance": relance,
            "accord": getattr(devis, "accord", None),
            "envoi_form": EnvoiForm(),
            "reponse_form": ReponseForm(),
            "relance_form": RelanceForm(),
            "emails": emails_de(devis)[:20],
            "historique": historique(devis),
            "lien_client": services.lien_acceptation(devis) if devis.jeton_nonce else "",
        },
    )


@gerant_requis
def modifier(request, pk: int):
    devis = _devis_pour(request, pk)
    if devis.statut != StatutDevis.BROUILLON:
        messages.error(request, "Ce devis a été envoyé : créez une nouvelle version pour le modifier.")
        return redirect(devis)
    form = DevisForm(request.POST or None, instance=devis)
    lignes = LigneFormSet(request.POST or None, instance=devis)
    if request.method == "POST" and form.is_valid() and lignes.is_valid():
        try:
            services.modifier_brouillon(form, lignes)
        except RefusMetier as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Devis enregistré.")
            return redirect(devis)
    return render(request, "devis/devis_form.html", {"devis": devis, "form": form, "lignes": lignes})


@gerant_requis
def pdf(request, pk: int):
    devis = _devis_pour(request, pk)
    response = HttpResponse(devis_pdf(devis), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{devis.reference.replace(" ", "_")}.pdf"'
    return response


def _action(request, devis, form, appliquer, succes: str):
    if form.is_valid():
        try:
            appliquer(form.cleaned_data)
        except RefusMetier as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, succes)
    else:
        for erreurs in form.errors.values():
            for e in erreurs:
                messages.error(request, e)
    return redirect(devis)


@gerant_requis
@require_POST
def envoyer(request, pk: int):
    devis = _devis_pour(request, pk)
    return _action(
        request,
        devis,
        EnvoiForm(request.POST),
        lambda d: services.envoyer_devis(devis, le=d["le"], par=request.user, email=d["mode"] == "email"),
        "Devis envoyé.",
    )


@gerant_requis
@require_POST
def reponse(request, pk: int):
    devis = _devis_pour(request, pk)
    return _action(
        request,
        devis,
        ReponseForm(request.POST),
        lambda d: services.enregistrer_reponse(
            devis, decision=d["decision"], le=d["le"], par=request.user,
            motif_refus=d.get("motif_refus"), commentaire=d.get("commentaire", ""),
        ),
        "Réponse du client enregistrée.",
    )


@gerant_requis
@require_POST
def relance(request, pk: int):
    devis = _devis_pour(request, pk)
    return _action(
        request,
        devis,
        RelanceForm(request.POST),
        lambda d: services.enregistrer_relance(devis, mode=d["mode"], le=d["le"], par=request.user, note=d["note"]),
        "Relance enregistrée.",
    )


@gerant_requis
@require_POST
def reviser(request, pk: int):
    devis = _devis_pour(request, pk)
    try:
        nouveau = services.reviser_devis(devis, par=request.user)
    except RefusMetier as exc:
        messages.error(request, exc.message)
        return redirect(devis)
    messages.success(request, f"Nouvelle version créée ; {devis.reference} est annulé.")
    return redirect(nouveau)


@gerant_requis
@require_POST
def creer_depuis_demande(request, demande_pk: int):
    demande = demande_pour(request, demande_pk)
    revue = getattr(demande, "revue", None)
    if revue is None or revue.decision != "go":
        messages.error(request, "Pas de devis sans revue de faisabilité « Go » (PROC-020 §3.2).")
        return redirect("crm:revue", demande.pk)
    devis = services.creer_devis_depuis_demande(demande, par=request.user)
    messages.success(request, "Devis créé depuis le modèle IOD : complétez-le.")
    return redirect(devis)


@never_cache
def public(request, jeton: str):
    """The client's page for a sent quote (no account; the token is the key)."""
    devis = services.devis_par_jeton(jeton)
    if devis is None:
        raise Http404("Lien inconnu")
    if request.GET.get("pdf"):
        response = HttpResponse(devis_pdf(devis), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{devis.reference.replace(" ", "_")}.pdf"'
    else:
        response = render(
            request,
            "devis/devis_public.html",
            {"devis": devis, "lignes": devis.lignes.all(), "aujourdhui": timezone.localdate()},
        )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
