"""The complaints' part of a person's data: the complaints they made and their actions."""

from __future__ import annotations

from django.db.models import Q

from crm.effacement import Mentions, derniere_date, emails_lies, nettoyer, nettoyer_emails
from crm.extensions import DonneesPersonnelles, donnees_personnelles
from reclamations.models import Action, Reclamation


def exporter(contact) -> dict:
    return {
        "reclamations": [
            {
                "numero": r.numero,
                "recue_le": r.recue_le.isoformat(),
                "description": r.description,
                "statut": r.get_statut_display(),
            }
            for r in Reclamation.objects.filter(contact=contact).order_by("recue_le", "pk")
        ]
    }


def effacer(contact, *, mentions: Mentions, remplacement: str, le) -> None:
    """Complaints are ISO 9001 §10.2 records: they stay, their texts (and those of their
    actions, and their history) without any mention of the person."""
    pks = nettoyer(
        Reclamation.objects.filter(Q(contact=contact) | Q(organisation_id=contact.organisation_id)),
        mentions=mentions,
        remplacement=remplacement,
    )
    nettoyer(
        Action.objects.filter(reclamation__in=pks), mentions=mentions, remplacement=remplacement
    )
    nettoyer_emails(
        emails_lies(Reclamation, pks),
        mentions=mentions,
        remplacement=remplacement,
        raison="Effacement RGPD",
    )


donnees_personnelles.ajouter(
    DonneesPersonnelles(
        cle="reclamations",
        titre="Réclamations",
        exporter=exporter,
        effacer=effacer,
        derniere_activite=lambda: [derniere_date(Reclamation, "recue_le")],
        ordre=30,
    )
)
