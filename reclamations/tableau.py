"""The complaints' part of the dashboard and of the management review (``crm.extensions``):
complaints **received** in the period and their deadlines, cards, the rate on time, and the
review's list of complaints and corrective and preventive actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q

from crm.extensions import Carte, Graphique, GroupeCartes, Indicateurs, indicateurs, lien
from crm.periodes import Periode, dans, taux, une_des
from reclamations.models import Action, Reclamation, StatutReclamation

SECTION_SUIVI = "Réclamations, satisfaction et suivi"


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
        return taux(self.repondues_a_temps, self.echues)

    @property
    def taux_accuse_a_temps(self) -> float | None:
        return taux(self.accusees_a_temps, self.recues)


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


def _calculer(periodes, *, le):
    """Overdue complaints are counted as of the earlier of the period's end and ``le``."""
    jours = [min(fin, le) if le else fin for _, fin in periodes]
    return [{"reclamations": r} for r in reclamations(periodes, jours)]


def _cartes(c, p) -> list[GroupeCartes]:
    r, rp = c.reclamations, p.reclamations
    return [
        GroupeCartes(
            SECTION_SUIVI,
            "exclamation-octagon",
            [
                Carte(
                    "Réclamations reçues",
                    r.recues,
                    rp.recues,
                    url=lien("reclamations:liste"),
                    sens=-1,
                ),
                Carte(
                    "Réclamations répondues dans le délai",
                    r.taux_a_temps,
                    rp.taux_a_temps,
                    "pourcent",
                    url=lien("reclamations:liste", statut=StatutReclamation.REPONDUE),
                    aide=f"{r.repondues_a_temps} sur {r.echues} échue(s)",
                ),
                Carte(
                    "Réclamations en retard",
                    r.en_retard,
                    rp.en_retard,
                    url=lien("reclamations:liste", statut=StatutReclamation.EN_TRAITEMENT),
                    sens=-1,
                ),
            ],
            ordre=30,
        )
    ]


def _revue(c, p) -> dict:
    debut, fin = c.debut, c.fin
    recues = (
        Reclamation.objects.filter(recue_le__gte=debut, recue_le__lte=fin)
        .select_related("organisation", "nature")
        .order_by("recue_le", "pk")
    )
    actions = (
        Action.objects.filter(
            Q(reclamation__recue_le__gte=debut, reclamation__recue_le__lte=fin)
            | Q(echeance__gte=debut, echeance__lte=fin)
            | Q(realisee_le__gte=debut, realisee_le__lte=fin)
        )
        .select_related("reclamation", "responsable")
        .order_by("echeance", "pk")
    )
    return {"reclamations": list(recues), "actions": list(actions)}


indicateurs.ajouter(
    Indicateurs(
        cle="reclamations",
        calculer=_calculer,
        cartes=_cartes,
        graphiques=lambda c, p: [
            Graphique(
                "taux",
                "Taux (%)",
                ["Réclamations à temps"],
                [c.reclamations.taux_a_temps],
                [p.reclamations.taux_a_temps],
                unite="%",
                ordre=20,
            )
        ],
        revue=_revue,
        ordre=40,
        revue_synthese="reclamations/revue/_synthese.html",
        revue_sections=((40, "reclamations/revue/_reclamations.html"),),
    )
)
