"""Views of the core: thin callers of selectors and services (STYLE « Views »)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
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
from crm.chronologie import chronologie
from crm.exceptions import RefusMetier
from crm.extensions import ACCUEIL
from crm.filters import DemandeFilter, OrganisationFilter
from crm.forms import (
    ContactForm,
    DemandeForm,
    EntrepriseForm,
    InteractionForm,
    OrganisationForm,
    RevueForm,
)
from crm.historique import historique
from crm.pages import page_formulaire
from crm.pagination import paginer
from crm.roles import est_gerant
from crm.services import changer_statut_mission, decider_faisabilite, enregistrer_demande


@membre_requis
def accueil(request):
    """« Aujourd'hui »: what to chase today, overdue first (the digest's sections, for today)."""
    le = timezone.localdate()
    sections = digest.contenu(request.user, le, lieu=ACCUEIL)
    return render(request, "crm/accueil.html", {"le": le, "sections": sections})


@membre_requis
def organisations(request):
    qs = organisations_visibles(request.user).avec_statut().select_related("responsable")
    filtre = OrganisationFilter(request.GET, queryset=qs)
    page = paginer(request, filtre.qs.order_by("raison_sociale", "pk"))
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
            "chronologie": chronologie(org, user=request.user),
            "recommandations": org.recommandations.order_by("raison_sociale"),
            "historique": historique(org) if est_gerant(request.user) else [],
        },
    )


@membre_requis
def demandes(request):
    qs = demandes_visibles(request.user)
    filtre = DemandeFilter(request.GET, queryset=qs)
    page = paginer(request, filtre.qs.order_by("-recue_le", "-pk"))
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
    page = paginer(request, qs)
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


# --- Creating and editing ----------------------------------------------------------------------


def _formulaire(request, form, *, titre: str, retour: str, multipart: bool = False, aide: str = ""):
    return page_formulaire(
        request, form, titre=titre, retour=retour, multipart=multipart, aide=aide
    )


@gerant_requis
def organisation_creer(request):
    form = OrganisationForm(request.POST or None, initial={"responsable": request.user})
    if request.method == "POST" and form.is_valid():
        org = form.save()
        messages.success(request, f"{org} est enregistrée.")
        return redirect(org)
    return _formulaire(
        request, form, titre="Nouvelle organisation", retour=reverse("crm:organisations")
    )


@gerant_requis
def organisation_modifier(request, pk: int):
    org = organisation_pour(request, pk)
    form = OrganisationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Modifications enregistrées.")
        return redirect(org)
    return _formulaire(request, form, titre=f"Modifier {org}", retour=org.get_absolute_url())


@gerant_requis
def contact_creer(request, pk: int):
    org = organisation_pour(request, pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        contact = form.save(commit=False)
        contact.organisation = org
        contact.save()
        messages.success(request, f"{contact} est ajouté(e).")
        return redirect(org)
    return _formulaire(
        request, form, titre=f"Nouveau contact — {org}", retour=org.get_absolute_url()
    )


@membre_requis
def interaction_creer(request, pk: int):
    org = organisation_pour(request, pk)
    form = InteractionForm(request.POST or None, organisation=org)
    if request.method == "POST" and form.is_valid():
        interaction = form.save(commit=False)
        interaction.organisation = org
        interaction.auteur = request.user
        interaction.save()
        messages.success(request, "Échange enregistré.")
        return redirect(org)
    return _formulaire(
        request, form, titre=f"Nouvel échange — {org}", retour=org.get_absolute_url()
    )


@gerant_requis
def demande_creer(request):
    form = DemandeForm(
        request.POST or None,
        request.FILES or None,
        initial={"organisation": request.GET.get("organisation")},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        nouveau_contact = None
        if d["contact_nom"].strip():
            nouveau_contact = {
                "nom": d["contact_nom"],
                "prenom": d["contact_prenom"],
                "email": d["contact_email"],
                "telephone": d["contact_telephone"],
            }
        try:
            demande = enregistrer_demande(
                recue_le=d["recue_le"],
                canal=d["canal"],
                contexte=d["contexte"],
                type_prestation=d["type_prestation"],
                description=d["description"],
                profil_attendu=d["profil_attendu"],
                delai_souhaite=d["delai_souhaite"],
                organisation=d["organisation"],
                nouvelle_organisation=d["nouvelle_organisation"],
                source=d["nouvelle_source"],
                contact=d["contact_existant"],
                nouveau_contact=nouveau_contact,
                par=request.user,
                fichier=d.get("fiche_de_poste"),
            )
        except RefusMetier as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, "Demande enregistrée (J0). Prochaine étape : la revue de faisabilité."
            )
            return redirect(demande)
    return _formulaire(
        request,
        form,
        titre="Nouvelle demande (J0)",
        retour=reverse("crm:demandes"),
        multipart=True,
        aide="Écoute : recrutement, mobilité ou crise ? Collecte : fiche de poste, profil attendu, délai.",
    )


@membre_requis
def demande_fiche(request, pk: int):
    """The job description, served only to those who may see the request (never from /media)."""
    d = demande_pour(request, pk)
    if not d.fiche_de_poste:
        raise Http404("Pas de fiche de poste")
    return FileResponse(
        d.fiche_de_poste.open("rb"),
        as_attachment=True,
        filename=d.fiche_de_poste_nom or "fiche-de-poste",
    )


@gerant_requis
def entreprise(request):
    """The firm's identity printed on quotes and emails, edited by the gérant."""
    from crm.models import Entreprise

    form = EntrepriseForm(
        request.POST or None, request.FILES or None, instance=Entreprise.courante()
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Identité de l'entreprise enregistrée.")
        return redirect("crm:entreprise")
    return _formulaire(
        request,
        form,
        titre="Identité de l'entreprise",
        retour=reverse("accueil"),
        multipart=True,
        aide="Imprimée sur les devis (en-tête, pied de page, signature) et dans les emails.",
    )


@membre_requis
def mission_statut(request, pk: int):
    """Start, finish or cancel a mission: the gérant, or a consultant on that mission."""
    m = mission_pour(request, pk)
    if request.method != "POST":
        return redirect(m)
    try:
        changer_statut_mission(
            m, statut=request.POST.get("statut", ""), le=timezone.localdate(), par=request.user
        )
    except RefusMetier as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Statut de la mission mis à jour.")
    return redirect(m)
