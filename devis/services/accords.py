"""From the client's agreement to the mission (PROC-020 §3.5): recording the agreement (order
form, validation email, signed quote), the revue de contrat, and launching the mission."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.files import File
from django.db import IntegrityError, transaction

from crm.exceptions import RefusMetier
from crm.extensions import Utilisateur
from crm.models import Mission, StatutMission
from devis.models import Accord, Devis, Reponse, StatutDevis
from devis.services.suivi import enregistrer_reponse


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
    par: Utilisateur | None = None,
    document: File[Any] | None = None,
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


def faire_revue_contrat(
    accord: Accord, revue: RevueContrat, *, le: date, par: Utilisateur | None = None
) -> Accord:
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
    devis: Devis,
    *,
    debut: date,
    fin: date | None = None,
    consultants: Iterable[Utilisateur] = (),
    par: Utilisateur | None = None,
    notes: str = "",
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
