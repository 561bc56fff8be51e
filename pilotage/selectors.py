"""The figures of the dashboard and of the management review, computed in the database.

The functions take a list of disjoint periods (``debut``, ``fin``, both inclusive: the period
and the one before it, side by side) and return one result per period. Each runs a fixed number
of queries whatever the number of rows and of periods: conditional aggregates, or a GROUP BY on
the period's number (``crm.periodes``), never a loop over rows nor a query per period.

Quote figures follow the cohort of quotes **sent** in the period (each quote counted once,
with its outcome known to date); requests and complaints the cohort **received** in the
period; feasibility decisions and relances those **decided / due** in the period.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    Q,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Least, RowNumber

from crm.models import Decision, Demande, RevueFaisabilite, Source, SuiteNoGo
from crm.periodes import Periode, dans, numero, une_des, verifier
from devis.models import STATUTS_EMIS, Devis, Relance, StatutDevis, arrondi
from reclamations.models import Reclamation, StatutReclamation
from satisfaction.selectors import indicateurs_periodes as indicateurs_satisfaction

_MONTANT = ExpressionWrapper(
    F("lignes__quantite") * F("lignes__prix_unitaire_ht"),
    output_field=DecimalField(max_digits=16, decimal_places=4),
)


def _euros(valeur) -> Decimal:
    return arrondi(Decimal(valeur or 0))


def _taux(numerateur: int, denominateur: int) -> float | None:
    """A share in percent, one decimal; None (shown « — ») when there is nothing to divide."""
    if not denominateur:
        return None
    return round(100 * numerateur / denominateur, 1)


def _jours(duree: timedelta | None) -> float | None:
    if duree is None:
        return None
    return round(duree.total_seconds() / 86400, 1)


# --- Quotes ------------------------------------------------------------------------------------


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
        return _taux(self.acceptes, self.repondus)

    @property
    def conversion_envoyes(self) -> float | None:
        """Accepted / sent."""
        return _taux(self.acceptes, self.envoyes)

    @property
    def taux_sans_suite(self) -> float | None:
        return _taux(self.sans_suite, self.envoyes)


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


# --- Requests ----------------------------------------------------------------------------------


@dataclass
class Delais:
    demandes_repondues: int = 0
    reponse_jours: float | None = None  # request received → Go/No Go or first quote sent
    devis_envoyes: int = 0
    envoi_devis_jours: float | None = None  # request received → its quote sent


def _duree(fin: str, debut: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(fin) - F(debut), output_field=DurationField())


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
        .aggregate(**_moyennes("recue_le", _duree("repondue_le", "recue_le"), periodes))
    )
    envois = (
        Devis.objects.filter(
            une_des("envoye_le", periodes),
            statut__in=STATUTS_EMIS,
            demande__isnull=False,
            remplace__isnull=True,
        )
    ).aggregate(**_moyennes("envoye_le", _duree("envoye_le", "demande__recue_le"), periodes))
    return [
        Delais(
            demandes_repondues=demandes[f"n_{i}"],
            reponse_jours=_jours(demandes[f"moyenne_{i}"]),
            devis_envoyes=envois[f"n_{i}"],
            envoi_devis_jours=_jours(envois[f"moyenne_{i}"]),
        )
        for i in range(len(periodes))
    ]


def _moyennes(champ: str, duree, periodes: list[Periode]) -> dict:
    """Count and mean ``duree`` of the rows whose ``champ`` falls in each period."""
    resultat = {}
    for i, p in enumerate(periodes):
        resultat[f"n_{i}"] = Count("pk", filter=dans(champ, p))
        resultat[f"moyenne_{i}"] = Avg(duree, filter=dans(champ, p))
    return resultat


def demandes_par_source(
    periodes: list[Periode], *, limite: int = 10
) -> tuple[list[list[dict]], list[list[dict]]]:
    """Requests received in each period by the organisation's source (every source listed),
    and who referred the organisations they came from (the ``limite`` most frequent).

    One query grouped by period, source and referrer: its rows are bounded by the requests of
    the periods, not by the history.
    """
    nom = "organisation__recommande_par__raison_sociale"
    personne = "organisation__recommande_par_personne"
    lignes = (
        Demande.objects.filter(une_des("recue_le", periodes))
        .annotate(periode=numero("recue_le", periodes))
        .values("periode", "organisation__source", "organisation__recommande_par", nom, personne)
        .annotate(nombre=Count("pk"))
        .order_by()
    )
    sources: list[Counter] = [Counter() for _ in periodes]
    recommandes: list[Counter] = [Counter() for _ in periodes]
    for ligne in lignes:
        i = ligne["periode"]
        sources[i][ligne["organisation__source"]] += ligne["nombre"]
        if ligne["organisation__recommande_par"] is not None or ligne[personne]:
            cle = (ligne[personne], ligne[nom] or "", ligne["organisation__recommande_par"])
            recommandes[i][cle] += ligne["nombre"]
    par_source = [
        [
            {"source": valeur, "libelle": libelle, "nombre": comptes[valeur]}
            for valeur, libelle in Source.choices
        ]
        for comptes in sources
    ]
    recommandeurs = [
        [
            {
                "nom": " — ".join(n for n in (qui, organisation) if n),
                "organisation_id": organisation_id,
                "nombre": nombre,
            }
            for (qui, organisation, organisation_id), nombre in sorted(
                comptes.items(), key=lambda item: (-item[1], item[0][1] or "\uffff", item[0][0])
            )[:limite]
        ]
        for comptes in recommandes
    ]
    return par_source, recommandeurs


# --- Feasibility -------------------------------------------------------------------------------


@dataclass
class Faisabilite:
    revues: int = 0
    go: int = 0
    no_go: int = 0
    declinees: int = 0
    reorientees: int = 0
    # Which of the three questions had a « non » in the No Go decisions.
    sans_competence: int = 0
    sans_disponibilite: int = 0
    conflit_interets: int = 0
    derniers_no_go: list[dict] = field(default_factory=list)

    @property
    def taux_no_go(self) -> float | None:
        return _taux(self.no_go, self.revues)


def faisabilite(periodes: list[Periode], *, limite: int = 10) -> list[Faisabilite]:
    """Feasibility reviews decided in each period, and the latest No Go of each with their
    motive (two queries)."""
    qs = RevueFaisabilite.objects.filter(une_des("decidee_le", periodes))
    no_go = Q(decision=Decision.NO_GO)
    comptes = {
        "revues": Q(),
        "go": Q(decision=Decision.GO),
        "no_go": no_go,
        "declinees": no_go & Q(suite=SuiteNoGo.DECLINER),
        "reorientees": no_go & Q(suite=SuiteNoGo.REORIENTER),
        "sans_competence": no_go & Q(competence=False),
        "sans_disponibilite": no_go & Q(disponibilite=False),
        "conflit_interets": no_go & Q(independance=False),
    }
    a = qs.aggregate(
        **{
            f"{cle}_{i}": Count("pk", filter=condition & dans("decidee_le", p))
            for i, p in enumerate(periodes)
            for cle, condition in comptes.items()
        }
    )
    resultat = [
        Faisabilite(**{cle: a[f"{cle}_{i}"] for cle in comptes}) for i in range(len(periodes))
    ]
    derniers = (
        qs.filter(no_go)
        .annotate(
            periode=numero("decidee_le", periodes),
            rang=Window(
                RowNumber(),
                partition_by=F("periode"),
                order_by=[F("decidee_le").desc(), F("pk").desc()],
            ),
        )
        .filter(rang__lte=limite)
        .select_related("demande__organisation")
        .order_by("periode", "rang")
    )
    for r in derniers:
        resultat[r.periode].derniers_no_go.append(
            {
                "le": r.decidee_le,
                "demande_id": r.demande_id,
                "organisation": r.demande.organisation.raison_sociale,
                "suite": r.get_suite_display(),
                "partenaire": r.partenaire,
                "motif": r.motif,
            }
        )
    return resultat


# --- Complaints --------------------------------------------------------------------------------


@dataclass
class Reclamations:
    recues: int = 0
    accusees_a_temps: int = 0
    repondues: int = 0
    repondues_a_temps: int = 0
    echues: int = 0  # answered, or whose answer deadline has passed
    en_retard: int = 0  # not answered and past the deadline
    closes: int = 0
    fondees: int = 0

    @property
    def taux_a_temps(self) -> float | None:
        """Answered within the deadline, out of those whose deadline is reached."""
        return _taux(self.repondues_a_temps, self.echues)

    @property
    def taux_accuse_a_temps(self) -> float | None:
        return _taux(self.accusees_a_temps, self.recues)


def reclamations(periodes: list[Periode], jours: list[date]) -> list[Reclamations]:
    """Complaints received in each period and their deadlines as of the matching day of
    ``jours`` (one query)."""

    def conditions(le: date) -> dict[str, Q]:
        repondue = Q(repondue_le__isnull=False)
        depassee = Q(repondue_le__isnull=True, reponse_due_le__lt=le)
        return {
            "recues": Q(),
            "accusees_a_temps": Q(accuse_le__lte=F("accuse_du_le")),
            "repondues": repondue,
            "repondues_a_temps": Q(repondue_le__lte=F("reponse_due_le")),
            "echues": repondue | depassee,
            "en_retard": depassee,
            "closes": Q(statut=StatutReclamation.CLOSE),
            "fondees": Q(fondee=True),
        }

    par_periode = [conditions(le) for le in jours]
    a = Reclamation.objects.filter(une_des("recue_le", periodes)).aggregate(
        **{
            f"{cle}_{i}": Count("pk", filter=dans("recue_le", p) & c)
            for i, (p, cs) in enumerate(zip(periodes, par_periode, strict=True))
            for cle, c in cs.items()
        }
    )
    return [
        Reclamations(**{cle: a[f"{cle}_{i}"] for cle in cs}) for i, cs in enumerate(par_periode)
    ]


# --- Follow-up discipline ----------------------------------------------------------------------


@dataclass
class Discipline:
    relances_dues: int = 0
    faites: int = 0
    faites_a_temps: int = 0

    @property
    def taux_a_temps(self) -> float | None:
        return _taux(self.faites_a_temps, self.relances_dues)


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


# --- Everything, for one period ----------------------------------------------------------------


@dataclass
class Indicateurs:
    debut: date
    fin: date
    devis: ActiviteDevis
    pipeline: Pipeline
    motifs_refus: list[dict]
    delais: Delais
    sources: list[dict]
    recommandeurs: list[dict]
    faisabilite: Faisabilite
    reclamations: Reclamations
    discipline: Discipline
    satisfaction: dict

    @property
    def demandes(self) -> int:
        return sum(s["nombre"] for s in self.sources)

    @property
    def demandes_reseau(self) -> int:
        """Requests from referrals and the network: how the firm lives."""
        return sum(
            s["nombre"]
            for s in self.sources
            if s["source"] in (Source.RECOMMANDATION, Source.RESEAU)
        )

    @property
    def part_reseau(self) -> float | None:
        return _taux(self.demandes_reseau, self.demandes)


def indicateurs_periodes(periodes: list[Periode], *, le: date | None = None) -> list[Indicateurs]:
    """Every figure of each period (disjoint periods: the dashboard's period and the one
    before it); snapshots (pipeline, overdue complaints) are taken on the earlier of the
    period's end and ``le`` (today, for a period not over yet). 11 queries, whatever the number
    of periods and of rows."""
    verifier(periodes)
    jours = [min(fin, le) if le else fin for _, fin in periodes]
    devis, motifs = devis_envoyes(periodes)
    sources, recommandeurs = demandes_par_source(periodes)
    return [
        Indicateurs(
            debut=debut,
            fin=fin,
            devis=d,
            pipeline=pi,
            motifs_refus=m,
            delais=de,
            sources=so,
            recommandeurs=re,
            faisabilite=fa,
            reclamations=rc,
            discipline=di,
            satisfaction=sa,
        )
        for (debut, fin), d, pi, m, de, so, re, fa, rc, di, sa in zip(
            periodes,
            devis,
            pipelines(jours),
            motifs,
            delais(periodes),
            sources,
            recommandeurs,
            faisabilite(periodes),
            reclamations(periodes, jours),
            discipline_relances(periodes),
            indicateurs_satisfaction(periodes),
            strict=True,
        )
    ]


def indicateurs(debut: date, fin: date, *, le: date | None = None) -> Indicateurs:
    """Every figure of one period (see ``indicateurs_periodes``)."""
    return indicateurs_periodes([(debut, fin)], le=le)[0]
