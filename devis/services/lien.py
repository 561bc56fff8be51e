"""The client's link to a sent quote: its token, the quote it opens, whether it still takes an
answer on a given day (answered, revised, cancelled or expired links are closed), how long it
can still be read, and a new key when the quote it opens is cancelled or replaced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.urls import reverse

from crm import jetons, public
from crm.exceptions import RefusMetier
from devis.models import Devis, StatutDevis

USAGE_JETON = "devis-acceptation"


def lien_acceptation(devis: Devis) -> str:
    """Public path where the client reads and accepts a sent devis (ends with the token)."""
    if not devis.jeton_nonce:
        raise RefusMetier("Ce devis n'a pas encore été envoyé : il n'a pas de lien client.")
    return reverse("devis:public", args=[jetons.jeton(USAGE_JETON, devis.jeton_nonce)])


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
    return le > validite + timedelta(days=int(settings.CRM_DEVIS_LIEN_CONSULTATION_JOURS))


def renouveler_lien(devis: Devis) -> None:
    """Give a quote that has a link a new one (the caller saves the row).

    Called when the quote is cancelled or replaced by a new version: the link the client
    received stops opening anything (it answers « lien introuvable »), so a copy kept in a
    mailbox no longer shows the cancelled offer. The gérant's page still gives the current
    link. A quote without a link (a draft never sent) keeps none.
    """
    if not devis.jeton_nonce:
        return
    devis.nouveau_nonce()
    devis.jeton_empreinte = jetons.empreinte(jetons.jeton(USAGE_JETON, devis.jeton_nonce))


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


def verifier_ouvert(devis: Devis, *, le: date) -> None:
    """Raise ``DejaAccepte`` or ``LienInactif`` (with the client's message) unless the quote's
    link takes an answer on ``le``."""
    etat = etat_lien(devis, le=le)
    if not etat.ouvert:
        raise (DejaAccepte if etat.code == "accepte" else LienInactif)(etat.message)


def verrouiller_ouvert(devis: Devis, *, le: date) -> Devis:
    """Lock the quote's row and check its link is still open (inside a transaction)."""
    devis = (
        # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer joins.
        Devis.objects.select_for_update(of=("self",))
        .select_related("organisation", "contact", "remplace")
        .get(pk=devis.pk)
    )
    verifier_ouvert(devis, le=le)
    return devis
