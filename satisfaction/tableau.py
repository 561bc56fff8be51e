"""Satisfaction's part of the dashboard and of the management review (``crm.extensions``):
the survey figures (``satisfaction.selectors``), two cards, a bar of the rates, and the
review's quotable verbatims and the debriefs that did not go well."""

from __future__ import annotations

from crm.extensions import Carte, Graphique, GroupeCartes, Indicateurs, indicateurs, lien
from satisfaction.models import Attentes, Debrief, Reponse
from satisfaction.selectors import indicateurs_periodes

SECTION_SUIVI = "Réclamations, satisfaction et suivi"


def _cartes(c, p) -> list[GroupeCartes]:
    s, sp = c.satisfaction, p.satisfaction
    return [
        GroupeCartes(
            SECTION_SUIVI,
            "exclamation-octagon",
            [
                Carte(
                    "Taux de satisfaction",
                    s["taux_satisfaction"],
                    sp["taux_satisfaction"],
                    "pourcent",
                    url=lien("satisfaction:tableau"),
                    aide=f"{s['nb_reponses']} réponse(s) aux enquêtes",
                ),
                Carte(
                    "NPS",
                    s["nps"],
                    sp["nps"],
                    "nps",
                    url=lien("satisfaction:tableau"),
                    aide="% de 9–10 moins % de 0–6",
                ),
            ],
            ordre=30,
        )
    ]


def _revue(c, p) -> dict:
    verbatims = (
        Reponse.objects.filter(
            repondue_le__gte=c.debut, repondue_le__lte=c.fin, consentement_citation=True
        )
        .exclude(commentaire="")
        .select_related("enquete__contact__organisation")
        .order_by("repondue_le", "pk")
    )
    debriefs_non = (
        Debrief.objects.filter(le__gte=c.debut, le__lte=c.fin)
        .exclude(reponse=Attentes.OUI)
        .select_related("mission__devis__organisation")
        .order_by("le", "pk")
    )
    return {"verbatims": list(verbatims), "debriefs_non": list(debriefs_non)}


indicateurs.ajouter(
    Indicateurs(
        cle="satisfaction",
        calculer=lambda periodes, *, le: [
            {"satisfaction": s} for s in indicateurs_periodes(periodes)
        ],
        cartes=_cartes,
        graphiques=lambda c, p: [
            Graphique(
                "taux",
                "Taux (%)",
                ["Satisfaction"],
                [c.satisfaction["taux_satisfaction"]],
                [p.satisfaction["taux_satisfaction"]],
                unite="%",
                ordre=20,
            )
        ],
        revue=_revue,
        ordre=50,
        revue_synthese="satisfaction/revue/_synthese.html",
        revue_sections=((30, "satisfaction/revue/_satisfaction.html"),),
    )
)
