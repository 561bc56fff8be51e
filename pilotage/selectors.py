"""The figures of the dashboard and of the management review, computed in the database.

Each function takes a period (``debut``, ``fin``, both inclusive) and runs a fixed number of
queries whatever the number of rows: aggregates and GROUP BY, never a loop over rows.

Quote figures follow the cohort of quotes **sent** in the period (each quote counted once,
with its outcome known to date); requests and complaints the cohort **received** in the
period; feasibility decisions and relances those **decided / due** in the period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, Least

from crm.models import Decision, Demande, RevueFaisabilite, Source, SuiteNoGo
from devis.models import STATUTS_EMIS, Devis, Relance, StatutDevis, arrondi
from reclamations.models import Reclamation, StatutReclamation
from satisfaction.selectors import indicateurs as indicateurs_satisfaction

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


def activite_devis(debut: date, fin: date) -> ActiviteDevis:
    """Quotes sent in the period and their outcome to date (one query).

    A quote cancelled by a revision is not counted: its new version is.
    """
    qs = Devis.objects.filter(statut__in=STATUTS_EMIS, envoye_le__gte=debut, envoye_le__lte=fin)
    accepte = Q(statut=StatutDevis.ACCEPTE)
    a = qs.aggregate(
        envoyes=Count("pk", distinct=True),
        montant_envoye=Sum(_MONTANT),
        acceptes=Count("pk", distinct=True, filter=accepte),
        montant_accepte=Sum(_MONTANT, filter=accepte),
        refuses=Count("pk", distinct=True, filter=Q(statut=StatutDevis.REFUSE)),
        sans_suite=Count("pk", distinct=True, filter=Q(statut=StatutDevis.SANS_SUITE)),
        sans_reponse=Count(
            "pk", distinct=True, filter=Q(statut=StatutDevis.ENVOYE, reponse_le__isnull=True)
        ),
    )
    return ActiviteDevis(
        envoyes=a["envoyes"],
        montant_envoye=_euros(a["montant_envoye"]),
        acceptes=a["acceptes"],
        montant_accepte=_euros(a["montant_accepte"]),
        refuses=a["refuses"],
        sans_suite=a["sans_suite"],
        sans_reponse=a["sans_reponse"],
    )


@dataclass
class Pipeline:
    le: date
    nombre: int = 0
    montant: Decimal = Decimal(0)


def pipeline(le: date) -> Pipeline:
    """Quotes sent and waiting for an answer on the day ``le`` (one query).

    On a past day: sent by then, not answered nor classed « sans suite » by then. Quotes since
    cancelled by a revision are left out (the day of the cancellation is not recorded).
    """
    qs = (
        Devis.objects.filter(envoye_le__lte=le)
        .exclude(statut__in=[StatutDevis.BROUILLON, StatutDevis.ANNULE])
        .filter(Q(reponse_le__isnull=True) | Q(reponse_le__gt=le))
        .filter(Q(classe_sans_suite_le__isnull=True) | Q(classe_sans_suite_le__gt=le))
    )
    a = qs.aggregate(nombre=Count("pk", distinct=True), montant=Sum(_MONTANT))
    return Pipeline(le=le, nombre=a["nombre"], montant=_euros(a["montant"]))


def motifs_refus(debut: date, fin: date) -> list[dict]:
    """Quotes sent in the period and refused, by reason (« Non précisé » when none was given)."""
    lignes = (
        Devis.objects.filter(statut=StatutDevis.REFUSE, envoye_le__gte=debut, envoye_le__lte=fin)
        .values("motif_refus__libelle")
        .annotate(nombre=Count("pk"))
        .order_by("-nombre", "motif_refus__libelle")
    )
    return [
        {"motif": ligne["motif_refus__libelle"] or "Non précisé", "nombre": ligne["nombre"]}
        for ligne in lignes
    ]


# --- Requests ----------------------------------------------------------------------------------


@dataclass
class Delais:
    demandes_repondues: int = 0
    reponse_jours: float | None = None  # request received → Go/No Go or first quote sent
    devis_envoyes: int = 0
    envoi_devis_jours: float | None = None  # request received → its quote sent


def delais(debut: date, fin: date) -> Delais:
    """Mean delays in calendar days (two queries).

    Answer to a request: from ``recue_le`` to the earlier of the feasibility decision and the
    first quote sent, for requests received in the period that have had one. Sending a quote:
    from the request's ``recue_le`` to ``envoye_le``, for first versions sent in the period.
    """
    premier_envoi = Subquery(
        Devis.objects.filter(demande=OuterRef("pk"), envoye_le__isnull=False)
        .order_by("envoye_le")
        .values("envoye_le")[:1]
    )
    demandes = (
        Demande.objects.filter(recue_le__gte=debut, recue_le__lte=fin)
        .annotate(premier_envoi=premier_envoi, decidee_le=F("revue__decidee_le"))
        # LEAST of two dates, either of which may be NULL (SQLite's MIN() would give NULL).
        .annotate(
            repondue_le=Least(
                Coalesce("decidee_le", "premier_envoi"), Coalesce("premier_envoi", "decidee_le")
            )
        )
        .filter(repondue_le__isnull=False)
        .aggregate(
            n=Count("pk"),
            moyenne=Avg(
                ExpressionWrapper(F("repondue_le") - F("recue_le"), output_field=DurationField())
            ),
        )
    )
    envois = Devis.objects.filter(
        statut__in=STATUTS_EMIS,
        envoye_le__gte=debut,
        envoye_le__lte=fin,
        demande__isnull=False,
        remplace__isnull=True,
    ).aggregate(
        n=Count("pk"),
        moyenne=Avg(
            ExpressionWrapper(F("envoye_le") - F("demande__recue_le"), output_field=DurationField())
        ),
    )
    return Delais(
        demandes_repondues=demandes["n"],
        reponse_jours=_jours(demandes["moyenne"]),
        devis_envoyes=envois["n"],
        envoi_devis_jours=_jours(envois["moyenne"]),
    )


def demandes_par_source(debut: date, fin: date) -> list[dict]:
    """Requests received in the period by the organisation's source, every source listed."""
    comptes = dict(
        Demande.objects.filter(recue_le__gte=debut, recue_le__lte=fin)
        .values_list("organisation__source")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        {"source": valeur, "libelle": libelle, "nombre": comptes.get(valeur, 0)}
        for valeur, libelle in Source.choices
    ]


