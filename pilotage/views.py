from __future__ import annotations

import logging
import secrets
import time
from pathlib import Path

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from crm.acces import gerant_requis, membre_requis
from crm.models import Organisation
from crm.public import page_publique
from pilotage import agenda, audit, exports, importation, presentation, selectors, travaux
from pilotage.forms import ImportForm, PeriodeLourdeForm, periode
from pilotage.models import Travail
from pilotage.periodes import douze_mois, periode_precedente, trimestre
from pilotage.travaux import dossier_imports

logger = logging.getLogger(__name__)


# --- Tableau de bord ---------------------------------------------------------------------------


@gerant_requis
def tableau(request):
    le = timezone.localdate()
    form, debut, fin = periode(request.GET, trimestre(le))
    debut_p, fin_p = periode_precedente(debut, fin)
    c, p = selectors.indicateurs_periodes([(debut, fin), (debut_p, fin_p)], le=le)
    return render(
        request,
        "pilotage/tableau.html",
        {
            "form": form,
            "c": c,
            "p": p,
            "sections": presentation.sections(c, p),
            "graphiques": presentation.graphiques(c, p),
            "gabarits_panneaux": presentation.panneaux_tableau(),
            **presentation.contexte(c, p),
        },
    )


# --- Revue de direction and audit file ---------------------------------------------------------


def _periode_lourde(request, defaut):
    """The period of a heavy document: shown by GET, the document made only by a POST (a CSRF-
    protected form), for a valid period of three years at most. Returns the form, the period,
    and whether to make the document."""
    if request.method == "POST":
        form, debut, fin = periode(request.POST, defaut, classe=PeriodeLourdeForm)
        return form, debut, fin, form.is_bound and form.is_valid()
    form, debut, fin = periode(request.GET, defaut, classe=PeriodeLourdeForm)
    return form, debut, fin, False


def _lancer_periode(request, genre: str, titre: str, debut, fin, le):
    """Start the document's job and send the user to its page (the bar, then the file)."""
    travail = travaux.lancer(
        genre=genre,
        user=request.user,
        titre=f"{titre} du {debut:%d/%m/%Y} au {fin:%d/%m/%Y}",
        parametres={"debut": debut.isoformat(), "fin": fin.isoformat(), "le": le.isoformat()},
    )
    return redirect(travail)


@gerant_requis
def revue_direction(request):
    le = timezone.localdate()
    form, debut, fin, preparer = _periode_lourde(request, douze_mois(le))
    if preparer:
        return _lancer_periode(
            request, Travail.Genre.REVUE_DIRECTION, "Revue de direction", debut, fin, le
        )
    return render(
        request,
        "pilotage/revue_direction.html",
        {"form": form, "debut": debut, "fin": fin, "precedente": periode_precedente(debut, fin)},
    )


@gerant_requis
def dossier_audit(request):
    le = timezone.localdate()
    form, debut, fin, preparer = _periode_lourde(request, douze_mois(le))
    if preparer:
        # A worker builds it (quotes' PDFs and agreements can be many): the page shows its bar.
        return _lancer_periode(
            request, Travail.Genre.DOSSIER_AUDIT, "Dossier d'audit", debut, fin, le
        )
    return render(
        request,
        "pilotage/dossier_audit.html",
        {
            "form": form,
            "debut": debut,
            "fin": fin,
            "pieces": audit.pieces(),
            "resumes": audit.resumes(debut, fin),
        },
    )


# --- Import ------------------------------------------------------------------------------------

CLE_SESSION_IMPORT = "pilotage_import"
DUREE_FICHIERS_IMPORT = 24 * 3600


def _purger_imports() -> None:
    """Files left by previews never confirmed are removed after a day."""
    limite = time.time() - DUREE_FICHIERS_IMPORT
    for f in dossier_imports().iterdir():
        try:
            if f.is_file() and f.stat().st_mtime < limite:
                f.unlink()
        except OSError:
            logger.warning("Fichier d'import non supprimé : %s", f.name)


def _fichier_en_attente(request) -> tuple[Path, str] | None:
    infos = request.session.get(CLE_SESSION_IMPORT)
    if not infos:
        return None
    nom = Path(infos.get("fichier", "")).name  # only a name of ours, never a path
    chemin = dossier_imports() / nom
    if not nom or not chemin.is_file():
        return None
    return chemin, infos.get("nom", nom)


def _oublier_import(request) -> None:
    en_attente = _fichier_en_attente(request)
    if en_attente:
        en_attente[0].unlink(missing_ok=True)
    request.session.pop(CLE_SESSION_IMPORT, None)


@gerant_requis
def import_televerser(request):
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            _oublier_import(request)
            _purger_imports()
            envoye = form.cleaned_data["fichier"]
            extension = ".xlsx" if envoye.name.lower().endswith(".xlsx") else ".csv"
            # A random name: the upload's own name never reaches the filesystem.
            nom = f"{secrets.token_hex(16)}{extension}"
            with open(dossier_imports() / nom, "wb") as f:
                for morceau in envoye.chunks():
                    f.write(morceau)
            request.session[CLE_SESSION_IMPORT] = {"fichier": nom, "nom": envoye.name[:200]}
            return redirect("pilotage:import_apercu")
    else:
        form = ImportForm()
    return render(request, "pilotage/import_form.html", {"form": form})


