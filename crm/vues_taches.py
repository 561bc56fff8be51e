"""Views of the tasks (DESIGN §10): the quick add (title + date, htmx or a plain POST) and
« Fait » in one click. Kept apart from crm/views.py, which holds the core's pages."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from crm.acces import membre_requis
from crm.exceptions import RefusMetier
from crm.extensions import cibles_taches
from crm.pages import page_formulaire
from crm.selectors import taches_visibles
from crm.services import creer_tache, terminer_tache
from crm.taches import contexte_taches


class TacheForm(forms.Form):
    """Two fields a person fills in on a phone; where it hangs comes in hidden fields."""

    titre = forms.CharField(
        label="Tâche",
        max_length=200,
        error_messages={
            "required": "Donnez un titre à la tâche.",
            "max_length": "Le titre tient en 200 caractères au plus.",
        },
    )
    echeance = forms.DateField(
        label="Pour le",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Indiquez la date de la tâche.",
            "invalid": "Date invalide : utilisez le format JJ/MM/AAAA.",
        },
    )
    cible = forms.CharField(required=False, widget=forms.HiddenInput)
    objet_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    suivant = forms.CharField(required=False, widget=forms.HiddenInput)


def _objet(request, cible: str, objet_id) -> object | None:
    """The object the task will hang on, found among those the user may see (else 404)."""
    if not cible:
        return None
    if cible not in cibles_taches or not str(objet_id or "").isdigit():
        raise Http404("Objet inconnu")
    return get_object_or_404(cibles_taches[cible].visibles(request.user), pk=int(objet_id))


def _retour(request, suivant: str, objet) -> str:
    if suivant and url_has_allowed_host_and_scheme(suivant, allowed_hosts={request.get_host()}):
        return suivant
    if objet is not None and hasattr(objet, "get_absolute_url"):
        return objet.get_absolute_url()
    return reverse("accueil")


def _panneau(request, objet, *, form=None, message: str = ""):
    """The tasks panel of ``objet`` (the quick-add card alone on « Aujourd'hui »), for htmx."""
    contexte = (contexte_taches(request, objet) if objet is not None else None) or {
        "taches": [],
        "taches_cible": "",
        "taches_objet": None,
        "taches_le": timezone.localdate(),
        "taches_id": "taches-accueil",
    }
    contexte.update(taches_form=form, taches_message=message)
    return render(request, "crm/_taches.html", contexte)


@membre_requis
def tache_creer(request):
    donnees = request.POST if request.method == "POST" else None
    source = request.POST if request.method == "POST" else request.GET
    objet = _objet(request, source.get("cible", ""), source.get("objet_id"))
    form = TacheForm(
        donnees, initial={k: source.get(k, "") for k in ("cible", "objet_id", "suivant")}
    )
    if donnees is not None and form.is_valid():
        d = form.cleaned_data
        try:
            tache = creer_tache(
                titre=d["titre"],
                echeance=d["echeance"],
                responsable=request.user,
                objet=objet,
                par=request.user,
            )
        except RefusMetier as exc:
            form.add_error(None, exc.message)
        else:
            message = f"Tâche ajoutée pour le {tache.echeance:%d/%m/%Y} : {tache.titre}"
            if request.htmx:
                return _panneau(request, objet, message=message)
            messages.success(request, message)
            return redirect(_retour(request, d.get("suivant", ""), objet))
    if request.htmx:
        return _panneau(request, objet, form=form)
    return page_formulaire(
        request,
        form,
        titre=f"Nouvelle tâche — {objet}" if objet is not None else "Nouvelle tâche",
        retour=_retour(request, source.get("suivant", ""), objet),
        aide="Une prochaine étape datée : elle apparaît sur « Aujourd'hui », dans le digest "
        "et dans votre agenda. Une date passée la met en retard dès maintenant.",
    )


@membre_requis
def tache_terminer(request, pk: int):
    """« Fait », in one click: by the person responsible or the gérant (others: 404)."""
    tache = get_object_or_404(taches_visibles(request.user), pk=pk)
    if request.method != "POST":
        return redirect("accueil")
    tache = terminer_tache(tache, le=timezone.localdate(), par=request.user)
    if request.htmx:
        return render(request, "crm/_tache_faite.html", {"t": tache})
    messages.success(request, f"Tâche faite : {tache.titre}")
    return redirect(_retour(request, request.POST.get("suivant", ""), tache.objet))
