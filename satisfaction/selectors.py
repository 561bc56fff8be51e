"""Satisfaction indicators (DESIGN §4), computed in the database, and the surveys the daily
rules look after."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, TypedDict

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncQuarter

from crm import periodes as periodes_sql
from crm.models import Mission, StatutMission, TypePrestation
from crm.periodes import Periode
from satisfaction.models import Attentes, Debrief, Enquete, Reponse

# Days after sending before the one reminder (issue 6: « One reminder at most, 7 days after »).
JOURS_AVANT_RELANCE = 7
# Missions ended longer ago than this are no longer proposed for a survey: the client's memory
# has faded, and the proposal would otherwise stay on the list for ever.
JOURS_PROPOSITION_ENQUETE = 90


def _arrondi(valeur: float | None, chiffres: int = 1) -> float | None:
    return None if valeur is None else round(float(valeur), chiffres)


def _agregats() -> dict:
    return {
        "n": Count("pk"),
        "satisfaits": Count("pk", filter=Q(satisfaction__gte=4)),
        "promoteurs": Count("pk", filter=Q(recommandation__gte=9)),
        "detracteurs": Count("pk", filter=Q(recommandation__lte=6)),
        "effort": Avg("effort"),
    }


def _calculer(agregats: dict) -> dict:
    """With no answer the rates are None (no division by zero, and no fake 0)."""
    n = agregats["n"]
    if not n:
        return {"nb_reponses": 0, "taux_satisfaction": None, "nps": None, "effort_moyen": None}
    return {
        "nb_reponses": n,
        "taux_satisfaction": _arrondi(100 * agregats["satisfaits"] / n),
        "nps": _arrondi(100 * (agregats["promoteurs"] - agregats["detracteurs"]) / n),
        "effort_moyen": _arrondi(agregats["effort"], 2),
    }


def _comptes_debriefs() -> dict:
    return {
        "oui": Count("pk", filter=Q(reponse=Attentes.OUI)),
        "partiellement": Count("pk", filter=Q(reponse=Attentes.PARTIELLEMENT)),
        "non": Count("pk", filter=Q(reponse=Attentes.NON)),
    }


class Filtres(TypedDict):
    """The dashboard's filters, as ``indicateurs`` and ``tendance_par_trimestre`` take them."""

    type_prestation: str | None
    consultant: Any  # a user, or None for every consultant


def indicateurs_de(reponses: QuerySet[Reponse]) -> dict:
    """nb_reponses; taux_satisfaction = % of 4–5; nps = % 9–10 − % 0–6; effort_moyen."""
    return _calculer(reponses.aggregate(**_agregats()))


def reponses_entre(debut: date, fin: date) -> QuerySet[Reponse]:
    return Reponse.objects.filter(repondue_le__gte=debut, repondue_le__lte=fin)


def _filtrer(
    reponses: QuerySet[Reponse],
    debriefs: QuerySet[Debrief],
    type_prestation: str | None,
    consultant,
) -> tuple[QuerySet[Reponse], QuerySet[Debrief]]:
    if type_prestation:
        reponses = reponses.filter(
            enquete__mission__devis__demande__type_prestation=type_prestation
        )
        debriefs = debriefs.filter(mission__devis__demande__type_prestation=type_prestation)
    if consultant is not None:
        reponses = reponses.filter(enquete__mission__consultants=consultant)
        debriefs = debriefs.filter(mission__consultants=consultant)
    return reponses, debriefs


_VIDE = {"n": 0, "satisfaits": 0, "promoteurs": 0, "detracteurs": 0, "effort": None}
_SANS_DEBRIEF = {"oui": 0, "partiellement": 0, "non": 0}