@gerant_requis
def import_apercu(request):
    en_attente = _fichier_en_attente(request)
    if en_attente is None:
        messages.info(request, "Choisissez d'abord le fichier à importer.")
        return redirect("pilotage:import")
    chemin, nom = en_attente
    try:
        analyse = importation.analyser(chemin.read_bytes(), nom)
    except importation.ErreurFichier as exc:
        _oublier_import(request)
        messages.error(request, str(exc))
        return redirect("pilotage:import")
    return render(request, "pilotage/import_apercu.html", {"analyse": analyse})


@gerant_requis
@require_POST
def import_confirmer(request):
    en_attente = _fichier_en_attente(request)
    if en_attente is None:
        messages.error(request, "Le fichier à importer n'est plus disponible : recommencez.")
        return redirect("pilotage:import")
    chemin, nom = en_attente
    if request.POST.get("annuler"):
        _oublier_import(request)
        messages.info(request, "Import annulé : rien n'a été enregistré.")
        return redirect("pilotage:import")
    # A worker writes the rows (a large file takes a while); the job's page shows the report.
    # The session forgets the file: the job owns it now and deletes it when done.
    request.session.pop(CLE_SESSION_IMPORT, None)
    travail = travaux.lancer(
        genre=Travail.Genre.IMPORT,
        user=request.user,
        titre=f"Import de {nom}"[:200],
        parametres={"fichier": chemin.name, "nom": nom},
    )
    return redirect(travail)


# --- Exports -----------------------------------------------------------------------------------


@gerant_requis
def exports_page(request):
    q = request.GET.get("q", "").strip()
    organisations = (
        Organisation.objects.filter(raison_sociale__icontains=q).order_by("raison_sociale")[:20]
        if q
        else []
    )
    return render(
        request,
        "pilotage/exports.html",
        {"q": q, "organisations": organisations, "listes": exports.listes(request.user)},
    )


@gerant_requis
def export_liste(request, liste: str):
    """A list's export. GET (the lists' links, with their filters) shows the form; the file is
    made only by its POST (CSRF-protected), the filters carried in the address or the form."""
    export = exports.liste(liste, request.user)
    if export is None:
        raise Http404("Liste inconnue")
    params = request.GET.copy()
    if request.method != "POST":
        params.pop("format", None)
        return render(
            request,
            "pilotage/export.html",
            {
                "export": export,
                "filtres": list(params.lists()),
                "format": request.GET.get("format"),
            },
        )
    params.update(request.POST)
    params.pop("csrfmiddlewaretoken", None)
    format = params.pop("format", ["csv"])[-1]
    if format not in exports.FORMATS:
        format = "csv"
    travail = travaux.lancer(
        genre=Travail.Genre.EXPORT,
        user=request.user,
        titre=f"Export : {export.libelle or export.titre} ({format.upper()})",
        parametres={
            "liste": liste,
            "format": format,
            "filtres": dict(params.lists()),
            "le": timezone.localdate().isoformat(),
        },
    )
    return redirect(travail)


@gerant_requis
def export_dossier_client(request, pk: int):
    org = get_object_or_404(
        Organisation.objects.select_related("responsable", "recommande_par").avec_statut(), pk=pk
    )
    reponse = HttpResponse(exports.dossier_client(org), content_type=exports.FORMATS["xlsx"][0])
    nom = f"dossier-{slugify(org.raison_sociale)[:60] or org.pk}-{timezone.localdate():%Y-%m-%d}"
    reponse["Content-Disposition"] = f'attachment; filename="{nom}.xlsx"'
    return reponse


# --- Calendar ----------------------------------------------------------------------------------


@membre_requis
def mon_agenda(request):
    jeton = agenda.jeton_de(request.user)
    return render(
        request,
        "pilotage/agenda.html",
        {"url": request.build_absolute_uri(jeton.get_absolute_url())},
    )


@membre_requis
@require_POST
def agenda_renouveler(request):
    agenda.renouveler(request.user)
    messages.success(
        request, "Nouveau lien créé : l'ancien ne fonctionne plus. Collez le nouveau dans Outlook."
    )
    return redirect(reverse("pilotage:agenda"))


# Calendar software only reads the feed (GET); it polls every few minutes at most.
@page_publique(limite="CRM_AGENDA_LIMITE", corps_max=0)
def agenda_ics(request, jeton: str):
    """The feed, reached without a session by the calendar software: the token is the key."""
    user = agenda.utilisateur_du_jeton(jeton)
    if user is None:
        raise Http404("Agenda introuvable")
    contenu = agenda.calendrier(user, le=timezone.localdate())
    reponse = HttpResponse(contenu, content_type="text/calendar; charset=utf-8")
    reponse["Content-Disposition"] = 'inline; filename="iod-crm.ics"'
    return reponse
