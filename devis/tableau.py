"""The quotes' part of the dashboard and of the management review: figures computed in
``devis.indicateurs``, cards, charts and the table of refusal reasons."""

from __future__ import annotations

from crm.extensions import Carte, Graphique, GroupeCartes, Indicateurs, indicateurs, lien
from devis.indicateurs import delais, devis_envoyes, discipline_relances, pipelines
from devis.models import StatutDevis

# Sections of the dashboard shared with other apps (merged by title).
SECTION_DEMANDES = "Demandes et faisabilité"
SECTION_SUIVI = "Réclamations, satisfaction et suivi"
# The chart of rates: each app puts its bars in it.
TAUX = ("taux", "Taux (%)")


def _activite(periodes, *, le):
    """Snapshots (pipeline) are taken on the earlier of the period's end and ``le``."""
    activites, motifs = devis_envoyes(periodes)
    jours = [min(fin, le) if le else fin for _, fin in periodes]
    return [
        {"devis": a, "pipeline": pi, "motifs_refus": m}
        for a, pi, m in zip(activites, pipelines(jours), motifs, strict=True)
    ]


def _cartes(c, p) -> list[GroupeCartes]:
    tous = lien("devis:liste")
    envoyes = lien("devis:liste", statut=StatutDevis.ENVOYE)
    acceptes = lien("devis:liste", statut=StatutDevis.ACCEPTE)
    return [
        GroupeCartes(
            "Devis",
            "file-earmark-text",
            [
                Carte("Devis envoyés", c.devis.envoyes, p.devis.envoyes, url=tous),
                Carte(
                    "Montant HT envoyé",
                    c.devis.montant_envoye,
                    p.devis.montant_envoye,
                    "euros",
                    url=tous,
                ),
                Carte(
                    "En attente de réponse",
                    c.pipeline.nombre,
                    p.pipeline.nombre,
                    url=envoyes,
                    aide=f"au {c.pipeline.le:%d/%m/%Y}",
                    sens=0,
                ),
                Carte(
                    "Montant HT en attente",
                    c.pipeline.montant,
                    p.pipeline.montant,
                    "euros",
                    url=envoyes,
                    aide=f"au {c.pipeline.le:%d/%m/%Y}",
                    sens=0,
                ),
                Carte(
                    "Conversion (acceptés / répondus)",
                    c.devis.conversion_repondus,
                    p.devis.conversion_repondus,
                    "pourcent",
                    url=acceptes,
                    aide=f"{c.devis.acceptes} accepté(s) sur {c.devis.repondus} réponse(s)",
                ),
                Carte(
                    "Conversion (acceptés / envoyés)",
                    c.devis.conversion_envoyes,
                    p.devis.conversion_envoyes,
                    "pourcent",
                    url=acceptes,
                    aide=f"{c.devis.acceptes} accepté(s) sur {c.devis.envoyes} envoyé(s)",
                ),
                Carte(
                    "Montant HT accepté",
                    c.devis.montant_accepte,
                    p.devis.montant_accepte,
                    "euros",
                    url=acceptes,
                ),
                Carte(
                    "Devis perdus (refusés)",
                    c.devis.refuses,
                    p.devis.refuses,
                    url=lien("devis:liste", statut=StatutDevis.REFUSE),
                    sens=-1,
                ),
                Carte(
                    "Taux « sans suite »",
                    c.devis.taux_sans_suite,
                    p.devis.taux_sans_suite,
                    "pourcent",
                    url=lien("devis:liste", statut=StatutDevis.SANS_SUITE),
                    aide=f"{c.devis.sans_suite} devis sans réponse un mois après l'envoi",
                    sens=-1,
                ),
            ],
            ordre=10,
        )
    ]


