"""Reads of the complaints: who sees what, deadline colours, the dashboard (« suivi »).

Every figure of the dashboard is computed by the database (aggregates grouped by month, nature
and client): the number of queries does not grow with the number of complaints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncMonth

from crm.calendrier import ajouter_jours_ouvres
from crm.periodes import duree
from crm.roles import est_gerant
from reclamations.models import (
    Action,
    Reclamation,
    ReclamationQuerySet,
    StatutAction,
    StatutReclamation,
)

# A client with at least this many complaints over the period is « récurrent ».
SEUIL_RECURRENCE = 2
# A deadline is « proche » when it falls within this many jours ouvrés (today included).
JOURS_OUVRES_ECHEANCE_PROCHE = 2

ACTIONS_OUVERTES = (StatutAction.A_FAIRE, StatutAction.EN_COURS)


def peut_traiter(user, reclamation: Reclamation) -> bool:
    """The phases of a complaint are taken by the gérant or by whoever received it (DESIGN §7);
    reopening is the gérant's alone."""
    return est_gerant(user) or reclamation.recue_par_id == user.pk


def reclamations_visibles(
    user, *, parmi: QuerySet[Reclamation] | None = None
) -> QuerySet[Reclamation]:
    """The gérant sees every complaint; a consultant those they received, those on their
    missions and those they are responsible for (DESIGN §7). The one statement of that rule:
    pages, exports, the digest and the calendar feed all filter through it (``parmi``: the
    complaints to filter, all of them by default)."""
    if parmi is None:
        parmi = Reclamation.objects.select_related("organisation", "contact", "nature")
    if est_gerant(user):
        return parmi
    return parmi.filter(
        Q(recue_par=user) | Q(mission__consultants=user) | Q(responsable=user)
    ).distinct()


def actions_visibles(user) -> QuerySet[Action]:
    qs = Action.objects.select_related("reclamation", "responsable")
    if est_gerant(user):
        return qs
    return qs.filter(responsable=user)


# --- Deadline colours ----------------------------------------------------------------------------


def limite_echeance_proche(le: date) -> date:
    """Last day that counts as « échéance proche » seen from ``le``."""
    return ajouter_jours_ouvres(le, JOURS_OUVRES_ECHEANCE_PROCHE)


def etat_echeance(due_le: date, fait_le: date | None, le: date, proche: date) -> str:
    """``faite``, ``retard`` (from the day after the deadline), ``proche`` or ``a_venir``."""
    if fait_le is not None:
        return "faite"
    if due_le < le:
        return "retard"
    if due_le <= proche:
        return "proche"
    return "a_venir"


def annoter_echeances(reclamations, le: date) -> None:
    """Set ``etat_accuse``, ``etat_reponse`` and ``en_retard`` on each complaint, from its own
    fields (no query)."""
    proche = limite_echeance_proche(le)
    for r in reclamations:
        close = r.statut == StatutReclamation.CLOSE
        r.etat_accuse = etat_echeance(r.accuse_du_le, r.accuse_le, le, proche)
        r.etat_reponse = etat_echeance(r.reponse_due_le, r.repondue_le, le, proche)
        r.en_retard = not close and "retard" in (r.etat_accuse, r.etat_reponse)
        r.echeance_proche = (
            not close
            and not r.en_retard
            and "proche"
            in (
                r.etat_accuse,
                r.etat_reponse,
            )
        )


def filtrer_par_delai(qs: ReclamationQuerySet, delai: str, le: date) -> QuerySet[Reclamation]:
    if delai == "retard":
        return qs.en_retard(le)
    if delai == "proche":
        proche = limite_echeance_proche(le)
        return (
            qs.ouvertes()
            .filter(
                Q(accuse_le__isnull=True, accuse_du_le__gte=le, accuse_du_le__lte=proche)
                | Q(repondue_le__isnull=True, reponse_due_le__gte=le, reponse_due_le__lte=proche)
            )
            .exclude(pk__in=Reclamation.objects.en_retard(le).values("pk"))
        )
    return qs


def historique_client(reclamation: Reclamation, user, *, limite: int = 20) -> dict:
    """The client's other complaints, beside the one being qualified (two queries)."""
    autres = reclamations_visibles(user).filter(organisation_id=reclamation.organisation_id)
    autres = autres.exclude(pk=reclamation.pk)
    comptes = Reclamation.objects.filter(organisation_id=reclamation.organisation_id).aggregate(
        total=Count("pk"),
        fondees=Count("pk", filter=Q(fondee=True)),
        douze_mois=Count("pk", filter=Q(recue_le__gt=reclamation.recue_le - timedelta(days=365))),
    )
    return {
        "reclamations": list(autres.order_by("-recue_le", "-pk")[:limite]),
        "total": comptes["total"],
        "fondees": comptes["fondees"],
        "recurrent": comptes["douze_mois"] >= SEUIL_RECURRENCE,
    }


