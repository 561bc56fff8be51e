"""What the dashboard shows of two periods' figures: cards, tables and the charts' data.

Nothing here queries the database: it arranges ``selectors.Indicateurs`` for the templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse

from crm.models import Source, StatutDemande
from devis.models import StatutDevis
from pilotage.selectors import Indicateurs
from reclamations.models import StatutReclamation


def lien(nom: str, **filtres) -> str:
    url = reverse(nom)
    return f"{url}?{urlencode(filtres)}" if filtres else url


@dataclass
class Carte:
    titre: str
    valeur: object
    precedent: object
    format: str = "nombre"  # nombre, euros, pourcent, jours, nps
    url: str = ""
    aide: str = ""
    sens: int = 1  # +1: higher is better; -1: lower is better; 0: neutral

    @property
    def ecart(self):
        if self.valeur is None or self.precedent is None:
            return None
        return self.valeur - self.precedent

    @property
    def tendance(self) -> str:
        """« hausse », « baisse » or « stable »; the colour says whether it is good news."""
        ecart = self.ecart
        if not ecart:
            return "stable"
        return "hausse" if ecart > 0 else "baisse"

    @property
    def bonne_nouvelle(self) -> bool | None:
        ecart = self.ecart
        if not ecart or not self.sens:
            return None
        return (ecart > 0) == (self.sens > 0)


@dataclass
class Section:
    titre: str
    icone: str
    cartes: list[Carte] = field(default_factory=list)


def sections(c: Indicateurs, p: Indicateurs) -> list[Section]:
    devis = lien("devis:liste")
    return [
        Section(
            "Devis",
            "file-earmark-text",
            [
                Carte("Devis envoyés", c.devis.envoyes, p.devis.envoyes, url=devis),
                Carte(
                    "Montant HT envoyé",
                    c.devis.montant_envoye,
                    p.devis.montant_envoye,
                    "euros",
                    url=devis,
                ),
                Carte(
                    "En attente de réponse",
                    c.pipeline.nombre,
                    p.pipeline.nombre,
                    url=lien("devis:liste", statut=StatutDevis.ENVOYE),
                    aide=f"au {c.pipeline.le:%d/%m/%Y}",
                    sens=0,
                ),
                Carte(
                    "Montant HT en attente",
                    c.pipeline.montant,
                    p.pipeline.montant,
                    "euros",
                    url=lien("devis:liste", statut=StatutDevis.ENVOYE),
                    aide=f"au {c.pipeline.le:%d/%m/%Y}",
                    sens=0,
                ),
                Carte(
                    "Conversion (acceptés / répondus)",
                    c.devis.conversion_repondus,
                    p.devis.conversion_repondus,
                    "pourcent",
                    url=lien("devis:liste", statut=StatutDevis.ACCEPTE),
                    aide=f"{c.devis.acceptes} accepté(s) sur {c.devis.repondus} réponse(s)",
                ),
                Carte(
                    "Conversion (acceptés / envoyés)",
                    c.devis.conversion_envoyes,
                    p.devis.conversion_envoyes,
                    "pourcent",
                    url=lien("devis:liste", statut=StatutDevis.ACCEPTE),
                    aide=f"{c.devis.acceptes} accepté(s) sur {c.devis.envoyes} envoyé(s)",
                ),
                Carte(
                    "Montant HT accepté",
                    c.devis.montant_accepte,
                    p.devis.montant_accepte,
                    "euros",
                    url=lien("devis:liste", statut=StatutDevis.ACCEPTE),
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
        ),
        Section(
            "Demandes et faisabilité",
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
        ),
        Section(
            "Réclamations, satisfaction et suivi",
            "exclamation-octagon",
            [
                Carte(
                    "Réclamations reçues",
                    c.reclamations.recues,
                    p.reclamations.recues,
                    url=lien("reclamations:liste"),
                    sens=-1,
                ),
                Carte(
                    "Réclamations répondues dans le délai",
                    c.reclamations.taux_a_temps,
                    p.reclamations.taux_a_temps,
                    "pourcent",
                    url=lien("reclamations:liste", statut=StatutReclamation.REPONDUE),
                    aide=f"{c.reclamations.repondues_a_temps} sur {c.reclamations.echues} échue(s)",
                ),
                Carte(
                    "Réclamations en retard",
                    c.reclamations.en_retard,
                    p.reclamations.en_retard,
                    url=lien("reclamations:liste", statut=StatutReclamation.EN_TRAITEMENT),
                    sens=-1,
                ),
                Carte(
                    "Taux de satisfaction",
                    c.satisfaction["taux_satisfaction"],
                    p.satisfaction["taux_satisfaction"],
                    "pourcent",
                    url=lien("satisfaction:tableau"),
                    aide=f"{c.satisfaction['nb_reponses']} réponse(s) aux enquêtes",
                ),
                Carte(
                    "NPS",
                    c.satisfaction["nps"],
                    p.satisfaction["nps"],
                    "nps",
                    url=lien("satisfaction:tableau"),
                    aide="% de 9–10 moins % de 0–6",
                ),
                Carte(
                    "Relances faites à temps",
                    c.discipline.taux_a_temps,
                    p.discipline.taux_a_temps,
                    "pourcent",
                    url=lien("devis:liste", statut=StatutDevis.ENVOYE),
                    aide=f"{c.discipline.faites_a_temps} sur {c.discipline.relances_dues} due(s)",
                ),
            ],
        ),
    ]


def _serie(libelle: str, valeurs: list) -> dict:
    # None stays None: no bar, « — » in the PDF, a gap in Chart.js (not a fake zero).
    return {"label": libelle, "data": [None if v is None else float(v) for v in valeurs]}


def graphiques(c: Indicateurs, p: Indicateurs) -> list[dict]:
    """The charts' data, read by static/js/pilotage.js (two series: the period, the one before)."""
    lc = f"{c.debut:%d/%m/%Y} – {c.fin:%d/%m/%Y}"
    lp = f"{p.debut:%d/%m/%Y} – {p.fin:%d/%m/%Y}"

    def deux(valeurs_c: list, valeurs_p: list) -> list[dict]:
        return [_serie(lc, valeurs_c), _serie(lp, valeurs_p)]

    def devis(i: Indicateurs) -> list:
        return [i.devis.envoyes, i.devis.acceptes, i.devis.refuses, i.devis.sans_suite]

    def taux(i: Indicateurs) -> list:
        return [
            i.devis.conversion_repondus,
            i.devis.conversion_envoyes,
            i.devis.taux_sans_suite,
            i.reclamations.taux_a_temps,
            i.satisfaction["taux_satisfaction"],
            i.discipline.taux_a_temps,
        ]

    def faisabilite(i: Indicateurs) -> list:
        return [i.faisabilite.go, i.faisabilite.declinees, i.faisabilite.reorientees]

    motifs = sorted({m["motif"] for m in c.motifs_refus + p.motifs_refus})
    mc = {m["motif"]: m["nombre"] for m in c.motifs_refus}
    mp = {m["motif"]: m["nombre"] for m in p.motifs_refus}
    return [
        {
            "id": "devis",
            "titre": "Devis envoyés et leur issue",
            "labels": ["Envoyés", "Acceptés", "Refusés", "Sans suite"],
            "jeux": deux(devis(c), devis(p)),
            "unite": "",
        },
        {
            "id": "taux",
            "titre": "Taux (%)",
            "labels": [
                "Conversion / répondus",
                "Conversion / envoyés",
                "Sans suite",
                "Réclamations à temps",
                "Satisfaction",
                "Relances à temps",
            ],
            "jeux": deux(taux(c), taux(p)),
            "unite": "%",
        },
        {
            "id": "sources",
            "titre": "Demandes par source",
            "labels": [s["libelle"] for s in c.sources],
            "jeux": deux([s["nombre"] for s in c.sources], [s["nombre"] for s in p.sources]),
            "unite": "",
        },
        {
            "id": "faisabilite",
            "titre": "Décisions de faisabilité",
            "labels": ["Go", "No Go — déclinées", "No Go — réorientées"],
            "jeux": deux(faisabilite(c), faisabilite(p)),
            "unite": "",
        },
        {
            "id": "motifs",
            "titre": "Devis perdus par motif",
            "labels": motifs,
            "jeux": deux([mc.get(m, 0) for m in motifs], [mp.get(m, 0) for m in motifs]),
            "unite": "",
        },
    ]


def sources_comparees(c: Indicateurs, p: Indicateurs) -> list[dict]:
    precedent = {s["source"]: s["nombre"] for s in p.sources}
    return [
        {
            **s,
            "precedent": precedent.get(s["source"], 0),
            "url": lien("crm:organisations", source=s["source"]),
        }
        for s in c.sources
    ]


def motifs_compares(c: Indicateurs, p: Indicateurs) -> list[dict]:
    mc = {m["motif"]: m["nombre"] for m in c.motifs_refus}
    mp = {m["motif"]: m["nombre"] for m in p.motifs_refus}
    return [
        {"motif": m, "nombre": mc.get(m, 0), "precedent": mp.get(m, 0)}
        for m in sorted(set(mc) | set(mp), key=lambda m: (-mc.get(m, 0), m))
    ]
