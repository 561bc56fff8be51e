"""The client's drawn signature on an online acceptance: what is kept of it, and the acceptance
stamp printed on the accepted PDF."""

from __future__ import annotations

import base64
import binascii
import io
import threading
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import timezone
from PIL import Image

from crm.exceptions import RefusMetier
from devis.models import Accord

# A drawn signature is a PNG data URL made by static/js/signature.js (a canvas of at most
# 1 200 × 320 pixels); a few tens of kB in practice, bounded so that the page cannot be used to
# store large blobs.
SIGNATURE_PREFIXE = "data:image/png;base64,"
SIGNATURE_TAILLE_MAX = 400_000
# Width and height in pixels: static/js/signature.js caps its canvas to the same width. A PNG
# declaring more is refused before its pixels are decoded (a 20 kB PNG can declare 12 000 ×
# 12 000 pixels, and each render of the stamped PDF would then decode 576 MB).
SIGNATURE_LARGEUR_MAX = 1200
SIGNATURE_HAUTEUR_MAX = 400

ILLISIBLE = "La signature dessinée n'est pas lisible : effacez-la et recommencez."

# Image.MAX_IMAGE_PIXELS is Pillow's global: lowered only while a signature is decoded, one
# decode at a time, then put back.
_decodage = threading.Lock()


@contextmanager
def _pixels_bornes(pixels: int) -> Iterator[None]:
    with _decodage, warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        avant = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = min(pixels, avant or pixels)
        try:
            yield
        finally:
            Image.MAX_IMAGE_PIXELS = avant


def _trop_grande(detail: str = "") -> RefusMetier:
    return RefusMetier(
        f"La signature dessinée est trop grande{detail} : au plus "
        f"{SIGNATURE_LARGEUR_MAX} × {SIGNATURE_HAUTEUR_MAX} pixels. Effacez-la et recommencez."
    )


def _reencoder(png: bytes) -> bytes:
    """Decode the PNG with Pillow (dimensions checked before the pixels) and write a fresh,
    optimised RGBA PNG: only pixels Pillow re-wrote are kept (no text or other chunk)."""
    try:
        with (
            _pixels_bornes(SIGNATURE_LARGEUR_MAX * SIGNATURE_HAUTEUR_MAX),
            Image.open(io.BytesIO(png), formats=["PNG"]) as image,
        ):
            largeur, hauteur = image.size
            if largeur > SIGNATURE_LARGEUR_MAX or hauteur > SIGNATURE_HAUTEUR_MAX:
                raise _trop_grande(f" ({largeur} × {hauteur} pixels)")
            image.load()
            propre = image.convert("RGBA")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _trop_grande() from exc
    except (OSError, SyntaxError, ValueError, EOFError, zlib.error) as exc:
        # UnidentifiedImageError is an OSError; truncated or corrupt data raise the others.
        raise RefusMetier(ILLISIBLE) from exc
    sortie = io.BytesIO()
    propre.save(sortie, format="PNG", optimize=True)
    return sortie.getvalue()


def verifier_signature(signature: str) -> str:
    """The drawn signature as stored: a PNG data URL of bounded size, or "" when none.

    The PNG is decoded (at most ``SIGNATURE_LARGEUR_MAX`` × ``SIGNATURE_HAUTEUR_MAX`` pixels,
    refused otherwise with the reason) and re-encoded: what is returned is Pillow's own PNG,
    never the bytes received.
    """
    signature = (signature or "").strip()
    if not signature:
        return ""
    if len(signature) > SIGNATURE_TAILLE_MAX or not signature.startswith(SIGNATURE_PREFIXE):
        raise RefusMetier(ILLISIBLE)
    try:
        png = base64.b64decode(signature[len(SIGNATURE_PREFIXE) :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise RefusMetier(ILLISIBLE) from exc
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        raise RefusMetier(ILLISIBLE)
    propre = SIGNATURE_PREFIXE + base64.b64encode(_reencoder(png)).decode()
    if len(propre) > SIGNATURE_TAILLE_MAX:
        raise RefusMetier(ILLISIBLE)
    return propre


def tampon_acceptation(accord: Accord) -> dict[str, Any]:
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
