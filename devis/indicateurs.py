"""The quotes' figures on the dashboard and in the management review (``crm.extensions``):
the quotes sent and their outcome, the pipeline, the delays to answer a request and to send a
quote, and the follow-up discipline.

Quote figures follow the cohort of quotes **sent** in the period (each quote counted once, with
its outcome known to date); relances those **due** in it. Each function runs a fixed number of
queries whatever the number of rows and of periods: conditional aggregates, or a GROUP BY on the
period's number (``crm.periodes``), never a loop over rows nor a query per period.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Min,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least

from crm.models import Demande
from crm.periodes import Periode, dans, duree, moyennes, numero, taux, une_des
from crm.periodes import jours as en_jours
from devis.models import STATUTS_EMIS, Devis, Relance, StatutDevis, arrondi

_MONTANT = ExpressionWrapper(
    F("lignes__quantite") * F("lignes__prix_unitaire_ht"),
    output_field=DecimalField(max_digits=16, decimal_places=4),
)


def _euros(valeur) -> Decimal:
    return arrondi(Decimal(valeur or 0))


@dataclass
class ActiviteDevis:
    envoyes: int = 0
    montant_envoye: Decimal = Decimal(0)
    acceptes: int = 0
    montant_accepte: Decimal = Decimal(0)
    refuses: int = 0
    sans_suite: int = 0
    sans_reponse: int = 0  # of the cohort, still waiting today

    @property
    def repondus(self) -> int:
        return self.acceptes + self.refuses

    @property
    def conversion_repondus(self) -> float | None:
        """Accepted / answered (accepted or refused)."""
        return taux(self.acceptes, self.repondus)

    @property
    def conversion_envoyes(self) -> float | None:
        """Accepted / sent."""
        return taux(self.acceptes, self.envoyes)

    @property
    def taux_sans_suite(self) -> float | None:
        return taux(self.sans_suite, self.envoyes)


def devis_envoyes(periodes: list[Periode]) -> tuple[list[ActiviteDevis], list[list[dict]]]:
    """Quotes sent in each period, their outcome to date, and the refused ones by reason
    (« Non précisé » when none was given), most frequent first. One query, grouped by period,
    status, reason and whether the quote still waits.

    A quote cancelled by a revision is not counted: its new version is.
    """
    groupes = (
        Devis.objects.filter(statut__in=STATUTS_EMIS)
        .filter(une_des("envoye_le", periodes))
        .annotate(
            periode=numero("envoye_le", periodes),
            attente=Case(
                When(statut=StatutDevis.ENVOYE, reponse_le__isnull=True, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .values("periode", "statut", "motif_refus__libelle", "attente")
        .annotate(nombre=Count("pk", distinct=True), montant=Sum(_MONTANT))
        .order_by()
    )
    activites = [ActiviteDevis() for _ in periodes]
    montants = [{"envoye": Decimal(0), "accepte": Decimal(0)} for _ in periodes]
    motifs: list[Counter] = [Counter() for _ in periodes]
    for g in groupes:
        a, m, n = activites[g["periode"]], montants[g["periode"]], g["nombre"]
        montant = Decimal(g["montant"] or 0)
        a.envoyes += n
        m["envoye"] += montant
        if g["statut"] == StatutDevis.ACCEPTE:
            a.acceptes += n
            m["accepte"] += montant
        elif g["statut"] == StatutDevis.REFUSE:
            a.refuses += n
            motifs[g["periode"]][g["motif_refus__libelle"] or "Non précisé"] += n
        elif g["statut"] == StatutDevis.SANS_SUITE:
            a.sans_suite += n
        if g["attente"]:
            a.sans_reponse += n
    for a, m in zip(activites, montants, strict=True):
        a.montant_envoye, a.montant_accepte = _euros(m["envoye"]), _euros(m["accepte"])
    return activites, [
        [
            {"motif": motif, "nombre": nombre}
            for motif, nombre in sorted(c.items(), key=lambda item: (-item[1], item[0]))
        ]
        for c in motifs
    ]


@dataclass
class Pipeline:
    le: date
    nombre: int = 0
    montant: Decimal = Decimal(0)


def pipelines(jours: list[date]) -> list[Pipeline]:
    """Quotes sent and waiting for an answer on each of ``jours`` (one query).

    On a past day: sent by then, not answered nor classed « sans suite » by then. Quotes since
    cancelled by a revision are left out (the day of the cancellation is not recorded).
    """
    conditions = [
        Q(envoye_le__lte=le)
        & (Q(reponse_le__isnull=True) | Q(reponse_le__gt=le))
        & (Q(classe_sans_suite_le__isnull=True) | Q(classe_sans_suite_le__gt=le))
        for le in jours
    ]
    a = (
        Devis.objects.exclude(statut__in=[StatutDevis.BROUILLON, StatutDevis.ANNULE])
        .filter(reduce(or_, conditions))
        .aggregate(
            **{
                f"nombre_{i}": Count("pk", distinct=True, filter=c)
                for i, c in enumerate(conditions)
            },
            **{f"montant_{i}": Sum(_MONTANT, filter=c) for i, c in enumerate(conditions)},
        )
    )
    return [
        Pipeline(le=le, nombre=a[f"nombre_{i}"], montant=_euros(a[f"montant_{i}"]))
        for i, le in enumerate(jours)
    ]


@dataclass
class Delais:
    demandes_repondues: int = 0
    reponse_jours: float | None = None  # request received → Go/No Go or first quote sent
    devis_envoyes: int = 0
    envoi_devis_jours: float | None = None  # request received → its quote sent


def delais(periodes: list[Periode]) -> list[Delais]:
    """Mean delays in calendar days (two queries).

    Answer to a request: from ``recue_le`` to the earlier of the feasibility decision and the
    first quote sent, for requests received in the period that have had one. Sending a quote:
    from the request's ``recue_le`` to ``envoye_le``, for first versions sent in the period.
    """
    demandes = (
        Demande.objects.filter(une_des("recue_le", periodes))
        .annotate(premier_envoi=Min("devis__envoye_le"), decidee_le=F("revue__decidee_le"))
        # The earlier of two dates, either of which may be NULL (PostgreSQL's LEAST skips a
        # NULL, SQLite's MIN() returns NULL: the COALESCE gives the same answer on both).
        .annotate(
            repondue_le=Coalesce(
                Least("decidee_le", "premier_envoi"), "decidee_le", "premier_envoi"
            )
        )
        .filter(repondue_le__isnull=False)
        .aggregate(**moyennes("recue_le", duree("repondue_le", "recue_le"), periodes))
    )
    envois = (
        Devis.objects.filter(
            une_des("envoye_le", periodes),
            statut__in=STATUTS_EMIS,
            demande__isnull=False,
            remplace__isnull=True,
        )
    ).aggregate(**moyennes("envoye_le", duree("envoye_le", "demande__recue_le"), periodes))
    return [
        Delais(
            demandes_repondues=demandes[f"n_{i}"],
            reponse_jours=en_jours(demandes[f"moyenne_{i}"]),
            devis_envoyes=envois[f"n_{i}"],
            envoi_devis_jours=en_jours(envois[f"moyenne_{i}"]),
        )
        for i in range(len(periodes))
    ]


@dataclass
class Discipline:
    relances_dues: int = 0
    faites: int = 0
    faites_a_temps: int = 0

    @property
    def taux_a_temps(self) -> float | None:
        return taux(self.faites_a_temps, self.relances_dues)


def discipline_relances(periodes: list[Periode]) -> list[Discipline]:
    """Relances due in each period: done, and done on time (``faite_le <= due_le``)."""
    conditions = {
        "relances_dues": Q(),
        "faites": Q(faite_le__isnull=False),
        "faites_a_temps": Q(faite_le__lte=F("due_le")),
    }
    a = Relance.objects.filter(une_des("due_le", periodes)).aggregate(
        **{
            f"{cle}_{i}": Count("pk", filter=c & dans("due_le", p))
            for i, p in enumerate(periodes)
            for cle, c in conditions.items()
        }
    )
    return [
        Discipline(**{cle: a[f"{cle}_{i}"] for cle in conditions}) for i in range(len(periodes))
    ]
