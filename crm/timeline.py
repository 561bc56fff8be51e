"""An organisation's whole story as one dated timeline.

The core lists its own events (interactions, requests, missions); other apps add theirs from a
``chronologie.py`` module found by ``autodiscover_modules``, as for rules and digest sections.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils.module_loading import autodiscover_modules

from crm.models import Organisation


@dataclass
class Evenement:
    le: date
    type: str
    titre: str
    detail: str = ""
    url: str = ""
    badge: str = ""


_SOURCES: list[Callable[..., list[Evenement]]] = []
_decouvertes = False


def source(fonction):
    if fonction not in _SOURCES:
        _SOURCES.append(fonction)
    return fonction


def chronologie(org: Organisation, *, voir_prix: bool) -> list[Evenement]:
    global _decouvertes
    if not _decouvertes:
        autodiscover_modules("chronologie")
        _decouvertes = True
    evenements: list[Evenement] = []
    for f in _SOURCES:
        evenements.extend(f(org, voir_prix=voir_prix))
    return sorted(evenements, key=lambda e: e.le, reverse=True)


@source
def _coeur(org: Organisation, *, voir_prix: bool) -> list[Evenement]:
    from crm.models import Mission

    evts = [
        Evenement(
            le=i.date,
            type="interaction",
            titre=i.get_type_display(),
            detail=f"{i.resume}" + (f" — avec {i.contact.nom_complet}" if i.contact else ""),
            badge=(i.auteur.get_full_name() if i.auteur else ""),
        )
        for i in org.interactions.select_related("contact", "auteur")[:200]
    ]
    evts += [
        Evenement(
            le=d.recue_le,
            type="demande",
            titre=f"Demande — {d.get_type_prestation_display()} ({d.get_contexte_display().lower()})",
            detail=d.description[:200],
            url=d.get_absolute_url(),
            badge=d.get_statut_display(),
        )
        for d in org.demandes.all()[:200]
    ]
    evts += [
        Evenement(
            le=m.debut,
            type="mission",
            titre=f"Mission lancée — {m.devis.objet}",
            url=m.get_absolute_url(),
            badge=m.get_statut_display(),
        )
        for m in Mission.objects.filter(devis__organisation=org).select_related("devis")[:200]
    ]
    return evts
