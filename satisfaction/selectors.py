"""Satisfaction indicators (DESIGN §4), computed in the database."""

from __future__ import annotations

from datetime import date

from django.db.models import Avg, Count, Q, QuerySet

from satisfaction.models import Attentes, Debrief, Reponse


def _arrondi(valeur: float | None, chiffres: int = 1) -> float | None:
    return None if valeur is None else round(float(valeur), chiffres)


def indicateurs_de(reponses: QuerySet[Reponse]) -> dict:
    """nb_reponses; taux_satisfaction = % of 4–5; nps = % 9–10 − % 0–6; effort_moyen.

    With no answer the rates are None (no division by zero, and no fake 0).
    """
    agregats = reponses.aggregate(
        n=Count("pk"),
        satisfaits=Count("pk", filter=Q(satisfaction__gte=4)),
        promoteurs=Count("pk", filter=Q(recommandation__gte=9)),
        detracteurs=Count("pk", filter=Q(recommandation__lte=6)),
        effort=Avg("effort"),
    )
    n = agregats["n"]
    if not n:
        return {"nb_reponses": 0, "taux_satisfaction": None, "nps": None, "effort_moyen": None}
    return {
        "nb_reponses": n,
        "taux_satisfaction": _arrondi(100 * agregats["satisfaits"] / n),
        "nps": _arrondi(100 * (agregats["promoteurs"] - agregats["detracteurs"]) / n),
        "effort_moyen": _arrondi(agregats["effort"], 2),
    }


def reponses_entre(debut: date, fin: date) -> QuerySet[Reponse]:
    return Reponse.objects.filter(repondue_le__gte=debut, repondue_le__lte=fin)


def indicateurs(
    *, debut: date, fin: date, type_prestation: str | None = None, consultant=None
) -> dict:
    """Indicators over answers given between ``debut`` and ``fin`` (inclusive), optionally for
    one service type or one consultant's missions, with the debrief answers counted beside."""
    reponses = reponses_entre(debut, fin)
    debriefs = Debrief.objects.filter(le__gte=debut, le__lte=fin)
    if type_prestation:
        reponses = reponses.filter(
            enquete__mission__devis__demande__type_prestation=type_prestation
        )
        debriefs = debriefs.filter(mission__devis__demande__type_prestation=type_prestation)
    if consultant is not None:
        reponses = reponses.filter(enquete__mission__consultants=consultant)
        debriefs = debriefs.filter(mission__consultants=consultant)
    resultat = indicateurs_de(reponses)
    comptes = debriefs.aggregate(
        oui=Count("pk", filter=Q(reponse=Attentes.OUI)),
        partiellement=Count("pk", filter=Q(reponse=Attentes.PARTIELLEMENT)),
        non=Count("pk", filter=Q(reponse=Attentes.NON)),
    )
    resultat["debriefs"] = comptes
    return resultat