def recommandeurs(debut: date, fin: date, *, limite: int = 10) -> list[dict]:
    """Who referred the organisations whose requests came in the period (most first)."""
    lignes = (
        Demande.objects.filter(recue_le__gte=debut, recue_le__lte=fin)
        .filter(
            Q(organisation__recommande_par__isnull=False)
            | ~Q(organisation__recommande_par_personne="")
        )
        .values(
            "organisation__recommande_par",
            "organisation__recommande_par__raison_sociale",
            "organisation__recommande_par_personne",
        )
        .annotate(nombre=Count("pk"))
        .order_by("-nombre", "organisation__recommande_par__raison_sociale")[:limite]
    )
    resultat = []
    for ligne in lignes:
        noms = [
            n
            for n in (
                ligne["organisation__recommande_par_personne"],
                ligne["organisation__recommande_par__raison_sociale"],
            )
            if n
        ]
        resultat.append(
            {
                "nom": " — ".join(noms),
                "organisation_id": ligne["organisation__recommande_par"],
                "nombre": ligne["nombre"],
            }
        )
    return resultat


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


def faisabilite(debut: date, fin: date, *, limite: int = 10) -> Faisabilite:
    """Feasibility reviews decided in the period, and the latest No Go with their motive
    (two queries)."""
    qs = RevueFaisabilite.objects.filter(decidee_le__gte=debut, decidee_le__lte=fin)
    no_go = Q(decision=Decision.NO_GO)
    a = qs.aggregate(
        revues=Count("pk"),
        go=Count("pk", filter=Q(decision=Decision.GO)),
        no_go=Count("pk", filter=no_go),
        declinees=Count("pk", filter=no_go & Q(suite=SuiteNoGo.DECLINER)),
        reorientees=Count("pk", filter=no_go & Q(suite=SuiteNoGo.REORIENTER)),
        sans_competence=Count("pk", filter=no_go & Q(competence=False)),
        sans_disponibilite=Count("pk", filter=no_go & Q(disponibilite=False)),
        conflit_interets=Count("pk", filter=no_go & Q(independance=False)),
    )
    derniers = [
        {
            "le": r.decidee_le,
            "demande_id": r.demande_id,
            "organisation": r.demande.organisation.raison_sociale,
            "suite": r.get_suite_display(),
            "partenaire": r.partenaire,
            "motif": r.motif,
        }
        for r in qs.filter(no_go)
        .select_related("demande__organisation")
        .order_by("-decidee_le", "-pk")[:limite]
    ]
    return Faisabilite(**a, derniers_no_go=derniers)


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


