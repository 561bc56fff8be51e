"""The core's figures on the dashboard and in the management review: requests by source, who
refers them, and the feasibility decisions (``crm.extensions.Indicateurs``).

Requests follow the cohort **received** in the period, feasibility decisions those **decided**
in it. Each function runs a fixed number of queries whatever the number of rows and periods.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber

from crm.extensions import Carte, Graphique, GroupeCartes, Indicateurs, indicateurs, lien
from crm.models import Decision, Demande, RevueFaisabilite, Source, StatutDemande, SuiteNoGo
from crm.periodes import Periode, dans, numero, taux, une_des

# The dashboard's sections the core's cards go in (other apps add theirs to the same).
SECTION_DEMANDES = "Demandes et faisabilité"


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


def _demandes(periodes: list[Periode], *, le: date) -> list[dict]:
    resultat = []
    for sources, recommandeurs in zip(*demandes_par_source(periodes), strict=True):
        total = sum(s["nombre"] for s in sources)
        # Requests from referrals and the network: how the firm lives.
        reseau = sum(
            s["nombre"] for s in sources if s["source"] in (Source.RECOMMANDATION, Source.RESEAU)
        )
        resultat.append(
            {
                "sources": sources,
                "recommandeurs": recommandeurs,
                "demandes": total,
                "demandes_reseau": reseau,
                "part_reseau": taux(reseau, total),
            }
        )
    return resultat


def _cartes_demandes(c, p) -> list[GroupeCartes]:
    return [
        GroupeCartes(
            SECTION_DEMANDES,
            "inbox",
            [
                Carte("Demandes reçues", c.demandes, p.demandes, url=lien("crm:demandes")),
                Carte(
                    "Part recommandation et réseau",
                    c.part_reseau,
                    p.part_reseau,
                    "pourcent",
                    url=lien("crm:organisations", source=Source.RECOMMANDATION),
                    aide=f"{c.demandes_reseau} demande(s) venue(s) du bouche-à-oreille",
                ),
            ],
            ordre=20,
        )
    ]


def sources_comparees(c, p) -> list[dict]:
    precedent = {s["source"]: s["nombre"] for s in p.sources}
    return [
        {
            **s,
            "precedent": precedent.get(s["source"], 0),
            "url": lien("crm:organisations", source=s["source"]),
        }
        for s in c.sources
    ]


indicateurs.ajouter(
    Indicateurs(
        cle="demandes",
        calculer=_demandes,
        cartes=_cartes_demandes,
        graphiques=lambda c, p: [
            Graphique(
                "sources",
                "Demandes par source",
                [s["libelle"] for s in c.sources],
                [s["nombre"] for s in c.sources],
                [s["nombre"] for s in p.sources],
                ordre=30,
            )
        ],
        contexte=lambda c, p: {"sources": sources_comparees(c, p)},
        ordre=10,
        # The core's rows of the synthesis (requests and No Go), in its first contribution.
        revue_synthese="crm/revue/_synthese.html",
        revue_sections=((10, "crm/revue/_activite.html"),),
        tableau_panneaux=((10, "crm/_tableau_sources.html"),),
    )
)


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
        return taux(self.no_go, self.revues)


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


def _cartes_faisabilite(c, p) -> list[GroupeCartes]:
    return [
        GroupeCartes(
            SECTION_DEMANDES,
            "inbox",
            [
                Carte(
                    "Décisions No Go",
                    c.faisabilite.no_go,
                    p.faisabilite.no_go,
                    url=lien("crm:demandes", statut=StatutDemande.DECLINEE),
                    aide=f"sur {c.faisabilite.revues} revue(s) de faisabilité",
                    sens=0,
                ),
                Carte(
                    "Demandes réorientées",
                    c.faisabilite.reorientees,
                    p.faisabilite.reorientees,
                    url=lien("crm:demandes", statut=StatutDemande.REORIENTEE),
                    aide="confiées à un partenaire",
                    sens=0,
                ),
            ],
            ordre=20,
        )
    ]


def _graphique_faisabilite(c, p) -> list[Graphique]:
    def valeurs(i) -> list:
        return [i.faisabilite.go, i.faisabilite.declinees, i.faisabilite.reorientees]

    return [
        Graphique(
            "faisabilite",
            "Décisions de faisabilité",
            ["Go", "No Go — déclinées", "No Go — réorientées"],
            valeurs(c),
            valeurs(p),
            ordre=40,
        )
    ]


def _revues_de_la_periode(c, p) -> dict:
    revues = (
        RevueFaisabilite.objects.filter(decidee_le__gte=c.debut, decidee_le__lte=c.fin)
        .select_related("demande__organisation", "par")
        .order_by("decidee_le", "pk")
    )
    return {"revues": list(revues)}


indicateurs.ajouter(
    Indicateurs(
        cle="faisabilite",
        calculer=lambda periodes, *, le: [{"faisabilite": f} for f in faisabilite(periodes)],
        cartes=_cartes_faisabilite,
        graphiques=_graphique_faisabilite,
        revue=_revues_de_la_periode,
        ordre=20,
        revue_sections=((20, "crm/revue/_faisabilite.html"),),
        tableau_panneaux=((30, "crm/_tableau_faisabilite.html"),),
    )
)
