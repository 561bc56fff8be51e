"""The drawn signature of an online acceptance is kept only as a PNG Pillow re-wrote, of bounded
size (security issue, item 2: a 23 kB PNG declaring 12 000 × 12 000 pixels was accepted, and
each render of the stamped PDF then took about 400 MB)."""

from __future__ import annotations

import base64
import io
import time
from datetime import date

import pytest
from PIL import Image, PngImagePlugin

from crm.exceptions import RefusMetier
from devis.models import Accord
from devis.services import accepter_en_ligne, verifier_signature
from devis.services.signature import SIGNATURE_HAUTEUR_MAX, SIGNATURE_LARGEUR_MAX
from tests.factories import devis_envoye

PREFIXE = "data:image/png;base64,"


def _png(image: Image.Image, **options) -> bytes:
    sortie = io.BytesIO()
    image.save(sortie, format="PNG", **options)
    return sortie.getvalue()


def _url(png: bytes) -> str:
    return PREFIXE + base64.b64encode(png).decode()


def _image(url: str) -> Image.Image:
    image = Image.open(io.BytesIO(base64.b64decode(url[len(PREFIXE) :])))
    image.load()
    return image


def _bombe() -> bytes:
    """A valid 1-bit PNG of 12 000 × 12 000 pixels: about 20 kB on the wire."""
    return _png(Image.new("1", (12_000, 12_000)), optimize=True)


def _trait(largeur: int = 600, hauteur: int = 160) -> Image.Image:
    """A stroke on a transparent canvas, as static/js/signature.js draws one."""
    image = Image.new("RGBA", (largeur, hauteur), (0, 0, 0, 0))
    for x in range(20, largeur - 20):
        image.putpixel((x, hauteur // 2 + (x % 7)), (31, 58, 95, 255))
    return image


def test_bomb_png_is_refused_quickly_with_a_french_message():
    bombe = _bombe()
    assert len(bombe) < 60_000
    debut = time.monotonic()
    with pytest.raises(RefusMetier) as exc:
        verifier_signature(_url(bombe))
    assert time.monotonic() - debut < 2
    assert "trop grande" in exc.value.message
    assert f"{SIGNATURE_LARGEUR_MAX} × {SIGNATURE_HAUTEUR_MAX}" in exc.value.message


def test_signature_wider_than_the_bound_is_refused():
    with pytest.raises(RefusMetier, match="trop grande"):
        verifier_signature(_url(_png(_trait(SIGNATURE_LARGEUR_MAX + 1, 100))))


@pytest.mark.django_db
def test_bomb_signature_on_acceptance_stores_nothing():
    devis = devis_envoye(date(2026, 3, 2))
    with pytest.raises(RefusMetier, match="trop grande"):
        accepter_en_ligne(
            devis,
            nom="Claire Dupont",
            fonction="DRH",
            ip="203.0.113.7",
            navigateur="test",
            le=date(2026, 3, 3),
            signature=_url(_bombe()),
        )
    devis.refresh_from_db()
    assert devis.statut == "envoye"
    assert not Accord.objects.filter(devis=devis).exists()


def test_normal_signature_is_stored_re_encoded_with_its_dimensions():
    trait = _trait()
    recue = _url(_png(trait.convert("RGB")))  # an opaque PNG: re-encoded as RGBA
    gardee = verifier_signature(recue)
    assert gardee.startswith(PREFIXE)
    assert gardee != recue
    image = _image(gardee)
    assert image.format == "PNG" and image.mode == "RGBA"
    assert image.size == trait.size


def test_text_chunks_do_not_survive_the_re_encoding():
    infos = PngImagePlugin.PngInfo()
    infos.add_text("Comment", "<script>alert(1)</script>")
    recue = _png(_trait(), pnginfo=infos)
    assert b"tEXt" in recue
    gardee = base64.b64decode(verifier_signature(_url(recue))[len(PREFIXE) :])
    assert b"tEXt" not in gardee and b"<script>" not in gardee
    assert "Comment" not in _image(_url(gardee)).info


def test_signature_that_is_not_a_png_is_refused():
    jpeg = io.BytesIO()
    _trait().convert("RGB").save(jpeg, format="JPEG")
    with pytest.raises(RefusMetier, match="pas lisible"):
        verifier_signature(_url(jpeg.getvalue()))
    with pytest.raises(RefusMetier, match="pas lisible"):
        verifier_signature(_url(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40))