def actions_triees(qs: QuerySet[Action], le: date) -> QuerySet[Action]:
    """Overdue first, then the other open ones by due date, then the finished ones."""
    return qs.annotate(
        rang=Case(
            When(statut__in=ACTIONS_OUVERTES, echeance__lt=le, then=Value(0)),
            When(statut__in=ACTIONS_OUVERTES, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("rang", "echeance", "pk")


# --- Dashboard -----------------------------------------------------------------------------------


@dataclass
class Mois:
    debut: date
    nombre: int


def _jours(duree: timedelta | None) -> float | None:
    if duree is None:
        return None
    return round(duree.total_seconds() / 86400, 1)


def _mois_entre(debut: date, fin: date) -> list[date]:
    mois, courant = [], date(debut.year, debut.month, 1)
    while courant <= fin:
        mois.append(courant)
        courant = date(courant.year + courant.month // 12, courant.month % 12 + 1, 1)
    return mois


def tableau_de_bord(*, debut: date, fin: date, le: date) -> dict:
    """Figures over the complaints received between ``debut`` and ``fin`` (inclusive), as of
    the business date ``le``:

    - ``par_mois``: complaints received per month (every month of the period, zeros included);
    - ``par_nature``: per nature, « Non qualifiée » for those not yet qualified;
    - ``taux_dans_les_delais``: share (0–100) of complaints answered by their deadline, over
      those whose answer is given or overdue (a complaint still within its deadline is not
      counted yet); None when there is none;
    - ``delai_moyen_accuse`` / ``delai_moyen_reponse``: mean calendar days from receipt to
      acknowledgement / answer, over those acknowledged / answered; None when there is none;
    - ``recurrents``: clients with at least ``SEUIL_RECURRENCE`` complaints in the period.
    """
    qs = Reclamation.objects.filter(recue_le__gte=debut, recue_le__lte=fin)
    comptes = {
        (m.date() if hasattr(m, "date") else m): n
        for m, n in qs.annotate(mois=TruncMonth("recue_le"))
        .values("mois")
        .annotate(n=Count("pk"))
        .order_by("mois")
        .values_list("mois", "n")
    }
    par_mois = [Mois(debut=m, nombre=comptes.get(m, 0)) for m in _mois_entre(debut, fin)]

    par_nature = [
        {"nature": libelle or "Non qualifiée", "nombre": n}
        for libelle, n in qs.values("nature__libelle")
        .annotate(n=Count("pk"))
        .order_by("-n", F("nature__libelle").asc(nulls_last=True))
        .values_list("nature__libelle", "n")
    ]

    a_temps = Q(repondue_le__isnull=False, repondue_le__lte=F("reponse_due_le"))
    echue = Q(repondue_le__isnull=False) | Q(
        repondue_le__isnull=True, reponse_due_le__lt=le, statut__in=_statuts_ouverts()
    )
    agregats = qs.aggregate(
        total=Count("pk"),
        ouvertes=Count("pk", filter=~Q(statut=StatutReclamation.CLOSE)),
        en_retard=Count("pk", filter=_q_en_retard(le)),
        fondees=Count("pk", filter=Q(fondee=True)),
        closes=Count("pk", filter=Q(statut=StatutReclamation.CLOSE)),
        satisfaits=Count("pk", filter=Q(client_satisfait=True)),
        a_temps=Count("pk", filter=a_temps),
        echues=Count("pk", filter=echue),
        accuse_a_temps=Count(
            "pk", filter=Q(accuse_le__isnull=False, accuse_le__lte=F("accuse_du_le"))
        ),
        accusees=Count("pk", filter=Q(accuse_le__isnull=False)),
        delai_accuse=Avg(
            duree("accuse_le", "recue_le"),
            filter=Q(accuse_le__isnull=False),
        ),
        delai_reponse=Avg(
            duree("repondue_le", "recue_le"),
            filter=Q(repondue_le__isnull=False),
        ),
    )
    recurrents = list(
        qs.values("organisation_id", "organisation__raison_sociale")
        .annotate(nombre=Count("pk"))
        .filter(nombre__gte=SEUIL_RECURRENCE)
        .order_by("-nombre", "organisation__raison_sociale")
    )
    echues = agregats["echues"]
    return {
        "debut": debut,
        "fin": fin,
        "total": agregats["total"],
        "ouvertes": agregats["ouvertes"],
        "en_retard": agregats["en_retard"],
        "fondees": agregats["fondees"],
        "closes": agregats["closes"],
        "satisfaits": agregats["satisfaits"],
        "repondues_a_temps": agregats["a_temps"],
        "reponses_echues": echues,
        "taux_dans_les_delais": round(100 * agregats["a_temps"] / echues, 1) if echues else None,
        "accusees": agregats["accusees"],
        "accuses_a_temps": agregats["accuse_a_temps"],
        "delai_moyen_accuse": _jours(agregats["delai_accuse"]),
        "delai_moyen_reponse": _jours(agregats["delai_reponse"]),
        "par_mois": par_mois,
        "par_nature": par_nature,
        "recurrents": recurrents,
    }


def _statuts_ouverts() -> list[str]:
    return [s for s in StatutReclamation.values if s != StatutReclamation.CLOSE]


def _q_en_retard(le: date) -> Q:
    return Q(statut__in=_statuts_ouverts()) & (
        Q(accuse_le__isnull=True, accuse_du_le__lt=le)
        | Q(repondue_le__isnull=True, reponse_due_le__lt=le)
    )
