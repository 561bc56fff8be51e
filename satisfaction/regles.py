"""Surveys after a mission (PROC-020 §3.6), every day.

- ``enquetes_a_envoyer``: missions ended with no survey yet, proposed to the gérant (who sends
  them in one click from the satisfaction page). Read-only, so any run gives the same list.
- ``enquetes_relancees``: the one reminder, 7 days after sending, of an unanswered survey that
  has not expired. Each reminder is claimed by a conditional UPDATE (``relancee_le`` still
  empty → ``le``) before its email is recorded, so a second run, a concurrent run or a run
  after downtime never sends a second reminder; the claim is the marker the next query skips.
  A failed transport leaves the email recorded for ``crm.emails``' retry job.

Contacts or organisations marked « ne pas prospecter » get neither a survey nor a reminder.
"""

from __future__ import annotations

import logging
from datetime import date

from crm.extensions import regle
from satisfaction import selectors, services

logger = logging.getLogger(__name__)


def _libelle_mission(m) -> str:
    return f"Mission {m.pk} — {m.devis.organisation.raison_sociale}"


def _libelle_enquete(e) -> str:
    return f"Enquête {e.pk} — {e.contact.organisation.raison_sociale}"


@regle(
    "enquetes",
    libelles={
        "enquetes_a_envoyer": "Enquêtes de satisfaction à envoyer",
        "enquetes_relancees": "Enquêtes relancées",
    },
    ordre=80,
)
def _enquetes(le: date, *, simuler: bool) -> dict[str, list[str]]:
    a_envoyer = [_libelle_mission(m) for m in selectors.missions_sans_enquete(le)]
    relancees = []
    for enquete in list(selectors.enquetes_a_relancer(le)):
        if simuler:
            relancees.append(_libelle_enquete(enquete))
            continue
        try:
            if services.relancer_enquete(enquete, le=le):
                relancees.append(_libelle_enquete(enquete))
        except Exception:  # one bad survey must not stop the others
            logger.exception("Relance de l'enquête %s impossible", enquete.pk)
    return {"enquetes_a_envoyer": a_envoyer, "enquetes_relancees": relancees}
