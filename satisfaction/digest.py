"""Surveys waiting for an answer and missions ended without a debrief."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse

from crm.digest import limiter
from crm.extensions import Ligne, SansEtape, sans_etape, section
from crm.models import Mission, StatutMission
from crm.roles import est_gerant
from satisfaction.models import Enquete


@section("enquetes", "Enquêtes sans réponse", ordre=80)
def enquetes(user, le: date) -> list[Ligne]:
    if not est_gerant(user):
        return []
    qs = Enquete.objects.filter(
        envoyee_le__isnull=False, reponse__isnull=True, expire_le__gte=le
    ).select_related("contact__organisation")
    return [
        Ligne(
            texte=f"{e.contact.organisation} — {e.contact.nom_complet}",
            detail=f"envoyée le {e.envoyee_le:%d/%m/%Y}, expire le {e.expire_le:%d/%m/%Y}",
        )
        for e in limiter(qs.order_by("envoyee_le"))
    ]


@section("debriefs", "Débriefs à faire : missions terminées", ordre=5)
def debriefs(user, le: date) -> list[Ligne]:
    """Missions ended without a debrief, oldest first: a consultant's first section (the one
    thing PROC-020 §3.6 asks of them), each line opening the debrief form in one tap."""
    # The debrief is heard right after the mission: older missions are no longer chased
    # (the same 90-day horizon as the survey proposals).
    qs = Mission.objects.filter(
        fin__lt=le, fin__gte=le - timedelta(days=90), debrief__isnull=True
    ).exclude(statut=StatutMission.ANNULEE)
    if not est_gerant(user):
        qs = qs.filter(consultants=user)
    return [
        Ligne(
            texte=f"{m.devis.organisation} — {m.devis.objet}",
            url=reverse("satisfaction:debrief", args=[m.pk]),
            detail=f"terminée le {m.fin:%d/%m/%Y} : écrire le débrief",
        )
        for m in limiter(qs.select_related("devis__organisation").order_by("fin", "pk"))
    ]


# On « Aujourd'hui » the same missions are under « Sans prochaine étape » (``_missions_sans_etape``
# below), where a task planned on a mission takes it off: listed twice, they cost a query too.
@section("enquetes_a_envoyer", "Enquêtes de satisfaction à envoyer", ordre=85, accueil=False)
def enquetes_a_envoyer(user, le: date) -> list[Ligne]:
    """Missions ended without a survey (the daily rule's proposals), for the gérant."""
    from satisfaction.selectors import missions_sans_enquete

    if not est_gerant(user):
        return []
    return [
        Ligne(
            texte=f"{m.devis.organisation} — {m.devis.objet}",
            url=m.get_absolute_url(),
            detail=f"terminée le {m.fin:%d/%m/%Y}" if m.fin else "terminée",
        )
        for m in limiter(missions_sans_enquete(le))
    ]


def _missions_sans_etape(user, le: date) -> list[Ligne]:
    """Missions ended with no survey sent and no open task ahead (« Sans prochaine étape »)."""
    from crm.selectors import tache_a_venir
    from satisfaction.selectors import missions_sans_enquete

    qs = missions_sans_enquete(le).exclude(tache_a_venir(le, modele=Mission))
    return [
        Ligne(
            texte=f"Mission — {m.devis.organisation} — {m.devis.objet}",
            url=m.get_absolute_url(),
            detail=(f"terminée le {m.fin:%d/%m/%Y}" if m.fin else "terminée")
            + ", aucune enquête envoyée",
        )
        for m in limiter(qs)
    ]


sans_etape.ajouter(SansEtape("missions_sans_enquete", _missions_sans_etape, ordre=30))
