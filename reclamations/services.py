"""Complaints through their six phases (course section C): recueil → enregistrement →
résolution → clôture → suivi → exploitation. Each transition is one service that checks the
order of the phases and owns its transaction; emails go out after the commit."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction

from crm import emails
from crm.calendrier import ajouter_jours_ouvrables, ajouter_jours_ouvres
from crm.exceptions import RefusMetier
from crm.historique import motiver
from crm.models import StatutEmail
from crm.numerotation import prochain_numero
from reclamations.models import (
    Action,
    ModeAccuse,
    Reclamation,
    StatutAction,
    StatutReclamation,
)


def echeances(recue_le: date) -> tuple[date, date]:
    """(acknowledge by, answer by): 2 jours ouvrés and 5 jours ouvrables by default."""
    return (
        ajouter_jours_ouvres(recue_le, settings.CRM_RECLAMATION_ACCUSE_JOURS_OUVRES),
        ajouter_jours_ouvrables(recue_le, settings.CRM_RECLAMATION_REPONSE_JOURS_OUVRABLES),
    )


def enregistrer_reclamation(
    *, organisation, recue_le: date, description: str, contact=None, par=None, **champs
) -> Reclamation:
    """Record a complaint: gap-free number REC-AAAA-NNNN (year of ``recue_le``), both deadlines."""
    if not description or not description.strip():
        raise RefusMetier("Décrivez la réclamation.")
    accuse_du_le, reponse_due_le = echeances(recue_le)
    with transaction.atomic():
        reclamation = Reclamation(
            numero=prochain_numero("REC", recue_le.year),
            organisation=organisation,
            contact=contact,
            recue_le=recue_le,
            description=description.strip(),
            accuse_du_le=accuse_du_le,
            reponse_due_le=reponse_due_le,
            recue_par=par if getattr(par, "pk", None) else None,
            **champs,
        )
        reclamation.full_clean(exclude=["numero", "nature"])
        reclamation.save()
    return reclamation


def _verrouiller(reclamation: Reclamation) -> Reclamation:
    return Reclamation.objects.select_for_update().get(pk=reclamation.pk)


def accuser_reception(
    reclamation: Reclamation, *, le: date, mode: str = ModeAccuse.EMAIL, par=None
) -> Reclamation:
    """Phase 2: acknowledge, by the app's email (stating the answer deadline) or by phone."""
    with transaction.atomic():
        r = _verrouiller(reclamation)
        if r.accuse_le is not None:
            raise RefusMetier(f"L'accusé de réception a déjà été donné le {r.accuse_le:%d/%m/%Y}.")
        if le < r.recue_le:
            raise RefusMetier("L'accusé de réception ne peut pas précéder la réclamation.")
        if mode == ModeAccuse.EMAIL and not (r.contact and r.contact.email):
            raise RefusMetier(
                "Le contact n'a pas d'adresse email : accusez réception par téléphone."
            )
        r.accuse_le = le
        r.accuse_mode = mode
        r.statut = StatutReclamation.ACCUSEE
        motiver(r, "Accusé de réception")
        r.save()
    if mode == ModeAccuse.EMAIL:
        # The contact's address was checked before the phase was recorded, above.
        assert r.contact is not None
        envoi = emails.envoyer(
            "reclamation-accuse",
            {"reclamation": r, "contact": r.contact},
            motif="reclamation_accuse",
            destinataires=[r.contact.email],
            objet=r,
            par=par,
        )
        if envoi.statut != StatutEmail.ENVOYE:
            emails.abandonner(envoi, "Accusé de réception non envoyé.")
            with transaction.atomic():
                r2 = _verrouiller(r)
                r2.accuse_le = None
                r2.accuse_mode = ""
                r2.statut = StatutReclamation.RECUE
                motiver(r2, "Échec de l'email d'accusé de réception")
                r2.save()
            raise RefusMetier(f"L'email d'accusé de réception n'a pas pu partir ({envoi.erreur}).")
    return r


def qualifier(reclamation: Reclamation, *, par=None, **champs) -> Reclamation:
    """Phase 3 (enregistrement): nature, severity, founded or not, analysis of the cause."""
    permis = {"nature", "gravite", "fondee", "analyse", "responsable", "mission", "devis"}
    inconnus = set(champs) - permis
    if inconnus:
        raise RefusMetier(f"Champs non modifiables ici : {', '.join(sorted(inconnus))}.")
    with transaction.atomic():
        r = _verrouiller(reclamation)
        if r.statut == StatutReclamation.CLOSE:
            raise RefusMetier("Cette réclamation est close : rouvrez-la pour la modifier.")
        for k, v in champs.items():
            setattr(r, k, v)
        if r.statut == StatutReclamation.ACCUSEE:
            r.statut = StatutReclamation.EN_TRAITEMENT
        r.save()
    return r


