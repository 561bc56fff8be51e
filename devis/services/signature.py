"""The client's drawn signature on an online acceptance: what is kept of it, and the acceptance
stamp printed on the accepted PDF."""

from __future__ import annotations

import base64
import binascii

from django.utils import timezone

from crm.exceptions import RefusMetier
from devis.models import Accord

# A drawn signature is a PNG data URL made by static/js/signature.js; a few tens of kB in
# practice, bounded so that the page cannot be used to store large blobs.
SIGNATURE_PREFIXE = "data:image/png;base64,"
SIGNATURE_TAILLE_MAX = 400_000


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
