"""The messages read from the mailbox on the quote's and the complaint's pages (the quote's
with its one-click qualification and the « reporter au retour » of an out-of-office)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from courrier import selectors
from courrier.digest import bouton_reporter, boutons_qualifier
from courrier.models import StatutMessage
from crm.extensions import PanneauPage, panneaux_pages
from crm.roles import est_gerant
from devis.models import Devis
from reclamations.models import Reclamation


def _devis(request: HttpRequest, devis: Devis | None) -> dict[str, Any] | None:
    if not est_gerant(request.user) or devis is None:
        return None
    messages_lus = list(selectors.messages_du(devis, "devis"))
    if not messages_lus:
        return None
    # The page is an edge: it reads today's date, once.
    absences = selectors.absences_a_reporter(timezone.localdate(), devis=devis)
    report = absences[-1][1] if absences else None
    return {
        "messages_recus": messages_lus,
        "boutons": boutons_qualifier(devis) if devis.reponse_recue_le else (),
        "bouton_report": bouton_reporter(report) if report is not None else None,
        "automatique": StatutMessage.AUTOMATIQUE,
    }


def _reclamation(request: HttpRequest, reclamation: Reclamation) -> dict[str, Any] | None:
    messages_lus = list(selectors.messages_du(reclamation, "reclamation"))
    if not messages_lus:
        return None
    return {"messages_recus": messages_lus, "boutons": (), "bouton_report": None}


panneaux_pages.ajouter(
    PanneauPage("courrier.devis", page="devis", gabarit="courrier/_panneau.html", contexte=_devis)
)
panneaux_pages.ajouter(
    PanneauPage(
        "courrier.reclamation",
        page="reclamation",
        gabarit="courrier/_panneau.html",
        contexte=_reclamation,
    )
)
