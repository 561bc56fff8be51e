"""After sending (PROC-020 §3.4): the client's answer (accepted, refused, « en discussion ») and
the one relance, by phone or by email."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction

from crm import emails
from crm.calendrier import ajouter_jours_ouvres
from crm.exceptions import EnvoiEchoue, RefusMetier
from crm.extensions import Utilisateur
from crm.historique import motiver
from crm.models import StatutEmail
from devis.models import Devis, ModeRelance, MotifRefus, Relance, Reponse, StatutDevis
from devis.services.notifications import email_devis


class RelanceDejaFaite(RefusMetier):
    pass


# How a moved relance's reason starts in the history (the quote page shows the latest one).
RAISON_REPORT = "Relance reportée au"


# --- The client's answer -----------------------------------------------------------------------


def enregistrer_reponse(
    devis: Devis,
    *,
    decision: str,
    le: date,
    par: Utilisateur | None = None,
    motif_refus: MotifRefus | None = None,
    commentaire: str = "",
    prochain_contact_le: date | None = None,
) -> Devis:
    """Record the client's answer: ``accepte``, ``refuse`` or ``en_discussion``.

    Any answer sets ``reponse_le`` (the latest answer's date), which stops the relance and
    « sans suite » rules. Accepted or refused is final and clears the next contact date;
    « en discussion » keeps the quote sent and dates the next contact (``prochain_contact_le``,
    by default 5 jours ouvrés after ``le``; a later « en discussion » replaces it): from that
    day the quote is « à recontacter » (DESIGN §10), and it is never classed « sans suite »
    by itself. A late answer to a quote classed « sans suite » is still recorded.
    """
    if decision not in Reponse.values:
        raise RefusMetier(f"Réponse inconnue : « {decision} ».")
    if decision != Reponse.EN_DISCUSSION:
        prochain_contact_le = None
    elif prochain_contact_le is None:
        prochain_contact_le = ajouter_jours_ouvres(le, 5)
    elif prochain_contact_le <= le:
        raise RefusMetier(f"La date du prochain contact doit être postérieure au {le:%d/%m/%Y}.")
    with transaction.atomic():
        devis = Devis.objects.select_for_update().get(pk=devis.pk)
        if devis.statut not in (StatutDevis.ENVOYE, StatutDevis.SANS_SUITE):
            raise RefusMetier(
                f"Ce devis est « {devis.get_statut_display()} » : sa réponse est déjà enregistrée "
                "ou il n'a pas été envoyé."
            )
        if devis.envoye_le and le < devis.envoye_le:
            raise RefusMetier("La réponse ne peut pas précéder l'envoi du devis.")
        devis.reponse = decision
        devis.reponse_le = le
        devis.reponse_recue_le = None  # the reply read from the mailbox is now qualified
        devis.commentaire_reponse = commentaire or devis.commentaire_reponse
        if decision == Reponse.ACCEPTE:
            devis.statut = StatutDevis.ACCEPTE
        elif decision == Reponse.REFUSE:
            devis.statut = StatutDevis.REFUSE
            devis.motif_refus = motif_refus
        else:
            devis.statut = StatutDevis.ENVOYE
        devis.classe_sans_suite_le = (
            None if devis.statut != StatutDevis.SANS_SUITE else devis.classe_sans_suite_le
        )
        devis.prochain_contact_le = prochain_contact_le
        motiver(
            devis,
            f"Réponse du client : {Reponse(decision).label.lower()}"
            + (f", à recontacter le {prochain_contact_le:%d/%m/%Y}" if prochain_contact_le else ""),
        )
        devis.save()
    return devis


def signaler_reponse_recue(devis: Devis, *, recue_le: datetime) -> bool:
    """A reply from the client was read in the mailbox: stop the clock until it is qualified.

    Only a sent quote with no answer recorded is paused (``reponse_recue_le``): R1 creates no
    relance and R2 classes nothing for it, whatever date the rules are given, until
    ``enregistrer_reponse`` records the answer or ``reprendre_suivi`` says it was none. The
    first reply's moment is kept. Returns True when this call paused the quote.
    """
    with transaction.atomic():
        devis = Devis.objects.select_for_update().get(pk=devis.pk)
        if (
            devis.statut != StatutDevis.ENVOYE
            or devis.reponse_le is not None
            or devis.reponse_recue_le is not None
        ):
            return False
        devis.reponse_recue_le = recue_le
        motiver(devis, "Réponse reçue par email : à qualifier (relance suspendue)")
        devis.save(update_fields=["reponse_recue_le", "modifie_le"])
    return True


def reprendre_suivi(devis: Devis, *, par: Utilisateur | None = None) -> Devis:
    """The message read was no answer (« bien reçu »): the relance and « sans suite » rules
    apply again, with the quote's dates unchanged (a date already passed is caught up)."""
    with transaction.atomic():
        devis = Devis.objects.select_for_update().get(pk=devis.pk)
        if devis.reponse_recue_le is None:
            return devis
        devis.reponse_recue_le = None
        motiver(devis, "Message reçu sans réponse au devis : suivi repris")
        devis.save(update_fields=["reponse_recue_le", "modifie_le"])
    return devis


# --- The one relance ---------------------------------------------------------------------------


def enregistrer_relance(
    devis: Devis, *, mode: str, le: date, par: Utilisateur | None = None, note: str = ""
) -> Relance:
    """Record the one relance of a sent quote as done (creating it if the rule has not yet).

    The database holds one relance per devis; a relance already done is never changed and
    ``RelanceDejaFaite`` is raised. By email, the relance email (the PDF attached again) is
    sent after the commit; if it fails, the relance is set back to « to do » and
    ``EnvoiEchoue`` says why.
    """
    if mode not in ModeRelance.values:
        raise RefusMetier(f"Mode de relance inconnu : « {mode} ».")
    if mode == ModeRelance.EMAIL and not (devis.contact and devis.contact.email):
        raise RefusMetier("Le contact n'a pas d'adresse email : relancez par téléphone.")
    with transaction.atomic():
        devis = Devis.objects.select_for_update().get(pk=devis.pk)
        if devis.statut != StatutDevis.ENVOYE:
            raise RefusMetier(
                f"Ce devis est « {devis.get_statut_display()} » : il n'y a plus de relance à faire."
            )
        try:
            with transaction.atomic():
                relance, _ = Relance.objects.get_or_create(
                    devis=devis, defaults={"due_le": devis.relance_due_le or le}
                )
        except IntegrityError:
            relance = Relance.objects.get(devis=devis)
        relance = Relance.objects.select_for_update().get(pk=relance.pk)
        if relance.faite_le is not None:
            raise RelanceDejaFaite(
                f"La relance de ce devis a déjà été faite le {relance.faite_le:%d/%m/%Y} "
                f"({relance.get_mode_display().lower()}) : PROC-020 prévoit une relance unique."
            )
        relance.faite_le = le
        relance.mode = mode
        relance.note = note
        relance.par = par if getattr(par, "pk", None) else None
        relance.save()
    if mode == ModeRelance.EMAIL:
        envoi = email_devis(devis, nom="devis-relance", par=par)
        if envoi.statut != StatutEmail.ENVOYE:
            emails.abandonner(envoi, "Relance annulée : à refaire.")
            with transaction.atomic():
                r = Relance.objects.select_for_update().get(pk=relance.pk)
                r.faite_le = None
                r.mode = ""
                motiver(r, "Échec de l'email de relance")
                r.save()
            raise EnvoiEchoue(
                f"L'email de relance n'a pas pu être envoyé ({envoi.erreur}). "
                "La relance reste à faire."
            )
    return relance


def reporter_relance(
    devis: Devis,
    *,
    au: date,
    motif: str,
    le: date,
    par: Utilisateur | None = None,
    sans_suite_au: date | None = None,
) -> Devis:
    """Move a sent, unanswered quote's relance (not yet done) to ``au`` (DESIGN §10).

    « Je suis en congés jusqu'au 15 »: the relance becomes due on ``au`` and the « sans suite »
    date moves by as many calendar days as the relance did (``max(0, au − previous relance
    date)``: never earlier than it was), or to ``sans_suite_au`` when the gérant sets it, which
    must fall after ``au``. The reason is required and kept in the quote's history.

    The one relance per quote is untouched: this updates the quote's due date and, when the
    rule has already created the relance (not done), that row's ``due_le`` — it never adds one.
    The quote row is locked, like R1 locks its batch, so a move and a rule run at the same
    moment serialise. Refused (``RefusMetier``, nothing changed) after the relance is done,
    after an answer, or to a date not after ``le``.
    """
    motif = (motif or "").strip()
    if not motif:
        raise RefusMetier("Indiquez pourquoi la relance est reportée (ce motif est gardé).")
    if au <= le:
        raise RefusMetier(f"La nouvelle date de relance doit être postérieure au {le:%d/%m/%Y}.")
    if sans_suite_au is not None and sans_suite_au <= au:
        raise RefusMetier(
            "La date « sans suite » doit suivre la nouvelle date de relance "
            f"(après le {au:%d/%m/%Y})."
        )
    with transaction.atomic():
        devis = Devis.objects.select_for_update().get(pk=devis.pk)
        if devis.statut != StatutDevis.ENVOYE or devis.reponse_le is not None:
            raise RefusMetier(
                "Ce devis a déjà une réponse du client (ou n'est plus en attente) : "
                "il n'y a plus de relance à reporter."
            )
        relance = Relance.objects.select_for_update().filter(devis=devis).first()
        if relance is not None and relance.faite_le is not None:
            raise RelanceDejaFaite(
                f"La relance de ce devis a déjà été faite le {relance.faite_le:%d/%m/%Y} : "
                "elle ne peut plus être reportée."
            )
        avant = relance.due_le if relance is not None else devis.relance_due_le
        decalage = max(0, (au - avant).days) if avant else 0
        if sans_suite_au is not None:
            devis.sans_suite_le = sans_suite_au
        elif devis.sans_suite_le is not None:
            devis.sans_suite_le = devis.sans_suite_le + timedelta(days=decalage)
        devis.relance_due_le = au
        raison = f"{RAISON_REPORT} {au:%d/%m/%Y} : {motif}"
        motiver(devis, raison)
        devis.save()
        if relance is not None:
            relance.due_le = au
            motiver(relance, raison)
            relance.save()
    return devis
