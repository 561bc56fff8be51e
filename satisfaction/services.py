"""Debriefs and surveys (PROC-020 §3.6)."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from crm import emails
from crm.exceptions import EnvoiEchoue, RefusMetier
from crm.models import Demande, Mission, StatutDemande, StatutEmail
from satisfaction.models import Attentes, Debrief, Enquete, Reponse


def enregistrer_debrief(
    mission: Mission,
    *,
    le: date,
    reponse: str,
    verbatim: str = "",
    signaux_faibles: str = "",
    besoins_futurs: str = "",
    par=None,
) -> Debrief:
    """The consultant's record of « Cela correspondait-il à vos attentes ? » (one per mission).

    The gérant is told of every « non » and « partiellement » by email, after the commit.
    """
    if reponse not in Attentes.values:
        raise RefusMetier("Choisissez oui, partiellement ou non.")
    try:
        with transaction.atomic():
            debrief = Debrief.objects.create(
                mission=mission,
                le=le,
                reponse=reponse,
                verbatim=verbatim,
                signaux_faibles=signaux_faibles,
                besoins_futurs=besoins_futurs,
                par=par if getattr(par, "pk", None) else None,
            )
    except IntegrityError as exc:
        raise RefusMetier("Le débrief de cette mission est déjà enregistré.") from exc
    if reponse != Attentes.OUI:
        from crm.digest import destinataires
        from crm.roles import est_gerant

        gerants = [u.email for u in destinataires() if est_gerant(u)]
        if gerants:
            emails.envoyer(
                "debrief-alerte",
                {"debrief": debrief, "mission": mission},
                motif="debrief_alerte",
                destinataires=gerants,
                objet=debrief,
                par=par,
            )
    return debrief


def ouvrir_demande_depuis_debrief(debrief: Debrief, *, le: date, par=None) -> Demande:
    """A future need heard at the debrief becomes a new request in one click."""
    if debrief.demande_creee is not None:
        return debrief.demande_creee
    mission = debrief.mission
    devis = mission.devis
    ancienne = devis.demande
    with transaction.atomic():
        demande = Demande.objects.create(
            organisation=devis.organisation,
            contact=devis.contact,
            recue_le=le,
            canal="autre",
            contexte=ancienne.contexte if ancienne else "autre",
            type_prestation=ancienne.type_prestation if ancienne else "conseil",
            description=f"Besoin exprimé lors du débrief de la mission « {devis.objet} » :\n"
            f"{debrief.besoins_futurs or debrief.signaux_faibles}",
            statut=StatutDemande.NOUVELLE,
            responsable=par if getattr(par, "pk", None) else None,
        )
        Debrief.objects.filter(pk=debrief.pk).update(demande_creee=demande)
    return demande


def _peut_etre_sollicite(contact) -> None:
    if contact.ne_pas_prospecter or contact.organisation.ne_pas_prospecter:
        raise RefusMetier(
            "Ce contact (ou son organisation) ne souhaite pas être sollicité : "
            "pas d'enquête de satisfaction."
        )


def creer_enquete(*, contact, le: date, mission: Mission | None = None) -> Enquete:
    """A survey for ``contact``, valid ``CRM_ENQUETE_VALIDITE_JOURS`` days (30) from ``le``.

    Refused for a contact, or an organisation, marked « ne pas prospecter »."""
    if contact is None:
        raise RefusMetier("Choisissez le contact à interroger.")
    _peut_etre_sollicite(contact)
    return Enquete.objects.create(
        mission=mission,
        contact=contact,
        creee_le=le,
        expire_le=le + timedelta(days=settings.CRM_ENQUETE_VALIDITE_JOURS),
    )


def envoyer_enquete(enquete: Enquete, *, le: date, par=None, relance: bool = False) -> Enquete:
    """Email the survey link (or its one reminder, with ``relance=True``).

    The sending is claimed first with a conditional UPDATE (``envoyee_le`` / ``relancee_le``
    still empty → ``le``), so two callers (a double click, two runs of the rules) never send it
    twice. The email is recorded before it leaves: if the transport fails, the retry job of
    ``crm.emails`` sends that same email later, and the claim stays (one email at most).
    """
    contact = enquete.contact
    if not contact.email:
        raise RefusMetier("Le contact n'a pas d'adresse email.")
    _peut_etre_sollicite(contact)
    if Reponse.objects.filter(enquete_id=enquete.pk).exists():
        raise RefusMetier("Cette enquête a déjà reçu sa réponse.")
    if le > enquete.expire_le:
        raise RefusMetier("Cette enquête a expiré.")
    champ = "relancee_le" if relance else "envoyee_le"
    if relance and enquete.envoyee_le is None:
        raise RefusMetier("On ne relance qu'une enquête déjà envoyée.")
    pris = Enquete.objects.filter(pk=enquete.pk, **{f"{champ}__isnull": True}).update(**{champ: le})
    if not pris:
        raise RefusMetier(
            "Cette enquête a déjà été relancée." if relance else "Cette enquête est déjà envoyée."
        )
    envoi = emails.envoyer(
        "enquete-relance" if relance else "enquete",
        {
            "enquete": enquete,
            "contact": contact,
            "lien": settings.SITE_URL + enquete.get_absolute_url(),
        },
        motif="enquete_relance" if relance else "enquete",
        destinataires=[contact.email],
        objet=enquete,
        par=par,
    )
    enquete.refresh_from_db()
    if envoi.statut != StatutEmail.ENVOYE:
        raise EnvoiEchoue(f"L'email n'a pas pu partir ({envoi.erreur}) ; il sera réessayé.")
    return enquete


def relancer_enquete(enquete: Enquete, *, le: date) -> bool:
    """The one reminder, from the daily rules. True when this call sent it (or recorded it for
    the retry job, when the transport failed); False when it was not due or already claimed."""
    try:
        envoyer_enquete(enquete, le=le, relance=True)
    except EnvoiEchoue:  # recorded; the retry job sends it
        return True
    except RefusMetier:
        return False
    return True


class EnqueteFermee(RefusMetier):
    pass


def repondre_enquete(
    enquete: Enquete,
    *,
    le: date,
    satisfaction: int,
    recommandation: int,
    effort: int,
    commentaire: str = "",
    consentement_citation: bool = False,
) -> Reponse:
    """Answer once, before expiry. A second answer is refused by the database (one-to-one)."""
    if le > enquete.expire_le:
        raise EnqueteFermee("Cette enquête a expiré.")
    for nom, valeur, bas, haut in (
        ("satisfaction", satisfaction, 1, 5),
        ("recommandation", recommandation, 0, 10),
        ("effort", effort, 1, 7),
    ):
        if not (bas <= int(valeur) <= haut):
            raise RefusMetier(f"La note « {nom} » doit être comprise entre {bas} et {haut}.")
    try:
        with transaction.atomic():
            return Reponse.objects.create(
                enquete=enquete,
                satisfaction=satisfaction,
                recommandation=recommandation,
                effort=effort,
                commentaire=commentaire,
                consentement_citation=consentement_citation,
                repondue_le=le,
            )
    except IntegrityError as exc:
        raise EnqueteFermee("Merci, vous avez déjà répondu à cette enquête.") from exc
