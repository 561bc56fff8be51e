"""The quotes' lines of the weekly digest and of the « Aujourd'hui » page."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse

from crm.digest import LIGNES_PAR_SECTION, limiter
from crm.extensions import Ligne, SansEtape, sans_etape, section
from crm.roles import est_gerant
from devis import selectors
from devis.models import Accord, QuestionClient, StatutDevis, TypeAccord


def ligne_relance(d, *, le: date, user) -> Ligne:
    """The line of a quote's relance (``d`` from ``selectors.relances_a_venir``), on
    « Aujourd'hui », in the digest, and alone when the gérant moves it (htmx)."""
    creee = selectors.relance_de(d) is not None
    detail = f"relance due le {d.echeance:%d/%m/%Y}"
    if creee:
        detail = f"envoyé le {d.envoye_le:%d/%m/%Y}, {detail}" + (
            f" — {d.contact.nom_complet}" if d.contact else ""
        )
    return Ligne(
        texte=f"{d.numero} — {d.organisation} — {d.objet}",
        url=d.get_absolute_url(),
        detail=detail,
        en_retard=d.echeance < le,
        telephone=d.contact.telephone_principal if d.contact else "",
        # One click on « Aujourd'hui » once the relance exists and is due.
        relance_url=reverse("devis:relance", args=[d.pk]) if creee and d.echeance <= le else "",
        # Moving the relance (« en congés jusqu'au 15 ») is the gérant's.
        gabarit="devis/_ligne_report.html" if user is None or est_gerant(user) else "",
        contexte={"pk": d.pk, "echeance": d.echeance},
    )


@section("relances", "Relances à faire", ordre=20)
def relances(user, le: date) -> list[Ligne]:
    """Relances due by Sunday: created by the daily rule, or falling due later this week."""
    _, dimanche = selectors.semaine(le)
    return [
        ligne_relance(d, le=le, user=user)
        for d in limiter(selectors.relances_a_venir(dimanche, user=user))
    ]


def _a_recontacter(user, le: date, horizon: date) -> list[Ligne]:
    gerant = user is None or est_gerant(user)
    return [
        Ligne(
            texte=f"{d.numero} — {d.organisation} — {d.objet}",
            url=d.get_absolute_url(),
            detail=f"en discussion depuis le {d.reponse_le:%d/%m/%Y}, "
            f"à recontacter le {d.prochain_contact_le:%d/%m/%Y}"
            + (f" — {d.contact.nom_complet}" if d.contact else ""),
            en_retard=d.prochain_contact_le < le,
            telephone=d.contact.telephone_principal if d.contact else "",
            gabarit="devis/_ligne_recontacter.html" if gerant else "",
        )
        for d in limiter(selectors.a_recontacter(horizon, user=user))
    ]


@section("a_recontacter", "À recontacter", ordre=21, digest=False)
def a_recontacter(user, le: date) -> list[Ligne]:
    """« Aujourd'hui »: quotes « en discussion » whose next contact date has come."""
    return _a_recontacter(user, le, le)


@section("a_recontacter_semaine", "À recontacter", ordre=21, accueil=False)
def a_recontacter_semaine(user, le: date) -> list[Ligne]:
    """The digest: those whose next contact falls this week, or passed."""
    return _a_recontacter(user, le, selectors.semaine(le)[1])


@section("bientot_sans_suite", "Devis bientôt « sans suite »", ordre=30)
def bientot_sans_suite(user, le: date) -> list[Ligne]:
    fin = le + timedelta(days=7)
    return [
        Ligne(
            texte=f"{d.numero} — {d.organisation} — {d.objet}",
            url=d.get_absolute_url(),
            detail=f"sans réponse depuis le {d.envoye_le:%d/%m/%Y}, classé sans suite le {d.sans_suite_le:%d/%m/%Y}",
            telephone=d.contact.telephone_principal if d.contact else "",
        )
        for d in limiter(selectors.bientot_sans_suite(le, fin, user=user))
    ]


