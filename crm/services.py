"""Writes of the core: requests (J0), feasibility decisions, organisations and interactions."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction

from crm.exceptions import RefusMetier
from crm.historique import motiver
from crm.models import (
    Decision,
    Demande,
    RevueFaisabilite,
    StatutDemande,
    StatutMission,
    SuiteNoGo,
    Tache,
)


def decider_faisabilite(
    demande: Demande,
    *,
    le: date,
    competence: bool,
    disponibilite: bool,
    independance: bool,
    decision: str,
    par=None,
    suite: str = "",
    partenaire: str = "",
    motif: str = "",
    competence_commentaire: str = "",
    disponibilite_commentaire: str = "",
    independance_commentaire: str = "",
) -> RevueFaisabilite:
    """Record the feasibility review (ISO 9001 §8.2.3) and move the request to its outcome.

    One review per request (database one-to-one). Go needs yes to the three questions; No Go
    declines or refers to a named partner.
    """
    if decision == Decision.GO and not (competence and disponibilite and independance):
        raise RefusMetier(
            "Un Go suppose un « oui » à la compétence, la disponibilité et l'indépendance."
        )
    if decision == Decision.NO_GO and suite not in SuiteNoGo.values:
        raise RefusMetier("Pour un No Go, indiquez si la demande est déclinée ou réorientée.")
    if suite == SuiteNoGo.REORIENTER and not partenaire.strip():
        raise RefusMetier("Nommez le partenaire vers qui la demande est réorientée.")
    if demande.statut not in (StatutDemande.NOUVELLE, StatutDemande.QUALIFIEE):
        raise RefusMetier("La décision de faisabilité de cette demande est déjà prise.")
    try:
        with transaction.atomic():
            revue = RevueFaisabilite.objects.create(
                demande=demande,
                competence=competence,
                competence_commentaire=competence_commentaire,
                disponibilite=disponibilite,
                disponibilite_commentaire=disponibilite_commentaire,
                independance=independance,
                independance_commentaire=independance_commentaire,
                decision=decision,
                suite=suite if decision == Decision.NO_GO else "",
                partenaire=partenaire.strip(),
                motif=motif,
                decidee_le=le,
                par=par if getattr(par, "pk", None) else None,
            )
            d = Demande.objects.select_for_update().get(pk=demande.pk)
            if decision == Decision.GO:
                d.statut = StatutDemande.GO
            else:
                d.statut = (
                    StatutDemande.DECLINEE
                    if suite == SuiteNoGo.DECLINER
                    else StatutDemande.REORIENTEE
                )
            d.qualifiee_le = d.qualifiee_le or le
            motiver(d, f"Revue de faisabilité : {revue.get_decision_display()}")
            d.save()
    except IntegrityError as exc:
        raise RefusMetier("La revue de faisabilité de cette demande est déjà enregistrée.") from exc
    demande.refresh_from_db()
    return revue


def qualifier_demande(demande: Demande, *, le: date, par=None) -> Demande:
    """J0 done: the need is understood (context, data collected)."""
    with transaction.atomic():
        d = Demande.objects.select_for_update().get(pk=demande.pk)
        if d.statut != StatutDemande.NOUVELLE:
            raise RefusMetier("Cette demande est déjà qualifiée.")
        d.statut = StatutDemande.QUALIFIEE
        d.qualifiee_le = le
        motiver(d, "Demande qualifiée")
        d.save()
    return d


def enregistrer_demande(
    *,
    recue_le: date,
    canal: str,
    contexte: str,
    type_prestation: str,
    description: str,
    organisation=None,
    nouvelle_organisation: str = "",
    source: str = "",
    contact=None,
    nouveau_contact: dict | None = None,
    par=None,
    fichier=None,
    **champs,
) -> Demande:
    """J0 (PROC-020 §3.1): the request, with its organisation and contact created if new."""
    from crm.models import Contact, Organisation

    with transaction.atomic():
        if organisation is None:
            if not nouvelle_organisation.strip():
                raise RefusMetier("Choisissez une organisation ou saisissez-en une nouvelle.")
            organisation = Organisation.objects.create(
                raison_sociale=nouvelle_organisation.strip(),
                source=source or "autre",
                responsable=par if getattr(par, "pk", None) else None,
            )
        if contact is None and nouveau_contact and nouveau_contact.get("nom", "").strip():
            contact = Contact.objects.create(organisation=organisation, **nouveau_contact)
        demande = Demande(
            organisation=organisation,
            contact=contact,
            recue_le=recue_le,
            canal=canal,
            contexte=contexte,
            type_prestation=type_prestation,
            description=description,
            responsable=par if getattr(par, "pk", None) else None,
            **champs,
        )
        if fichier is not None:
            demande.fiche_de_poste = fichier
            demande.fiche_de_poste_nom = fichier.name[:255]
        demande.save()
    return demande


TRANSITIONS_MISSION = {
    StatutMission.PLANIFIEE: {StatutMission.EN_COURS, StatutMission.ANNULEE},
    StatutMission.EN_COURS: {StatutMission.TERMINEE, StatutMission.ANNULEE},
    StatutMission.TERMINEE: set(),
    StatutMission.ANNULEE: set(),
}


def changer_statut_mission(mission, *, statut: str, le: date, par=None):
    """Planned → in progress → finished (or cancelled). Finishing sets the end date if missing;
    a finished mission is what the survey and debrief rules look at."""
    from crm.models import Mission

    with transaction.atomic():
        m = Mission.objects.select_for_update().get(pk=mission.pk)
        if statut not in TRANSITIONS_MISSION.get(StatutMission(m.statut), set()):
            raise RefusMetier(
                f"Une mission « {m.get_statut_display().lower()} » ne peut pas passer à ce statut."
            )
        m.statut = statut
        if statut == StatutMission.TERMINEE and (m.fin is None or m.fin > le):
            m.fin = max(le, m.debut)
        motiver(m, f"Mission {m.get_statut_display().lower()}")
        m.save()
    return m


# --- Tasks (DESIGN §10) ------------------------------------------------------------------------


def creer_tache(
    *,
    titre: str,
    echeance: date,
    responsable,
    objet=None,
    par=None,
    rendez_vous: bool = False,
) -> Tache:
    """A dated next step for ``responsable``, linked to ``objet`` when given.

    ``objet`` must be of a model registered as a task target (``crm.extensions.CibleTache``):
    anything else is refused, so every linked task is one the visibility rule knows how to
    filter. A due date in the past is accepted (a promise noted late): the task is then overdue
    at once. Rights on ``objet`` are the caller's check (the views find it through the target's
    ``visibles(user)``).
    """
    from crm.selectors import cible_de

    titre = (titre or "").strip()
    if not titre:
        raise RefusMetier("Donnez un titre à la tâche.")
    if echeance is None:
        raise RefusMetier("Indiquez la date de la tâche.")
    if responsable is None:
        raise RefusMetier("Indiquez qui fait la tâche.")
    if objet is not None and cible_de(type(objet)) is None:
        raise RefusMetier("Une tâche ne peut pas être liée à ce type d'objet.")
    tache = Tache(
        titre=titre[:200],
        echeance=echeance,
        responsable=responsable,
        rendez_vous=rendez_vous,
        objet=objet,
        creee_par=par if getattr(par, "pk", None) else None,
    )
    motiver(tache, "Tâche créée")
    tache.save()
    return tache


def terminer_tache(tache: Tache, *, le: date, par=None) -> Tache:
    """Mark the task done on ``le`` (once: a second click changes nothing).

    A meeting booked with an organisation becomes, once done, the meeting the key-client rule
    counts: an interaction « Rendez-vous » dated the day it was due (or ``le`` if done early).
    """
    from crm.models import Interaction, Organisation, TypeInteraction

    with transaction.atomic():
        t = Tache.objects.select_for_update().get(pk=tache.pk)
        if t.faite_le is not None:
            return t
        t.faite_le = le
        motiver(t, "Tâche faite")
        t.save(update_fields=["faite_le", "modifie_le"])
        if t.rendez_vous and isinstance(t.objet, Organisation):
            Interaction.objects.create(
                organisation=t.objet,
                type=TypeInteraction.REUNION,
                date=min(t.echeance, le),
                auteur=par if getattr(par, "pk", None) else t.responsable,
                resume=t.titre,
            )
    return t
