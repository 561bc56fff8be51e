"""Writes on quotes (PROC-020 §3.3–3.5). Each service owns its transaction; emails and PDFs are
produced after the transaction commits, never inside it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

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
from devis.models import (
    Accord,
    Devis,
    LigneDevis,
    ModeleDevis,
    ModeRelance,
    MotifRefus,
    Relance,
    Reponse,
    StatutDevis,
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
        devis.relance_due_le = ajouter_jours_ouvres(le, settings.CRM_RELANCE_JOURS_OUVRES)
        devis.sans_suite_le = ajouter_mois(le, settings.CRM_SANS_SUITE_MOIS)
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


def devis_par_jeton(jeton_clair: str) -> Devis | None:
    return (
        Devis.objects.select_related("organisation", "contact")
        .filter(jeton_empreinte=jetons.empreinte(jeton_clair))
        .first()
    )


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
