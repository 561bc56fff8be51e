"""Writes on quotes (PROC-020 §3.3–3.5). Each service owns its transaction; emails and PDFs are
produced after the transaction commits, never inside it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from crm import emails, jetons
from crm.calendrier import ajouter_jours_ouvres, ajouter_mois
from crm.exceptions import RefusMetier
from crm.models import (
    Decision,
    Demande,
    Entreprise,
    Mission,
    Organisation,
    StatutMission,
)
from crm.numerotation import prochain_numero
from devis.liens import renouveler_lien
from devis.models import (
    Accord,
    Devis,
    LigneDevis,
    ModeleDevis,
    ModeRelance,
    MotifRefus,
    QuestionClient,
    Relance,
    Reponse,
    StatutDevis,
    TypeAccord,
)


class EnvoiEchoue(RefusMetier):
    pass


class RelanceDejaFaite(RefusMetier):
    pass


USAGE_JETON = "devis-acceptation"


# --- Drafting --------------------------------------------------------------------------------


def creer_devis(
    *,
    organisation: Organisation,
    objet: str,
    demande: Demande | None = None,
    contact=None,
    par=None,
    avec_modele: bool = True,
) -> Devis:
    """A draft quote, pre-filled from the standard template (« Modèle de devis IOD »)."""
    modele = ModeleDevis.courant()
    with transaction.atomic():
        devis = Devis(
            organisation=organisation,
            demande=demande,
            contact=contact or (demande.contact if demande else None),
            objet=objet,
            cree_par=par if getattr(par, "pk", None) else None,
        )
        if avec_modele:
            for champ in ("contexte", "methodologie", "tests", "delai", "conditions"):
                setattr(devis, champ, getattr(modele, champ))
            devis.validite_jours = modele.validite_jours
            devis.taux_tva = modele.taux_tva
            if demande is not None and demande.description and not devis.contexte.strip():
                devis.contexte = demande.description
        devis.save()
        if avec_modele:
            LigneDevis.objects.bulk_create(
                LigneDevis(
                    devis=devis,
                    ordre=ligne.ordre,
                    designation=ligne.designation,
                    quantite=ligne.quantite,
                    unite=ligne.unite,
                    prix_unitaire_ht=ligne.prix_unitaire_ht,
                )
                for ligne in modele.lignes.all()
            )
    return devis


def creer_devis_depuis_demande(demande: Demande, *, par=None) -> Devis:
    objet = f"{demande.get_type_prestation_display()} — {demande.get_contexte_display().lower()}"
    return creer_devis(organisation=demande.organisation, objet=objet, demande=demande, par=par)


def ajouter_ligne(
    devis: Devis,
    *,
    designation: str,
    quantite: Decimal | int | str,
    prix_unitaire_ht: Decimal | int | str,
    unite: str = "jour",
) -> LigneDevis:
    if devis.statut != StatutDevis.BROUILLON:
        raise RefusMetier("Un devis envoyé ne se modifie plus : créez une nouvelle version.")
    ordre = devis.lignes.count() + 1
    return LigneDevis.objects.create(
        devis=devis,
        ordre=ordre,
        designation=designation,
        quantite=Decimal(str(quantite)),
        prix_unitaire_ht=Decimal(str(prix_unitaire_ht)),
        unite=unite,
    )


# --- Sending ---------------------------------------------------------------------------------


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


def envoyer_devis(devis: Devis, *, le: date, par=None, email: bool = True) -> Devis:
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
        devis._change_reason = "Envoi du devis" if email else "Marqué comme envoyé"
        devis.save()
    if email:
        try:
            envoi = _envoyer_email_devis(devis, par=par)
        except Exception as exc:  # rendering or storage failure: same outcome as a send failure
            _annuler_envoi(devis)
            raise EnvoiEchoue(
                f"Le devis n'a pas pu être envoyé ({exc}). Il reste en brouillon."
            ) from exc
        if envoi.statut != "envoye":
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
        d._change_reason = "Échec de l'envoi : retour en brouillon"
        d.save()
    devis.refresh_from_db()


def lien_acceptation(devis: Devis) -> str:
    """Public path where the client reads and accepts a sent devis (ends with the token)."""
    if not devis.jeton_nonce:
        raise RefusMetier("Ce devis n'a pas encore été envoyé : il n'a pas de lien client.")
    return reverse("devis:public", args=[jetons.jeton(USAGE_JETON, devis.jeton_nonce)])


def _contexte_email(devis: Devis) -> dict:
    return {
        "devis": devis,
        "contact": devis.contact,
        "lien": settings.SITE_URL + lien_acceptation(devis),
    }


def _piece_pdf(devis: Devis) -> emails.PieceJointe:
    from devis.pdf import devis_pdf

    return emails.PieceJointe(
        nom=f"{devis.reference}.pdf".replace(" ", "_"), contenu=devis_pdf(devis)
    )


def _remplir(modele_texte: str, valeurs: dict[str, str]) -> str:
    """Fill {variables} of a text typed by the gérant (unknown ones are left as typed)."""
    return re.sub(r"\{(\w+)\}", lambda m: valeurs.get(m.group(1), m.group(0)), modele_texte)


def _email_devis(devis: Devis, *, nom: str, par=None):
    """The quote's email (sending or relance), from the gérant's editable texts when set."""
    from django.utils.html import escape, linebreaks

    contexte = _contexte_email(devis)
    sujet, texte, html = emails.rendre(nom, contexte)
    modele = ModeleDevis.courant()
    relance = nom == "devis-relance"
    sujet_modele = modele.relance_sujet if relance else modele.email_sujet
    corps_modele = modele.relance_corps if relance else modele.email_corps
    contact = devis.contact
    valeurs = {
        "civilite": contact.civilite if contact else "",
        "nom": contact.nom if contact else "",
        "numero": devis.reference,
        "objet": devis.objet,
        "lien": contexte["lien"],
        "validite": f"{devis.date_validite:%d/%m/%Y}" if devis.date_validite else "",
        "envoye_le": f"{devis.envoye_le:%d/%m/%Y}" if devis.envoye_le else "",
        "signataire": Entreprise.courante().signataire,
    }
    if sujet_modele.strip():
        sujet = _remplir(sujet_modele, valeurs)
    if corps_modele.strip():
        texte = _remplir(corps_modele, valeurs)
        html = linebreaks(escape(texte))
    envoi = emails.enregistrer(
        motif="relance" if relance else "devis",
        destinataires=[contact.email],
        sujet=sujet,
        texte=texte,
        html=html,
        objet=devis,
        pieces_jointes=[_piece_pdf(devis)],
        par=par,
    )
    emails.expedier(envoi)
    return envoi


def _envoyer_email_devis(devis: Devis, *, par=None):
    return _email_devis(devis, nom="devis-envoi", par=par)


# --- The client's answer -----------------------------------------------------------------------


def enregistrer_reponse(
    devis: Devis,
    *,
    decision: str,
    le: date,
    par=None,
    motif_refus: MotifRefus | None = None,
    commentaire: str = "",
) -> Devis:
    """Record the client's answer: ``accepte``, ``refuse`` or ``en_discussion``.

    Any answer sets ``reponse_le`` (the latest answer's date), which stops the relance and
    « sans suite » rules. Accepted or refused is final; « en discussion » keeps the quote sent.
    A late answer to a quote classed « sans suite » is still recorded.
    """
    if decision not in Reponse.values:
        raise RefusMetier(f"Réponse inconnue : « {decision} ».")
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
        devis._change_reason = f"Réponse du client : {Reponse(decision).label.lower()}"
        devis.save()
    return devis


# --- The one relance ---------------------------------------------------------------------------


def enregistrer_relance(devis: Devis, *, mode: str, le: date, par=None, note: str = "") -> Relance:
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
        envoi = _email_devis(devis, nom="devis-relance", par=par)
        if envoi.statut != "envoye":
            emails.abandonner(envoi, "Relance annulée : à refaire.")
            with transaction.atomic():
                r = Relance.objects.select_for_update().get(pk=relance.pk)
                r.faite_le = None
                r.mode = ""
                r._change_reason = "Échec de l'email de relance"
                r.save()
            raise EnvoiEchoue(
                f"L'email de relance n'a pas pu être envoyé ({envoi.erreur}). "
                "La relance reste à faire."
            )
    return relance


# --- Versions, cancellation ----------------------------------------------------------------------


def reviser_devis(devis: Devis, *, par=None) -> Devis:
    """A new draft version of a sent quote; the old one is cancelled (its link dies)."""
    if devis.statut != StatutDevis.ENVOYE:
        raise RefusMetier("Seul un devis envoyé et sans réponse définitive peut être révisé.")
    with transaction.atomic():
        ancien = Devis.objects.select_for_update().get(pk=devis.pk)
        if ancien.statut != StatutDevis.ENVOYE:
            raise RefusMetier("Ce devis vient d'être modifié par ailleurs.")
        nouveau = Devis.objects.get(pk=ancien.pk)
        nouveau.pk = nouveau.id = None
        nouveau._state.adding = True
        # A revision keeps the number of the quote it replaces: DEV-2026-0003 v2.
        nouveau.version = ancien.version + 1
        nouveau.remplace = ancien
        nouveau.statut = StatutDevis.BROUILLON
        nouveau.envoye_le = nouveau.reponse_le = nouveau.relance_due_le = None
        nouveau.sans_suite_le = nouveau.classe_sans_suite_le = None
        nouveau.reponse = ""
        nouveau.jeton_nonce = ""
        nouveau.jeton_empreinte = None
        nouveau.cree_par = par if getattr(par, "pk", None) else ancien.cree_par
        nouveau.save()
        LigneDevis.objects.bulk_create(
            LigneDevis(
                devis=nouveau,
                ordre=ligne.ordre,
                designation=ligne.designation,
                quantite=ligne.quantite,
                unite=ligne.unite,
                prix_unitaire_ht=ligne.prix_unitaire_ht,
            )
            for ligne in ancien.lignes.all()
        )
        ancien.statut = StatutDevis.ANNULE
        renouveler_lien(ancien)
        ancien._change_reason = "Remplacé par une nouvelle version"
        ancien.save()
    return nouveau


def numero_version(devis: Devis) -> str:
    return devis.reference


def annuler_devis(devis: Devis, *, par=None) -> Devis:
    if devis.statut not in (StatutDevis.BROUILLON, StatutDevis.ENVOYE):
        raise RefusMetier("Seul un brouillon ou un devis en attente peut être annulé.")
    with transaction.atomic():
        devis = Devis.objects.select_for_update().get(pk=devis.pk)
        devis.statut = StatutDevis.ANNULE
        renouveler_lien(devis)
        devis._change_reason = "Devis annulé"
        devis.save()
    return devis


# --- Agreement, contract review, launch ----------------------------------------------------------


@dataclass
class RevueContrat:
    prix_conforme: bool
    conditions_conformes: bool
    ecarts: str = ""
    resolution_ecarts: str = ""


def enregistrer_accord(
    devis: Devis,
    *,
    type: str,
    recu_le: date,
    par=None,
    document=None,
    document_nom: str = "",
    reference_client: str = "",
) -> Accord:
    """Record the client's agreement (PROC-020 §3.5); accepts the quote if not yet done."""
    if devis.statut == StatutDevis.ENVOYE or devis.statut == StatutDevis.SANS_SUITE:
        enregistrer_reponse(devis, decision=Reponse.ACCEPTE, le=recu_le, par=par)
        devis.refresh_from_db()
    if devis.statut != StatutDevis.ACCEPTE:
        raise RefusMetier("Un accord ne s'enregistre que pour un devis envoyé ou accepté.")
    with transaction.atomic():
        if Accord.objects.filter(devis=devis).exists():
            raise RefusMetier("L'accord de ce devis est déjà enregistré.")
        accord = Accord(
            devis=devis,
            type=type,
            recu_le=recu_le,
            document_nom=document_nom,
            reference_client=reference_client,
        )
        if document is not None:
            accord.document = document
        try:
            with transaction.atomic():
                accord.save()
        except IntegrityError as exc:
            raise RefusMetier("L'accord de ce devis est déjà enregistré.") from exc
    return accord


def faire_revue_contrat(accord: Accord, revue: RevueContrat, *, le: date, par=None) -> Accord:
    """Check the agreement against the quote: price and conditions; gaps must be settled."""
    if not (revue.prix_conforme and revue.conditions_conformes):
        if not revue.ecarts.strip():
            raise RefusMetier("Décrivez les écarts constatés entre l'accord et le devis.")
    with transaction.atomic():
        accord = Accord.objects.select_for_update().get(pk=accord.pk)
        accord.prix_conforme = revue.prix_conforme
        accord.conditions_conformes = revue.conditions_conformes
        accord.ecarts = revue.ecarts
        accord.resolution_ecarts = revue.resolution_ecarts
        accord.revue_le = le
        accord.revue_par = par if getattr(par, "pk", None) else None
        accord.save()
    return accord


def lancer_mission(
    devis: Devis, *, debut: date, fin: date | None = None, consultants=(), par=None, notes: str = ""
) -> Mission:
    """Launch (PROC-020 §3.5): only after the agreement and a settled revue de contrat."""
    devis = Devis.objects.get(pk=devis.pk)  # the caller's copy may hold a stale agreement
    accord = Accord.objects.filter(devis=devis).first()
    if devis.statut != StatutDevis.ACCEPTE or accord is None:
        raise RefusMetier("Enregistrez d'abord l'accord du client.")
    if not accord.pret_pour_lancement:
        raise RefusMetier(
            "La revue de contrat n'est pas terminée : le prix et les conditions doivent "
            "correspondre au devis, ou les écarts doivent être résolus."
        )
    if fin is not None and fin < debut:
        raise RefusMetier("La fin de mission ne peut pas précéder son début.")
    with transaction.atomic():
        if Mission.objects.filter(devis=devis).exists():
            raise RefusMetier("La mission de ce devis est déjà lancée.")
        mission = Mission.objects.create(
            devis=devis, debut=debut, fin=fin, statut=StatutMission.PLANIFIEE, notes=notes
        )
        mission.consultants.set(consultants)
    return mission


def modifier_brouillon(form, lignes_formset) -> Devis:
    """Save a draft's edits and its lines together; a sent quote is changed only by a new version."""
    devis = form.instance
    if Devis.objects.filter(pk=devis.pk).exclude(statut=StatutDevis.BROUILLON).exists():
        raise RefusMetier("Ce devis a été envoyé : créez une nouvelle version pour le modifier.")
    with transaction.atomic():
        devis = form.save()
        lignes = lignes_formset.save(commit=False)
        for objet in lignes_formset.deleted_objects:
            objet.delete()
        for i, ligne in enumerate(lignes, start=1):
            ligne.devis = devis
            ligne.ordre = ligne.ordre or i
            ligne.save()
    return devis


# --- « Bon pour accord » by the client's link ----------------------------------------------------

logger = logging.getLogger(__name__)

# A drawn signature is a PNG data URL made by static/js/signature.js; a few tens of kB in
# practice, bounded so that the page cannot be used to store large blobs.
SIGNATURE_PREFIXE = "data:image/png;base64,"
SIGNATURE_TAILLE_MAX = 400_000


class LienInactif(RefusMetier):
    """The public link no longer takes an answer (answered, revised, cancelled, expired)."""


class DejaAccepte(LienInactif):
    pass


@dataclass(frozen=True)
class EtatLien:
    """What the client's link offers on a given day: ``ouvert`` or why it is closed."""

    code: str  # ouvert, accepte, refuse, remplace, annule, expire
    message: str = ""
    remplace_par: Devis | None = None

    @property
    def ouvert(self) -> bool:
        return self.code == "ouvert"


def _jour(d: date) -> str:
    return f"{d:%d/%m/%Y}"


def etat_lien(devis: Devis, *, le: date) -> EtatLien:
    """Whether the quote's public link still takes an answer on ``le``.

    It dies when the quote is answered (accepted or refused), revised (cancelled and replaced
    by a new version), cancelled, or past its validity (``date_validite < le``). A quote classed
    « sans suite » by the rule but still valid can be accepted: the answer is late, not void.
    """
    if devis.statut == StatutDevis.ACCEPTE:
        quand = f" le {_jour(devis.reponse_le)}" if devis.reponse_le else ""
        return EtatLien("accepte", f"Devis déjà accepté{quand} : merci pour votre confiance.")
    if devis.statut == StatutDevis.REFUSE:
        quand = f" le {_jour(devis.reponse_le)}" if devis.reponse_le else ""
        return EtatLien("refuse", f"Ce devis a été refusé{quand} : il ne peut plus être accepté.")
    if devis.statut == StatutDevis.ANNULE:
        nouveau = getattr(devis, "remplace_par", None)
        if nouveau is not None:
            return EtatLien(
                "remplace",
                f"Ce devis a été annulé et remplacé par une nouvelle version ({nouveau.reference}), "
                "qui vous est adressée par email avec son propre lien.",
                remplace_par=nouveau,
            )
        return EtatLien("annule", "Ce devis a été annulé : il ne peut plus être accepté.")
    if devis.statut not in (StatutDevis.ENVOYE, StatutDevis.SANS_SUITE):
        return EtatLien("annule", "Ce devis n'est pas disponible.")
    validite = devis.date_validite
    if validite is not None and validite < le:
        return EtatLien(
            "expire",
            f"Offre expirée : ce devis était valable jusqu'au {_jour(validite)}. "
            "Contactez-nous pour une nouvelle proposition.",
        )
    return EtatLien("ouvert")


def _verrouiller_ouvert(devis: Devis, *, le: date) -> Devis:
    """Lock the quote's row and check its link is still open (inside a transaction)."""
    devis = (
        # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer joins.
        Devis.objects.select_for_update(of=("self",))
        .select_related("organisation", "contact", "remplace")
        .get(pk=devis.pk)
    )
    etat = etat_lien(devis, le=le)
    if not etat.ouvert:
        raise (DejaAccepte if etat.code == "accepte" else LienInactif)(etat.message)
    return devis


def _jour_et_moment(le: date | datetime) -> tuple[date, datetime | None]:
    """The business date of ``le`` and, when ``le`` is a datetime, the exact moment."""
    if isinstance(le, datetime):
        moment = le if timezone.is_aware(le) else timezone.make_aware(le)
        return timezone.localtime(moment).date(), moment
    return le, None


def _nommer_derniere_version(devis: Devis, raison: str) -> None:
    """Give the quote's latest history record a reason (the caller holds the row lock)."""
    derniere = devis.history.order_by("-history_date", "-history_id").first()
    if derniere is not None:
        type(derniere).objects.filter(pk=derniere.pk).update(history_change_reason=raison[:100])


def verifier_signature(signature: str) -> str:
    """The drawn signature as stored: a PNG data URL of bounded size, or "" when none."""
    signature = (signature or "").strip()
    if not signature:
        return ""
    if len(signature) > SIGNATURE_TAILLE_MAX or not signature.startswith(SIGNATURE_PREFIXE):
        raise RefusMetier("La signature dessinée n'est pas lisible : effacez-la et recommencez.")
    try:
        png = base64.b64decode(signature[len(SIGNATURE_PREFIXE) :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise RefusMetier(
            "La signature dessinée n'est pas lisible : effacez-la et recommencez."
        ) from exc
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        raise RefusMetier("La signature dessinée n'est pas lisible : effacez-la et recommencez.")
    return signature


def tampon_acceptation(accord: Accord) -> dict:
    """The acceptance block printed on the stamped PDF (templates/pdf/devis.html)."""
    return {
        "le": timezone.localtime(accord.horodatage or accord.cree_le),
        "nom": accord.signataire_nom,
        "fonction": accord.signataire_fonction,
        "empreinte": accord.empreinte_pdf,
        # A data: URL (checked PNG, see verifier_signature): the only non-static resource the
        # PDF fetcher lets through, and it fetches nothing.
        "signature": accord.signature
        if (accord.signature or "").startswith("data:image/png;base64,")
        else "",
    }


def _emails_gerants() -> list[str]:
    from crm.digest import destinataires
    from crm.roles import est_gerant

    return [u.email for u in destinataires() if est_gerant(u)]


def _prevenir_gerants(nom: str, contexte: dict, *, motif: str, objet) -> None:
    """Tell the gérant(s) now; a failure is kept on the email's record and retried."""
    gerants = _emails_gerants()
    if not gerants:
        logger.warning("Aucun gérant avec une adresse email : « %s » non signalé.", motif)
        return
    try:
        emails.envoyer(nom, contexte, motif=motif, destinataires=gerants, objet=objet)
    except Exception:  # the client's answer is recorded whatever happens to the email
        logger.exception("Email « %s » au gérant non envoyé (devis %s).", motif, objet.pk)


def _contexte_gerant(devis: Devis, **extra) -> dict:
    return {
        "devis": devis,
        "contact": devis.contact,
        "lien_devis": settings.SITE_URL + devis.get_absolute_url(),
        **extra,
    }


def accepter_en_ligne(
    devis: Devis,
    *,
    nom: str,
    fonction: str,
    ip: str | None,
    navigateur: str,
    le: date | datetime,
    signature: str | None = None,
) -> Accord:
    """« Bon pour accord » given by the client on the quote's public page.

    Invariants: the PDF is rendered before the transaction and its exact bytes are kept as the
    agreement's document, with their SHA-256. In one transaction, the quote's row locked, the
    link is checked open (not answered, revised, cancelled or expired on ``le``), the answer is
    set by ``enregistrer_reponse`` (which stops the relance and « sans suite » rules) and the
    ``Accord`` (type « acceptation en ligne ») is created with who, when, IP and browser. The
    database holds one agreement per quote: a second acceptance, even at the same instant, gets
    ``DejaAccepte``. The revue de contrat is left to the gérant, before launch. After the commit,
    the gérant is emailed and the client gets a confirmation with the stamped PDF.

    ``le`` is the moment of acceptance (a datetime; a plain date is the business date only).
    """
    from devis.pdf import devis_pdf

    nom = " ".join((nom or "").split())[:150]
    fonction = " ".join((fonction or "").split())[:150]
    if not nom:
        raise RefusMetier("Indiquez votre nom pour accepter le devis.")
    if not fonction:
        raise RefusMetier("Indiquez votre fonction pour accepter le devis.")
    signature = verifier_signature(signature or "")
    jour, moment = _jour_et_moment(le)
    # Cheap check first: a dead link renders no PDF.
    etat = etat_lien(devis, le=jour)
    if not etat.ouvert:
        raise (DejaAccepte if etat.code == "accepte" else LienInactif)(etat.message)

    pdf = devis_pdf(devis)  # outside the transaction: rendering is slow and takes no lock
    empreinte = hashlib.sha256(pdf).hexdigest()

    with transaction.atomic():
        devis = _verrouiller_ouvert(devis, le=jour)
        enregistrer_reponse(
            devis,
            decision=Reponse.ACCEPTE,
            le=jour,
            commentaire=f"Accepté en ligne par {nom} ({fonction}).",
        )
        _nommer_derniere_version(devis, f"Acceptation en ligne par {nom} ({fonction})")
        accord = Accord(
            devis=devis,
            type=TypeAccord.ACCEPTATION_EN_LIGNE,
            recu_le=jour,
            signataire_nom=nom,
            signataire_fonction=fonction,
            ip=ip or None,
            navigateur=(navigateur or "")[:1000],
            empreinte_pdf=empreinte,
            horodatage=moment,
            signature=signature,
            document_nom=f"{devis.reference} - accepté en ligne.pdf",
        )
        accord._change_reason = "Acceptation en ligne par le lien client"
        try:
            with transaction.atomic():
                accord.document.save("accepte.pdf", ContentFile(pdf), save=False)
                accord.save()
        except IntegrityError as exc:
            if accord.document:
                accord.document.delete(save=False)
            raise DejaAccepte("Ce devis est déjà accepté.") from exc

    devis.refresh_from_db()
    _prevenir_gerants(
        "devis-accepte",
        _contexte_gerant(devis, accord=accord, moment=tampon_acceptation(accord)["le"]),
        motif="acceptation_en_ligne",
        objet=devis,
    )
    _confirmer_au_client(devis, accord)
    return accord


def _confirmer_au_client(devis: Devis, accord: Accord) -> None:
    """The client's confirmation, with the accepted PDF stamped (name, date, SHA-256)."""
    from devis.pdf import devis_pdf

    if not (devis.contact and devis.contact.email):
        return
    try:
        tampon = tampon_acceptation(accord)
        tamponne = devis_pdf(devis, acceptation=tampon)
        emails.envoyer(
            "devis-confirmation",
            {"devis": devis, "contact": devis.contact, "accord": accord, "moment": tampon["le"]},
            motif="confirmation_acceptation",
            destinataires=[devis.contact.email],
            objet=devis,
            pieces_jointes=[
                emails.PieceJointe(
                    nom=f"{devis.reference}-bon-pour-accord.pdf".replace(" ", "_"),
                    contenu=tamponne,
                )
            ],
        )
    except Exception:  # the agreement stands; the gérant sees the email's state on the quote
        logger.exception("Confirmation d'acceptation non envoyée (devis %s).", devis.pk)


def refuser_en_ligne(
    devis: Devis,
    *,
    le: date | datetime,
    motif_refus: MotifRefus | None = None,
    precision: str = "",
    nom: str = "",
) -> Devis:
    """The client declines the quote on its public page, with a reason (listed or typed).

    Same rules as a manual answer (``enregistrer_reponse``, row locked, link checked open); the
    quote's history says it came from the link, and the gérant is emailed after the commit.
    """
    precision = (precision or "").strip()[:2000]
    nom = " ".join((nom or "").split())[:150]
    if motif_refus is None and not precision:
        raise RefusMetier("Indiquez la raison de votre refus : choisissez un motif ou précisez-la.")
    jour, _ = _jour_et_moment(le)
    par_qui = f" par {nom}" if nom else ""
    with transaction.atomic():
        devis = _verrouiller_ouvert(devis, le=jour)
        devis = enregistrer_reponse(
            devis,
            decision=Reponse.REFUSE,
            le=jour,
            motif_refus=motif_refus,
            commentaire=f"Refusé en ligne{par_qui}." + (f"\n{precision}" if precision else ""),
        )
        raison = motif_refus.libelle if motif_refus else precision
        _nommer_derniere_version(devis, f"Refus en ligne{par_qui} : {raison}")
    _prevenir_gerants(
        "devis-refus",
        _contexte_gerant(devis, motif_refus=motif_refus, precision=precision, nom=nom),
        motif="refus_en_ligne",
        objet=devis,
    )
    return devis


def poser_question(
    devis: Devis,
    *,
    message: str,
    le: date | datetime,
    nom: str = "",
    ip: str | None = None,
    navigateur: str = "",
) -> QuestionClient:
    """A question from the client on the quote's open link, for the gérant.

    Kept as a ``QuestionClient`` and as a line of the quote's history; the gérant is emailed
    after the commit. A question is not an answer: the relance rules keep running (the gérant
    records « en discussion » if the exchange becomes one).
    """
    message = (message or "").strip()[:2000]
    nom = " ".join((nom or "").split())[:150]
    if not message:
        raise RefusMetier("Écrivez votre question.")
    jour, _ = _jour_et_moment(le)
    with transaction.atomic():
        devis = _verrouiller_ouvert(devis, le=jour)
        question = QuestionClient.objects.create(
            devis=devis,
            posee_le=jour,
            nom=nom,
            message=message,
            ip=ip or None,
            navigateur=(navigateur or "")[:1000],
        )
        extrait = message if len(message) <= 60 else message[:59] + "…"
        devis._change_reason = f"Question du client : « {extrait} »"
        devis.save(update_fields=["modifie_le"])
    _prevenir_gerants(
        "devis-question",
        _contexte_gerant(devis, question=question),
        motif="question_client",
        objet=devis,
    )
    return question
