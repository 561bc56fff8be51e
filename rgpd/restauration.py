"""A restore must not bring an erased person back: the erasures and anonymisations of the live
RGPD log are read before the backup replaces the database, and replayed after on every person
or prospect the backup still holds unerased."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from crm.models import Contact, Organisation
from rgpd.models import ActionRGPD, JournalRGPD

_A_REJOUER = (
    (ActionRGPD.EFFACEMENT, Contact),
    (ActionRGPD.ANONYMISATION, Organisation),
)


def preparer_rejeu(sender=None, **kwargs) -> Callable[[], list[str]]:
    """Receiver of ``crm.signaux.avant_restauration``."""
    faits = [
        (action, modele, pk, le)
        for action, modele in _A_REJOUER
        for pk, le in JournalRGPD.objects.filter(
            action=action, cible_type=modele._meta.label
        ).values_list("cible_id", "le")
    ]

    def rejouer() -> list[str]:
        from rgpd.services import anonymiser_organisation, effacer_contact

        rejoues = []
        for action, modele, pk, le in faits:
            deja = JournalRGPD.objects.filter(
                action=action, cible_type=modele._meta.label, cible_id=pk
            ).exists()
            objet = modele.objects.filter(pk=pk).first()
            if deja or objet is None:
                continue
            jour = timezone.localtime(le).date()
            if isinstance(objet, Contact):  # ActionRGPD.EFFACEMENT
                effacer_contact(objet, le=jour)
            elif isinstance(objet, Organisation):  # ActionRGPD.ANONYMISATION
                anonymiser_organisation(objet, le=jour)
            rejoues.append(f"{modele._meta.label} {pk}")
        return rejoues

    return rejouer
