"""Quote pages: thin views over devis.services (PROC-020 §3.3–3.5)."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from crm.acces import demande_pour, gerant_requis
from crm.emails import emails_de
from crm.exceptions import RefusMetier, message_refus
from crm.formats import format_euros
from crm.historique import historique
from crm.models import Decision
from crm.pages import page_formulaire
from crm.pagination import paginer
from crm.public import page_publique, refus_public, reponse_publique
from crm.reseau import adresse_client
from devis import selectors, services
from devis.forms import (
    AcceptationForm,
    AccordForm,
    DevisForm,
    EnvoiForm,
    LancementForm,
    LigneFormSet,
    QuestionForm,
    RefusForm,
    RelanceForm,
    ReponseForm,
    ReportRelanceForm,
    RevueContratForm,
)
from devis.models import Accord, Devis, ModeleDevis, StatutDevis, TypeAccord
from devis.pdf import devis_pdf
from devis.services import RAISON_REPORT


def _devis_pour(request, pk: int) -> Devis:
    # Only the gérant reaches these views (gerant_requis); the helper is the one place that
    # would narrow the set if quotes were ever shared with consultants.
    return get_object_or_404(
        Devis.objects.select_related("organisation", "contact", "demande", "remplace"), pk=pk
    )


@gerant_requis
def liste(request):
    page = paginer(request, selectors.liste_filtree(request.GET))
    return render(
        request,
        "devis/devis_list.html",
        {
            "page": page,
            "statut": request.GET.get("statut", ""),
            "q": request.GET.get("q", "").strip(),
            "statuts": StatutDevis.choices,
        },
    )


@gerant_requis
def detail(request, pk: int):
    devis = _devis_pour(request, pk)
    relance = getattr(devis, "relance", None)
    changements = historique(devis)
    return render(
        request,
        "devis/devis_detail.html",
        {
            "devis": devis,
            "lignes": devis.lignes.all(),
            "relance": relance,
            "accord": getattr(devis, "accord", None),
            "envoi_form": EnvoiForm(prefix="envoi"),
            # « Nouvel échange » on « Aujourd'hui » opens this form with its answer chosen.
            "reponse_form": ReponseForm(
                prefix="reponse", initial={"decision": request.GET.get("reponse", "")}
            ),
            "relance_form": RelanceForm(),
            "report_form": ReportRelanceForm(),
            "emails": emails_de(devis)[:20],
            "historique": changements,
            "dernier_report": next(
                (c for c in changements if c.raison.startswith(RAISON_REPORT)), None
            ),
            "lien_client": services.lien_acceptation(devis) if devis.jeton_nonce else "",
        },
    )


@gerant_requis
def modifier(request, pk: int):
    devis = _devis_pour(request, pk)
    if devis.statut != StatutDevis.BROUILLON:
        messages.error(
            request, "Ce devis a été envoyé : créez une nouvelle version pour le modifier."
        )
        return redirect(devis)
    form = DevisForm(request.POST or None, instance=devis)
    lignes = LigneFormSet(request.POST or None, instance=devis)
    if request.method == "POST" and form.is_valid() and lignes.is_valid():
        try:
            services.modifier_brouillon(devis, champs=form.cleaned_data, lignes=lignes.saisies())
        except RefusMetier as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Devis enregistré.")
            return redirect(devis)
    return render(
        request, "devis/devis_form.html", {"devis": devis, "form": form, "lignes": lignes}
    )


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
            messages.error(request, message_refus(exc))
        else:
            messages.success(request, succes)
    else:
        for erreurs in form.errors.values():
            for e in erreurs:
                messages.error(request, e)
    suivant = request.POST.get("suivant", "")
    if suivant and url_has_allowed_host_and_scheme(suivant, allowed_hosts={request.get_host()}):
        return redirect(suivant)  # back to the « Aujourd'hui » page after a one-click relance
    return redirect(devis)


@gerant_requis
@require_POST
def envoyer(request, pk: int):
    devis = _devis_pour(request, pk)
    return _action(
        request,
        devis,
        EnvoiForm(request.POST, prefix="envoi"),
        lambda d: services.envoyer_devis(
            devis, le=d["le"], par=request.user, email=d["mode"] == "email"
        ),
        "Devis envoyé.",
    )


@gerant_requis
@require_POST
def reponse(request, pk: int):
    devis = _devis_pour(request, pk)
    return _action(
        request,
        devis,
        ReponseForm(request.POST, prefix="reponse"),
        lambda d: services.enregistrer_reponse(
            devis,
            decision=d["decision"],
            le=d["le"],
            par=request.user,
            motif_refus=d.get("motif_refus"),
            commentaire=d.get("commentaire", ""),
            prochain_contact_le=d.get("prochain_contact_le"),
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
        lambda d: services.enregistrer_relance(
            devis, mode=d["mode"], le=d["le"], par=request.user, note=d["note"]
        ),
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
    if revue is None or revue.decision != Decision.GO:
        messages.error(request, "Pas de devis sans revue de faisabilité « Go » (PROC-020 §3.2).")
        return redirect("crm:revue", demande.pk)
    devis = services.creer_devis_depuis_demande(demande, par=request.user)
    messages.success(request, "Devis créé depuis le modèle IOD : complétez-le.")
    return redirect(devis)


def _formulaire(request, devis, form, titre: str, *, multipart: bool = False, aide: str = ""):
    return page_formulaire(
        request, form, titre=titre, retour=devis.get_absolute_url(), multipart=multipart, aide=aide
    )


@gerant_requis
def accord(request, pk: int):
    devis = _devis_pour(request, pk)
    form = AccordForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.enregistrer_accord(
                devis,
                type=d["type"],
                recu_le=d["recu_le"],
                par=request.user,
                document=d.get("document"),
                document_nom=d["document"].name[:255] if d.get("document") else "",
                reference_client=d["reference_client"],
            )
        except RefusMetier as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Accord enregistré. Faites maintenant la revue de contrat.")
            return redirect("devis:revue_contrat", devis.pk)
    return _formulaire(
        request,
        devis,
        form,
        f"Accord du client — {devis.reference}",
        multipart=True,
        aide="PROC-020 §3.5 : bon de commande, mail de validation ou devis signé.",
    )


@gerant_requis
def revue_contrat(request, pk: int):
    devis = _devis_pour(request, pk)
    accord_client = getattr(devis, "accord", None)
    if accord_client is None:
        messages.error(request, "Enregistrez d'abord l'accord du client.")
        return redirect(devis)
    form = RevueContratForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.faire_revue_contrat(
                accord_client,
                services.RevueContrat(**form.cleaned_data),
                le=timezone.localdate(),
                par=request.user,
            )
        except RefusMetier as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Revue de contrat enregistrée.")
            return redirect(devis)
    return _formulaire(
        request,
        devis,
        form,
        f"Revue de contrat — {devis.reference}",
        aide=f"Devis : {format_euros(devis.total_ht)} HT. L'accord correspond-il au devis (prix, conditions) ?",
    )


@gerant_requis
def lancer(request, pk: int):
    devis = _devis_pour(request, pk)
    form = LancementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            mission = services.lancer_mission(
                devis,
                debut=d["debut"],
                fin=d.get("fin"),
                consultants=d["consultants"],
                par=request.user,
                notes=d["notes"],
            )
        except RefusMetier as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Mission lancée : le dossier est transmis aux consultants.")
            return redirect(mission)
    return _formulaire(request, devis, form, f"Lancer la mission — {devis.reference}")


@gerant_requis
def modele(request):
    """The gérant edits the standard template: section texts, default lines, email texts."""
    from devis.forms import LigneModeleFormSet, ModeleDevisForm

    modele_courant = ModeleDevis.courant()
    form = ModeleDevisForm(request.POST or None, instance=modele_courant)
    lignes = LigneModeleFormSet(request.POST or None, instance=modele_courant)
    if request.method == "POST" and form.is_valid() and lignes.is_valid():
        with transaction.atomic():
            form.save()
            lignes.save()
        messages.success(request, "Modèle de devis enregistré : il servira aux prochains devis.")
        return redirect("devis:modele")
    return render(request, "devis/modele_form.html", {"form": form, "lignes": lignes})


@gerant_requis
def accord_document(request, pk: int):
    devis = _devis_pour(request, pk)
    accord_client = getattr(devis, "accord", None)
    if accord_client is None or not accord_client.document:
        raise Http404("Pas de document")
    return FileResponse(
        accord_client.document.open("rb"),
        as_attachment=True,
        filename=accord_client.document_nom or "accord",
    )


def _pdf_client(devis: Devis, accord) -> HttpResponse:
    """The quote's PDF; once accepted online, the copy stamped with the acceptance block."""
    if accord is not None and accord.type == TypeAccord.ACCEPTATION_EN_LIGNE:
        contenu = devis_pdf(devis, acceptation=services.tampon_acceptation(accord))
        nom = f"{devis.reference}-bon-pour-accord"
    else:
        contenu = devis_pdf(devis)
        nom = devis.reference
    response = HttpResponse(contenu, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{nom.replace(" ", "_")}.pdf"'
    return response


MERCIS = {
    "accepte": "Merci : votre accord est enregistré. Une confirmation, avec le devis « Bon pour "
    "accord » en PDF, vous est envoyée par email.",
    "refuse": "Votre réponse est enregistrée. Merci d'avoir pris le temps de nous répondre.",
    "question": "Votre question a bien été transmise : nous vous répondons au plus vite.",
}


# The acceptance form carries a drawn signature (a PNG data URL of 400 kB at most, see
# services.verifier_signature) and a few short fields; the other forms far less.
CORPS_MAX_PAGE_CLIENT = 512 * 1024


@page_publique(limite="CRM_DEVIS_LIEN_LIMITE", corps_max=CORPS_MAX_PAGE_CLIENT)
def public(request, jeton: str):
    """The client's page for a sent quote (no account; the token is the key).

    GET shows the quote and, while the link is open, three choices: accept (« Bon pour
    accord »), decline, ask a question; each is a POST to this same address (``action``).
    A wrong token (or the old link of a cancelled or revised quote) is 404; a link read too
    long after the offer's validity is 410 (``services.lien.consultation_expiree``). The guards of
    every public page (rate limit, cross-site POST, body size) come first: ``crm.public``.
    """
    devis = services.devis_par_jeton(jeton)
    if devis is None:
        return reponse_publique(request, "devis/devis_public_introuvable.html", status=404)
    maintenant = timezone.now()
    le = timezone.localdate(maintenant)
    if services.consultation_expiree(devis, le=le):
        return refus_public(
            request,
            status=410,
            titre="Lien expiré",
            message="Ce lien n'est plus valable : l'offre a expiré depuis longtemps. "
            "Contactez-nous pour recevoir une nouvelle proposition.",
            icone="calendar-x",
        )
    accord = Accord.objects.filter(devis=devis).first()
    if request.GET.get("pdf"):
        return _pdf_client(devis, accord)

    etat = services.etat_lien(devis, le=le)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    formulaires = {
        "accepter": AcceptationForm(
            request.POST if action == "accepter" else None, prefix="accepter"
        ),
        "refuser": RefusForm(request.POST if action == "refuser" else None, prefix="refuser"),
        "question": QuestionForm(request.POST if action == "question" else None, prefix="question"),
    }
    status = 200
    erreur = ""
    if request.method == "POST":
        form = formulaires.get(action)
        if form is None or not etat.ouvert:
            status = 409 if form is not None else 400
        elif form.is_valid():
            d = form.cleaned_data
            ip, navigateur = adresse_client(request), request.META.get("HTTP_USER_AGENT", "")
            try:
                if action == "accepter":
                    services.accepter_en_ligne(
                        devis,
                        nom=d["nom"],
                        fonction=d["fonction"],
                        ip=ip,
                        navigateur=navigateur,
                        le=maintenant,
                        signature=d["signature"] or None,
                    )
                    merci = "accepte"
                elif action == "refuser":
                    services.refuser_en_ligne(
                        devis,
                        le=maintenant,
                        motif_refus=d["motif_refus"],
                        precision=d["precision"],
                        nom=d["nom"],
                    )
                    merci = "refuse"
                else:
                    services.poser_question(
                        devis,
                        message=d["message"],
                        nom=d["nom"],
                        le=maintenant,
                        ip=ip,
                        navigateur=navigateur,
                    )
                    merci = "question"
            except services.LienInactif:
                status = 409  # answered meanwhile (a second tab, a colleague): show the state
            except RefusMetier as exc:
                erreur = exc.message
                status = 400
            else:
                return redirect(f"{request.path}?merci={merci}")
        else:
            status = 400
        if status == 409:
            devis = services.devis_par_jeton(jeton) or devis  # re-read: its state changed
            accord = Accord.objects.filter(devis=devis).first()
            etat = services.etat_lien(devis, le=le)

    return reponse_publique(
        request,
        "devis/devis_public.html",
        {
            "devis": devis,
            "lignes": devis.lignes.all(),
            "etat": etat,
            "accord": accord,
            "formulaires": formulaires,
            "action": action,
            "erreur": erreur,
            "merci": MERCIS.get(request.GET.get("merci", "")),
            "aujourdhui": le,
        },
        status=status,
    )