def _graphiques(c, p) -> list[Graphique]:
    def issue(i) -> list:
        return [i.devis.envoyes, i.devis.acceptes, i.devis.refuses, i.devis.sans_suite]

    def taux(i) -> list:
        return [i.devis.conversion_repondus, i.devis.conversion_envoyes, i.devis.taux_sans_suite]

    motifs = sorted({m["motif"] for m in c.motifs_refus + p.motifs_refus})
    mc = {m["motif"]: m["nombre"] for m in c.motifs_refus}
    mp = {m["motif"]: m["nombre"] for m in p.motifs_refus}
    return [
        Graphique(
            "devis",
            "Devis envoyés et leur issue",
            ["Envoyés", "Acceptés", "Refusés", "Sans suite"],
            issue(c),
            issue(p),
            ordre=10,
        ),
        Graphique(
            *TAUX,
            ["Conversion / répondus", "Conversion / envoyés", "Sans suite"],
            taux(c),
            taux(p),
            unite="%",
            ordre=20,
        ),
        Graphique(
            "motifs",
            "Devis perdus par motif",
            motifs,
            [mc.get(m, 0) for m in motifs],
            [mp.get(m, 0) for m in motifs],
            ordre=50,
        ),
    ]


def motifs_compares(c, p) -> list[dict]:
    mc = {m["motif"]: m["nombre"] for m in c.motifs_refus}
    mp = {m["motif"]: m["nombre"] for m in p.motifs_refus}
    return [
        {"motif": m, "nombre": mc.get(m, 0), "precedent": mp.get(m, 0)}
        for m in sorted(set(mc) | set(mp), key=lambda m: (-mc.get(m, 0), m))
    ]


indicateurs.ajouter(
    Indicateurs(
        cle="devis",
        calculer=_activite,
        cartes=_cartes,
        graphiques=_graphiques,
        contexte=lambda c, p: {"motifs": motifs_compares(c, p)},
        ordre=30,
        # The app's rows of the synthesis, its delays' and discipline's included.
        revue_synthese="devis/revue/_synthese.html",
        revue_sections=(
            (15, "devis/revue/_activite.html"),  # continues the core's activity section
            (50, "devis/revue/_discipline.html"),
        ),
        tableau_panneaux=((20, "devis/_tableau_motifs.html"),),
    )
)


# Delays to answer a request and to send its quote: cards of the requests' section, shown
# between the core's request figures and its feasibility figures.
def _cartes_delais(c, p) -> list[GroupeCartes]:
    return [
        GroupeCartes(
            SECTION_DEMANDES,
            "inbox",
            [
                Carte(
                    "Délai moyen de réponse à une demande",
                    c.delais.reponse_jours,
                    p.delais.reponse_jours,
                    "jours",
                    url=lien("crm:demandes"),
                    aide="de la réception au Go / No Go ou au premier devis",
                    sens=-1,
                ),
                Carte(
                    "Délai moyen d'envoi d'un devis",
                    c.delais.envoi_devis_jours,
                    p.delais.envoi_devis_jours,
                    "jours",
                    url=lien("devis:liste"),
                    aide="de la réception de la demande à l'envoi du devis",
                    sens=-1,
                ),
            ],
            ordre=20,
        )
    ]


indicateurs.ajouter(
    Indicateurs(
        cle="delais",
        calculer=lambda periodes, *, le: [{"delais": d} for d in delais(periodes)],
        cartes=_cartes_delais,
        ordre=15,
    )
)


# Follow-up discipline: the last card of the follow-up section and the last bar of the rates.
def _cartes_discipline(c, p) -> list[GroupeCartes]:
    return [
        GroupeCartes(
            SECTION_SUIVI,
            "exclamation-octagon",
            [
                Carte(
                    "Relances faites à temps",
                    c.discipline.taux_a_temps,
                    p.discipline.taux_a_temps,
                    "pourcent",
                    url=lien("devis:liste", statut=StatutDevis.ENVOYE),
                    aide=f"{c.discipline.faites_a_temps} sur {c.discipline.relances_dues} due(s)",
                ),
            ],
            ordre=30,
        )
    ]


indicateurs.ajouter(
    Indicateurs(
        cle="discipline",
        calculer=lambda periodes, *, le: [{"discipline": d} for d in discipline_relances(periodes)],
        cartes=_cartes_discipline,
        graphiques=lambda c, p: [
            Graphique(
                *TAUX,
                ["Relances à temps"],
                [c.discipline.taux_a_temps],
                [p.discipline.taux_a_temps],
                unite="%",
                ordre=20,
            )
        ],
        ordre=90,
    )
)