def indicateurs_periodes(
    periodes: list[Periode], *, type_prestation: str | None = None, consultant=None
) -> list[dict]:
    """``indicateurs`` for each of several disjoint periods, in two queries whatever their
    number (answers and debriefs grouped by period)."""
    periodes_sql.verifier(periodes)
    reponses, debriefs = _filtrer(
        Reponse.objects.filter(periodes_sql.une_des("repondue_le", periodes)),
        Debrief.objects.filter(periodes_sql.une_des("le", periodes)),
        type_prestation,
        consultant,
    )
    par_reponses = {
        ligne["periode"]: ligne
        for ligne in reponses.annotate(periode=periodes_sql.numero("repondue_le", periodes))
        .values("periode")
        .annotate(**_agregats())
        .order_by()
    }
    par_debriefs = {
        ligne["periode"]: ligne
        for ligne in debriefs.annotate(periode=periodes_sql.numero("le", periodes))
        .values("periode")
        .annotate(**_comptes_debriefs())
        .order_by()
    }
    resultats = []
    for i in range(len(periodes)):
        resultat = _calculer(par_reponses.get(i, _VIDE))
        d = par_debriefs.get(i, _SANS_DEBRIEF)
        resultat["debriefs"] = {k: d[k] for k in _SANS_DEBRIEF}
        resultats.append(resultat)
    return resultats


def indicateurs(
    *, debut: date, fin: date, type_prestation: str | None = None, consultant=None
) -> dict:
    """Indicators over answers given between ``debut`` and ``fin`` (inclusive), optionally for
    one service type or one consultant's missions, with the debrief answers counted beside
    (``debriefs``: counts of oui / partiellement / non). Two queries."""
    return indicateurs_periodes(
        [(debut, fin)], type_prestation=type_prestation, consultant=consultant
    )[0]