def repondre(
    reclamation: Reclamation,
    *,
    le: date,
    reponse: str,
    compensation: str = "aucune",
    montant_compensation=None,
    envoyer_email: bool = True,
    par=None,
) -> Reclamation:
    """Phase 4 (résolution): the answer to the client, with any compensation."""
    if not reponse.strip():
        raise RefusMetier("Rédigez la réponse faite au client.")
    with transaction.atomic():
        r = _verrouiller(reclamation)
        if r.accuse_le is None:
            raise RefusMetier("Accusez d'abord réception de la réclamation (phase 2).")
        if r.repondue_le is not None:
            raise RefusMetier(f"Une réponse a déjà été donnée le {r.repondue_le:%d/%m/%Y}.")
        if le < r.accuse_le:
            raise RefusMetier("La réponse ne peut pas précéder l'accusé de réception.")
        if (
            compensation != "aucune"
            and montant_compensation is None
            and compensation != "prestation_supplementaire"
        ):
            raise RefusMetier("Indiquez le montant de la compensation.")
        if envoyer_email and not (r.contact and r.contact.email):
            raise RefusMetier(
                "Le contact n'a pas d'adresse email : notez une réponse donnée par téléphone."
            )
        r.reponse = reponse.strip()
        r.repondue_le = le
        r.compensation = compensation
        r.montant_compensation = montant_compensation
        r.statut = StatutReclamation.REPONDUE
        motiver(r, "Réponse au client")
        r.save()
    if envoyer_email:
        # The contact's address was checked before the phase was recorded, above.
        assert r.contact is not None
        envoi = emails.envoyer(
            "reclamation-reponse",
            {"reclamation": r, "contact": r.contact},
            motif="reclamation_reponse",
            destinataires=[r.contact.email],
            objet=r,
            par=par,
        )
        if envoi.statut != StatutEmail.ENVOYE:
            emails.abandonner(envoi, "Réponse non envoyée.")
            with transaction.atomic():
                r2 = _verrouiller(r)
                r2.repondue_le = None
                r2.statut = StatutReclamation.EN_TRAITEMENT
                motiver(r2, "Échec de l'email de réponse")
                r2.save()
            raise RefusMetier(f"L'email de réponse n'a pas pu partir ({envoi.erreur}).")
    return r


def clore(
    reclamation: Reclamation, *, le: date, client_satisfait: bool, verification: str, par=None
) -> Reclamation:
    """Phase 5 (clôture): only once answered; is the client satisfied again, and how we know."""
    with transaction.atomic():
        r = _verrouiller(reclamation)
        if r.repondue_le is None:
            raise RefusMetier("Une réclamation ne se clôt qu'une fois la réponse donnée au client.")
        if r.statut == StatutReclamation.CLOSE:
            raise RefusMetier("Cette réclamation est déjà close.")
        if le < r.repondue_le:
            raise RefusMetier("La clôture ne peut pas précéder la réponse.")
        r.close_le = le
        r.client_satisfait = client_satisfait
        r.verification_satisfaction = verification
        r.statut = StatutReclamation.CLOSE
        motiver(r, "Clôture")
        r.save()
    return r


def rouvrir(reclamation: Reclamation, *, raison: str, par) -> Reclamation:
    """The gérant only, with a reason kept in the history."""
    from crm.roles import est_gerant

    if not est_gerant(par):
        raise RefusMetier("Seul le gérant peut rouvrir une réclamation close.")
    if not raison.strip():
        raise RefusMetier("Indiquez la raison de la réouverture.")
    with transaction.atomic():
        r = _verrouiller(reclamation)
        if r.statut != StatutReclamation.CLOSE:
            raise RefusMetier("Seule une réclamation close peut être rouverte.")
        r.statut = StatutReclamation.REPONDUE
        r.close_le = None
        r.client_satisfait = None
        motiver(r, f"Réouverture : {raison.strip()}", par=par)
        r.save()
    return r


def creer_action(
    *,
    description: str,
    echeance: date,
    type: str = "corrective",
    reclamation=None,
    responsable=None,
) -> Action:
    if not description or not description.strip():
        raise RefusMetier("Décrivez l'action.")
    return Action.objects.create(
        description=description,
        echeance=echeance,
        type=type,
        reclamation=reclamation,
        responsable=responsable,
    )


def suivre_action(
    action: Action,
    *,
    le: date,
    statut: str,
    realisee_le: date | None = None,
    efficacite_verifiee: bool | None = None,
    efficacite_commentaire: str = "",
    par=None,
) -> Action:
    """Follow an action up (ISO 9001 §10.2): its status, then the check of its effectiveness.

    Invariants: an action is « faite » with a realisation date (``le`` by default), never in
    the future of ``le``; its effectiveness is checked only once it is done, and a check says
    how it was made; ``verifiee_le`` is the day the check was recorded.
    """
    if statut not in StatutAction.values:
        raise RefusMetier("Statut d'action inconnu.")
    commentaire = (efficacite_commentaire or "").strip()
    with transaction.atomic():
        a = Action.objects.select_for_update().get(pk=action.pk)
        if statut == StatutAction.FAITE:
            realisee_le = realisee_le or a.realisee_le or le
            if realisee_le > le:
                raise RefusMetier("La date de réalisation ne peut pas être dans le futur.")
            if a.reclamation is not None and realisee_le < a.reclamation.recue_le:
                raise RefusMetier("L'action ne peut pas précéder la réclamation.")
        else:
            if efficacite_verifiee is not None:
                raise RefusMetier(
                    "L'efficacité d'une action se vérifie une fois l'action réalisée."
                )
            realisee_le = None
        if efficacite_verifiee is not None and not commentaire:
            raise RefusMetier("Indiquez comment l'efficacité a été vérifiée.")
        changement_verif = (
            efficacite_verifiee != a.efficacite_verifiee or commentaire != a.efficacite_commentaire
        )
        a.statut = statut
        a.realisee_le = realisee_le
        a.efficacite_verifiee = efficacite_verifiee
        a.efficacite_commentaire = commentaire
        if efficacite_verifiee is None:
            a.verifiee_le = None
        elif changement_verif or a.verifiee_le is None:
            a.verifiee_le = le
        motiver(a, "Suivi de l'action", par=par)
        a.save(
            update_fields=[
                "statut",
                "realisee_le",
                "efficacite_verifiee",
                "efficacite_commentaire",
                "verifiee_le",
                "modifie_le",
            ]
        )
    return a
