"""The global search's page: the dropdown under the navigation bar's box (an htmx fragment,
as one types) and the full results page (the same search without JavaScript)."""

from __future__ import annotations

from django.shortcuts import render

from crm.acces import membre_requis
from crm.recherche import LONGUEUR_MIN, Termes, rechercher

LIMITE_PAGE = 25  # per kind, on the full page


@membre_requis
def recherche(request):
    saisie = request.GET.get("q", "")
    fragment = request.headers.get("HX-Request") == "true"
    groupes = rechercher(request.user, saisie, limite=6 if fragment else LIMITE_PAGE)
    contexte = {
        "saisie": saisie.strip(),
        "groupes": groupes,
        "trop_court": bool(saisie.strip()) and not Termes.lire(saisie),
        "longueur_min": LONGUEUR_MIN,
    }
    if fragment:
        return render(request, "crm/_recherche_resultats.html", contexte)
    return render(request, "crm/recherche.html", contexte)