def _trimestre(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def _trimestres(debut: date, fin: date) -> list[date]:
    courant, resultat = _trimestre(debut), []
    while courant <= fin:
        resultat.append(courant)
        mois = courant.month + 3
        courant = date(courant.year + (mois - 1) // 12, (mois - 1) % 12 + 1, 1)
    return resultat


def _en_date(valeur) -> date:
    return valeur.date() if hasattr(valeur, "date") else valeur


def tendance_par_trimestre(
    *, debut: date, fin: date, type_prestation: str | None = None, consultant=None
) -> list[dict]:
    """One row per calendar quarter from the quarter of ``debut`` to that of ``fin``: the
    indicators of the answers given that quarter and the debrief counts (two queries)."""
    debut = _trimestre(debut)
    reponses, debriefs = _filtrer(
        reponses_entre(debut, fin),
        Debrief.objects.filter(le__gte=debut, le__lte=fin),
        type_prestation,
        consultant,
    )
    par_reponses = {
        _en_date(ligne["t"]): ligne
        for ligne in reponses.annotate(t=TruncQuarter("repondue_le"))
        .values("t")
        .annotate(**_agregats())
        .order_by("t")
    }
    par_debriefs = {
        _en_date(ligne["t"]): ligne
        for ligne in debriefs.annotate(t=TruncQuarter("le"))
        .values("t")
        .annotate(**_comptes_debriefs())
        .order_by("t")
    }
    lignes = []
    for t in _trimestres(debut, fin):
        ligne = _calculer(par_reponses.get(t, _VIDE))
        d = par_debriefs.get(t, {})
        ligne["debriefs"] = {k: d.get(k, 0) for k in ("oui", "partiellement", "non")}
        ligne["trimestre"] = t
        ligne["libelle"] = f"T{(t.month - 1) // 3 + 1} {t.year}"
        lignes.append(ligne)
    return lignes


_CHEMIN_TYPE_REPONSE = "enquete__mission__devis__demande__type_prestation"
_CHEMIN_TYPE_DEBRIEF = "mission__devis__demande__type_prestation"


def indicateurs_par_type(*, debut: date, fin: date) -> list[dict]:
    """One row per service type (and « Non précisé » for missions without a request)."""
    reponses = {
        ligne["cle"]: ligne
        for ligne in reponses_entre(debut, fin)
        .values(cle=F(_CHEMIN_TYPE_REPONSE))
        .annotate(**_agregats())
        .order_by()
    }
    debriefs = {
        ligne["cle"]: ligne
        for ligne in Debrief.objects.filter(le__gte=debut, le__lte=fin)
        .values(cle=F(_CHEMIN_TYPE_DEBRIEF))
        .annotate(**_comptes_debriefs())
        .order_by()
    }
    lignes = []
    for valeur, libelle in [*TypePrestation.choices, (None, "Non précisé")]:
        if valeur is None and valeur not in reponses and valeur not in debriefs:
            continue
        lignes.append(_ligne(valeur, libelle, reponses.get(valeur), debriefs.get(valeur)))
    return lignes


def _ligne(cle, libelle: str, reponses: dict | None, debriefs: dict | None) -> dict:
    vide = {"n": 0, "satisfaits": 0, "promoteurs": 0, "detracteurs": 0, "effort": None}
    ligne = _calculer(reponses or vide)
    ligne["cle"] = cle
    ligne["libelle"] = libelle
    ligne["debriefs"] = {k: (debriefs or {}).get(k, 0) for k in ("oui", "partiellement", "non")}
    return ligne


def indicateurs_par_consultant(*, debut: date, fin: date) -> list[dict]:
    """One row per consultant who had a mission answered or debriefed in the period (an answer
    about a mission with two consultants counts for both). Three queries."""
    reponses = {
        ligne["cle"]: ligne
        for ligne in reponses_entre(debut, fin)
        .filter(enquete__mission__consultants__isnull=False)
        .values(cle=F("enquete__mission__consultants"))
        .annotate(**_agregats())
        .order_by()
    }
    debriefs = {
        ligne["cle"]: ligne
        for ligne in Debrief.objects.filter(
            le__gte=debut, le__lte=fin, mission__consultants__isnull=False
        )
        .values(cle=F("mission__consultants"))
        .annotate(**_comptes_debriefs())
        .order_by()
    }
    utilisateurs = get_user_model().objects.filter(pk__in={*reponses, *debriefs})
    lignes = [
        _ligne(u.pk, u.get_full_name() or u.get_username(), reponses.get(u.pk), debriefs.get(u.pk))
        for u in utilisateurs
    ]
    return sorted(lignes, key=lambda ligne: ligne["libelle"])


def verbatims(*, debut: date, fin: date, limite: int = 30) -> QuerySet[Reponse]:
    """Comments the client agreed to see quoted (never with their name), latest first."""
    return (
        reponses_entre(debut, fin)
        .filter(consentement_citation=True)
        .exclude(commentaire="")
        .select_related("enquete__mission__devis__demande")
        .order_by("-repondue_le", "-pk")[:limite]
    )


# --- What the daily rules look after ------------------------------------------------------------


def _ne_pas_solliciter(prefixe: str) -> Q:
    return (
        Q(**{f"{prefixe}ne_pas_prospecter": True})
        | Q(**{f"{prefixe}organisation__ne_pas_prospecter": True})
        | Q(**{f"{prefixe}archive": True})
    )


def missions_sans_enquete(le: date) -> QuerySet[Mission]:
    """Missions ended (``terminee``, or past their end date) with no survey yet, whose client
    contact may be asked: has an email, and neither they nor their organisation asked not to be
    solicited (``ne_pas_prospecter``). Missions ended over ``JOURS_PROPOSITION_ENQUETE`` days
    ago are left out."""
    return (
        Mission.objects.filter(Q(statut=StatutMission.TERMINEE) | Q(fin__lt=le))
        .exclude(statut=StatutMission.ANNULEE)
        .exclude(fin__lt=le - timedelta(days=JOURS_PROPOSITION_ENQUETE))
        .filter(enquetes__isnull=True, devis__contact__isnull=False)
        .exclude(devis__contact__email="")
        .exclude(_ne_pas_solliciter("devis__contact__"))
        .select_related("devis__organisation", "devis__contact")
        .order_by("fin", "pk")
    )


def enquetes_a_relancer(le: date) -> QuerySet[Enquete]:
    """Surveys sent at least ``JOURS_AVANT_RELANCE`` days ago, unanswered, not expired, never
    reminded, to a contact who may still be solicited."""
    return (
        Enquete.objects.filter(
            envoyee_le__isnull=False,
            envoyee_le__lte=le - timedelta(days=JOURS_AVANT_RELANCE),
            relancee_le__isnull=True,
            reponse__isnull=True,
            expire_le__gte=le,
        )
        .exclude(contact__email="")
        .exclude(_ne_pas_solliciter("contact__"))
        .select_related("contact__organisation")
        .order_by("envoyee_le", "pk")
    )
