"""R1 relance unique and R2 sans suite (PROC-020 §3.4, DESIGN §5).

Safe to run twice, concurrently and after downtime:
- R1 inserts relances with ``bulk_create(ignore_conflicts=True)`` against the database's
  one-relance-per-devis constraint: a second run, a second worker or a retry after a crash
  inserts nothing more. It acts on every quote whose due date is at or before ``le``.
- R2 locks the quotes it classes (``select_for_update``; SQLite's IMMEDIATE transactions
  serialise writers) and re-checks their state under the lock, so an answer recorded at the
  same moment is never overwritten; a classed quote leaves the candidate set.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction

from crm.extensions import regle
from devis.models import Devis, Relance, StatutDevis
from devis.selectors import a_recontacter, numeros, relances_a_faire


def _candidats_relance(le: date):
    # RGPD: no relance for a contact or an organisation that objected to prospecting.
    # A reply read from the mailbox and not yet qualified stops the clock (horloge_en_marche).
    return (
        Devis.objects.horloge_en_marche()
        .filter(relance_due_le__lte=le, relance__isnull=True)
        .a_relancer_possible()
    )


def creer_relances_dues(le: date) -> list[str]:
    """R1: give each waiting quote past its relance date its one Relance. Returns numbers.

    The candidates' ids are read once (one scan of the waiting quotes' partial index); each
    batch then re-reads its own quotes by primary key in its transaction, so a quote answered
    or opted out since is left alone, as before. (Re-running the full candidate query for each
    batch made the rule quadratic in the backlog.) Each batch writes one history row per
    relance it created: those of its quotes with no history row yet, since a concurrent run
    that created some of them wrote their history in the same transaction as the relances.
    """
    crees: list[str] = []
    taille = settings.CRM_REGLES_LOT
    pks = list(_candidats_relance(le).order_by("pk").values_list("pk", flat=True))
    for debut in range(0, len(pks), taille):
        with transaction.atomic():
            # The batch's quotes are locked: a relance moved (``reporter_relance``, which locks
            # the quote too) at the same moment is either seen here (its new date leaves the
            # candidates) or waits and then moves the relance created here.
            lot = list(
                _candidats_relance(le)
                .filter(pk__in=pks[debut : debut + taille])
                .select_for_update(of=("self",))
                .order_by("pk")
                .values_list("pk", "numero", "relance_due_le")
            )
            if not lot:
                continue
            ids = [pk for pk, _, _ in lot]
            Relance.objects.bulk_create(
                [Relance(devis_id=pk, due_le=due) for pk, _, due in lot], ignore_conflicts=True
            )
            # History of the relances this batch created (those with no history row yet).
            nouveaux = list(
                Relance.objects.filter(devis_id__in=ids).exclude(
                    pk__in=Relance.history.filter(devis_id__in=ids).values("id")
                )
            )
            Relance.history.bulk_history_create(
                nouveaux, default_change_reason="R1 : relance due (PROC-020 §3.4)"
            )
        crees.extend(numero for _, numero, _ in lot)
    return crees


def classer_sans_suite(le: date) -> list[str]:
    """R2: quotes still waiting one month after sending become « sans suite ». Returns numbers."""
    classes: list[str] = []
    while True:
        with transaction.atomic():
            lot = list(
                Devis.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(statut=StatutDevis.ENVOYE, reponse_le__isnull=True, sans_suite_le__lte=le)
                .filter(reponse_recue_le__isnull=True)  # paused by a reply to qualify
                .order_by("pk")[: settings.CRM_REGLES_LOT]
            )
            if not lot:
                break
            for devis in lot:
                devis.statut = StatutDevis.SANS_SUITE
                devis.classe_sans_suite_le = le
            # Every row of the batch takes the same values: one plain UPDATE of the locked rows
            # (bulk_update's CASE per row cost 0.3 s of Python per batch of 500), then their
            # history, as bulk_update_with_history writes it.
            Devis.objects.filter(pk__in=[d.pk for d in lot]).update(
                statut=StatutDevis.SANS_SUITE, classe_sans_suite_le=le
            )
            Devis.history.bulk_history_create(
                lot, update=True, default_change_reason="R2 : sans suite après un mois sans réponse"
            )
        classes.extend(d.numero for d in lot)
        if len(lot) < settings.CRM_REGLES_LOT:
            break
    return classes


@regle("devis_r1_relance_unique", libelles={"relances_creees": "Relances créées"}, ordre=30)
def _r1(le: date, *, simuler: bool) -> dict[str, list[str]]:
    if simuler:
        return {"relances_creees": numeros(_candidats_relance(le).order_by("pk"))}
    return {"relances_creees": creer_relances_dues(le)}


@regle("devis_r2_sans_suite", libelles={"sans_suite": "Devis classés « sans suite »"}, ordre=40)
def _r2(le: date, *, simuler: bool) -> dict[str, list[str]]:
    if simuler:
        return {
            "sans_suite": numeros(
                Devis.objects.horloge_en_marche().filter(sans_suite_le__lte=le).order_by("pk")
            )
        }
    return {"sans_suite": classer_sans_suite(le)}


@regle("devis_relances_a_faire", libelles={"relances_dues": "Relances à faire"}, ordre=50)
def _a_faire(le: date, *, simuler: bool) -> dict[str, list[str]]:
    """The to-do list after R1 and R2: relances due at or before ``le`` and not yet done."""
    dues = [n for n in relances_a_faire(le).values_list("devis__numero", flat=True) if n]
    if simuler:
        sans_suite = set(numeros(Devis.objects.horloge_en_marche().filter(sans_suite_le__lte=le)))
        crees = numeros(_candidats_relance(le).exclude(sans_suite_le__lte=le))
        dues = [n for n in dues if n not in sans_suite] + crees
    return {"relances_dues": dues}


@regle(
    "devis_a_recontacter",
    libelles={"a_recontacter": "Devis en discussion à recontacter"},
    ordre=55,
)
def _a_recontacter(le: date, *, simuler: bool) -> dict[str, list[str]]:
    """Quotes « en discussion » whose next contact date has come (DESIGN §10). It writes
    nothing: the list is read again each day until the gérant records a new exchange (a new
    date) or a final answer, so it is safe twice, concurrently and after downtime."""
    return {"a_recontacter": numeros(a_recontacter(le))}
