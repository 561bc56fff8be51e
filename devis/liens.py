"""The life of a quote's client link beyond its answer: how long it can be read, and a new
key when the quote it opens is cancelled or replaced."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings

from crm import jetons, public
from devis.models import Devis


def devis_par_jeton(jeton_clair: str) -> Devis | None:
    """The quote this client link opens, or None (crm.public's constant-time lookup)."""
    return public.objet_par_jeton(
        Devis.objects.select_related("organisation", "contact"), jeton_clair
    )


def consultation_expiree(devis: Devis, *, le: date) -> bool:
    """Whether the link can no longer even be read on ``le``: more than
    ``CRM_DEVIS_LIEN_CONSULTATION_JOURS`` days after the offer's validity date.

    Until then a client can reread the quote and download its PDF (stamped once accepted),
    whatever its state; after it, a forwarded or leaked email shows nothing.
    """
    validite = devis.date_validite
    if validite is None:
        return False
    return le > validite + timedelta(days=settings.CRM_DEVIS_LIEN_CONSULTATION_JOURS)


def renouveler_lien(devis: Devis) -> None:
    """Give a quote that has a link a new one (the caller saves the row).

    Called when the quote is cancelled or replaced by a new version: the link the client
    received stops opening anything (it answers « lien introuvable »), so a copy kept in a
    mailbox no longer shows the cancelled offer. The gérant's page still gives the current
    link. A quote without a link (a draft never sent) keeps none.
    """
    if not devis.jeton_nonce:
        return
    from devis.services import USAGE_JETON  # devis.services calls this module

    devis.nouveau_nonce()
    devis.jeton_empreinte = jetons.empreinte(jetons.jeton(USAGE_JETON, devis.jeton_nonce))
