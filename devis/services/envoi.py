"""Sending a quote (PROC-020 §3.3): the checks before it, its gap-free number (year of the
sending date), its due dates (relance and « sans suite ») and the email to the client."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from crm import emails, jetons
from crm.calendrier import ajouter_jours_ouvres, ajouter_mois
from crm.exceptions import EnvoiEchoue, RefusMetier
from crm.extensions import Utilisateur
from crm.historique import motiver
from crm.models import Decision, StatutEmail
from crm.numerotation import prochain_numero
from devis.models import Devis, StatutDevis
from devis.services.lien import USAGE_JETON
from devis.services.notifications import email_devis


def echeances_envoi(envoye_le: date) -> tuple[date, date]:
    """(relance due, « sans suite ») of a quote sent on ``envoye_le`` (DESIGN §5): 5 jours
    ouvrés later, and one calendar month later (31 January → 28/29 February)."""
    return (
        ajouter_jours_ouvres(envoye_le, settings.CRM_RELANCE_JOURS_OUVRES),
        ajouter_mois(envoye_le, settings.CRM_SANS_SUITE_MOIS),
    )


def verifier_envoi_possible(devis: Devis, *, email: bool) -> None:
    """Raise RefusMetier with the reason when the quote cannot be sent."""
    if devis.statut != StatutDevis.BROUILLON:
        raise RefusMetier(
            f"Ce devis est « {devis.get_statut_display()} » : seul un brouillon peut être envoyé."
        )
    if not devis.lignes.exists():
        raise RefusMetier("Ce devis n'a aucune ligne : ajoutez au moins une prestation chiffrée.")
    if devis.demande_id is not None:
        revue = getattr(devis.demande, "revue", None)
        if revue is None or revue.decision != Decision.GO:
            raise RefusMetier(
                "La revue de faisabilité de la demande n'a pas conclu « Go » : "
                "PROC-020 §3.2 exige un Go avant tout devis.",
                lien=reverse("crm:revue", args=[devis.demande_id]),
                lien_texte="Faire la revue de faisabilité",
            )
    if email and not (devis.contact and devis.contact.email):
        raise RefusMetier(
            "Le contact du devis n'a pas d'adresse email : renseignez-la, ou marquez le devis "
            "comme envoyé depuis votre messagerie."
        )


def envoyer_devis(
    devis: Devis, *, le: date, par: Utilisateur | None = None, email: bool = True
) -> Devis:
    """Send a draft: number it (gap-free, year of ``le``), set ``envoye`` and both due dates.

    Invariants: the number is taken in the same transaction that stores it (no gap, no
    duplicate under concurrent sends). With ``email``, the PDF is rendered and mailed to the
    contact after that transaction commits and before this returns; if the email fails, the
    quote goes back to draft (it keeps its number) and ``EnvoiEchoue`` says why. Without
    ``email`` the quote is marked as sent on ``le`` (sent from the gérant's own mailbox).
    """
    verifier_envoi_possible(devis, email=email)
    with transaction.atomic():
        devis = Devis.objects.select_for_update().get(pk=devis.pk)
        if devis.statut != StatutDevis.BROUILLON:
            raise RefusMetier("Ce devis vient d'être envoyé par ailleurs.")
        if not devis.numero:
            devis.numero = prochain_numero("DEV", le.year)
        devis.statut = StatutDevis.ENVOYE
        devis.envoye_le = le
        devis.relance_due_le, devis.sans_suite_le = echeances_envoi(le)
        devis.nouveau_nonce()
        devis.jeton_empreinte = jetons.empreinte(jetons.jeton(USAGE_JETON, devis.jeton_nonce))
        motiver(devis, "Envoi du devis" if email else "Marqué comme envoyé")
        devis.save()
    if email:
        try:
            envoi = email_devis(devis, nom="devis-envoi", par=par)
        except Exception as exc:  # rendering or storage failure: same outcome as a send failure
            _annuler_envoi(devis)
            raise EnvoiEchoue(
                f"Le devis n'a pas pu être envoyé ({exc}). Il reste en brouillon."
            ) from exc
        if envoi.statut != StatutEmail.ENVOYE:
            emails.abandonner(envoi, "Envoi du devis annulé : le devis reste en brouillon.")
            _annuler_envoi(devis)
            raise EnvoiEchoue(
                "L'email n'a pas pu être envoyé au client "
                f"({envoi.erreur or 'erreur inconnue'}). Le devis {devis.numero} reste en "
                "brouillon : réessayez, ou envoyez-le depuis votre messagerie."
            )
    devis.refresh_from_db()
    return devis


def _annuler_envoi(devis: Devis) -> None:
    with transaction.atomic():
        d = Devis.objects.select_for_update().get(pk=devis.pk)
        d.statut = StatutDevis.BROUILLON
        d.envoye_le = d.relance_due_le = d.sans_suite_le = None
        d.jeton_nonce = ""
        d.jeton_empreinte = None
        motiver(d, "Échec de l'envoi : retour en brouillon")
        d.save()
    devis.refresh_from_db()