def reclamations(debut: date, fin: date, *, le: date | None = None) -> Reclamations:
    """Complaints received in the period and their deadlines as of ``le`` (default ``fin``)."""
    le = min(le, fin) if le else fin
    qs = Reclamation.objects.filter(recue_le__gte=debut, recue_le__lte=fin)
    repondue = Q(repondue_le__isnull=False)
    depassee = Q(repondue_le__isnull=True, reponse_due_le__lt=le)
    a = qs.aggregate(
        recues=Count("pk"),
        accusees_a_temps=Count("pk", filter=Q(accuse_le__lte=F("accuse_du_le"))),
        repondues=Count("pk", filter=repondue),
        repondues_a_temps=Count("pk", filter=Q(repondue_le__lte=F("reponse_due_le"))),
        echues=Count("pk", filter=repondue | depassee),
        en_retard=Count("pk", filter=depassee),
        closes=Count("pk", filter=Q(statut=StatutReclamation.CLOSE)),
        fondees=Count("pk", filter=Q(fondee=True)),
    )
    return Reclamations(**a)


# --- Follow-up discipline ----------------------------------------------------------------------


@dataclass
class Discipline:
    relances_dues: int = 0
    faites: int = 0
    faites_a_temps: int = 0

    @property
    def taux_a_temps(self) -> float | None:
        return _taux(self.faites_a_temps, self.relances_dues)


def discipline_relances(debut: date, fin: date) -> Discipline:
    """Relances due in the period: done, and done on time (``faite_le <= due_le``)."""
    a = Relance.objects.filter(due_le__gte=debut, due_le__lte=fin).aggregate(
        relances_dues=Count("pk"),
        faites=Count("pk", filter=Q(faite_le__isnull=False)),
        faites_a_temps=Count("pk", filter=Q(faite_le__lte=F("due_le"))),
    )
    return Discipline(**a)


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


def indicateurs(debut: date, fin: date, *, le: date | None = None) -> Indicateurs:
    """Every figure of the period; snapshots (pipeline, overdue complaints) are taken on the
    earlier of ``fin`` and ``le`` (today, for a period not over yet). 14 queries."""
    jour = min(fin, le) if le else fin
    return Indicateurs(
        debut=debut,
        fin=fin,
        devis=activite_devis(debut, fin),
        pipeline=pipeline(jour),
        motifs_refus=motifs_refus(debut, fin),
        delais=delais(debut, fin),
        sources=demandes_par_source(debut, fin),
        recommandeurs=recommandeurs(debut, fin),
        faisabilite=faisabilite(debut, fin),
        reclamations=reclamations(debut, fin, le=jour),
        discipline=discipline_relances(debut, fin),
        satisfaction=indicateurs_satisfaction(debut=debut, fin=fin),
    )