# The digest's weekly report only: a quote classed « sans suite » is closed, there is nothing
# to chase on « Aujourd'hui » (whose query budget goes to what has a date today).
@section("sans_suite", "Classés « sans suite » la semaine dernière", ordre=40, accueil=False)
def classes_sans_suite(user, le: date) -> list[Ligne]:
    lundi, _ = selectors.semaine(le)
    return [
        Ligne(
            texte=f"{d.numero} — {d.organisation} — {d.objet}",
            url=d.get_absolute_url(),
            detail=f"classé le {d.classe_sans_suite_le:%d/%m/%Y}",
        )
        for d in limiter(selectors.classes_sans_suite(lundi - timedelta(days=7), le, user=user))
    ]


@section("acceptations_en_ligne", "Acceptations en ligne à vérifier", ordre=15)
def acceptations_en_ligne(user, le: date) -> list[Ligne]:
    """Quotes accepted by the client's link whose revue de contrat is still to do."""
    if user is not None and not est_gerant(user):
        return []  # quotes, agreements and the contract review are the gérant's
    accords = (
        Accord.objects.filter(type=TypeAccord.ACCEPTATION_EN_LIGNE, revue_le__isnull=True)
        .select_related("devis__organisation")
        .order_by("recu_le", "pk")
    )
    return [
        Ligne(
            texte=f"{a.devis.reference} — {a.devis.organisation} — {a.devis.objet}",
            url=reverse("devis:revue_contrat", args=[a.devis_id]),
            detail=f"accepté en ligne le {a.recu_le:%d/%m/%Y} par {a.signataire_nom}"
            + (f", {a.signataire_fonction}" if a.signataire_fonction else "")
            + " — revue de contrat à faire",
            en_retard=a.recu_le < le,
        )
        for a in limiter(accords)
    ]


@section("questions_clients", "Questions de clients sur leurs devis", ordre=16)
def questions_clients(user, le: date) -> list[Ligne]:
    """Questions asked this past week on quotes still waiting for the client's answer."""
    if user is not None and not est_gerant(user):
        return []
    # The week's questions are few: the quote's status is checked here rather than in SQL,
    # where a join on the quotes' status made the planner walk every open quote.
    questions = [
        q
        for q in QuestionClient.objects.filter(
            posee_le__gt=le - timedelta(days=7), posee_le__lte=le
        )
        .select_related("devis__organisation")
        .order_by("-posee_le", "-pk")[:500]
        if q.devis.statut in (StatutDevis.ENVOYE, StatutDevis.SANS_SUITE)
    ]
    return [
        Ligne(
            texte=f"{q.devis.reference} — {q.devis.organisation} — {q.devis.objet}",
            url=q.devis.get_absolute_url(),
            detail=f"le {q.posee_le:%d/%m/%Y}"
            + (f", {q.nom}" if q.nom else "")
            + f" : « {q.message if len(q.message) <= 120 else q.message[:119] + '…'} »",
        )
        for q in questions[:LIGNES_PAR_SECTION]
    ]


def _en_discussion_sans_etape(user, le: date) -> list[Ligne]:
    """Quotes « en discussion » whose next contact date has passed (not today's: those are
    « à recontacter » today) and no open task ahead: the deal has no date any more."""
    from crm.selectors import tache_a_venir
    from devis.models import Devis

    qs = selectors.a_recontacter(le - timedelta(days=1)).exclude(tache_a_venir(le, modele=Devis))
    return [
        Ligne(
            texte=f"Devis {d.reference} — {d.organisation} — {d.objet}",
            url=d.get_absolute_url(),
            detail=f"en discussion, à recontacter depuis le {d.prochain_contact_le:%d/%m/%Y}",
            en_retard=True,
        )
        for d in limiter(qs)
    ]


sans_etape.ajouter(SansEtape("devis_en_discussion", _en_discussion_sans_etape, ordre=20))
