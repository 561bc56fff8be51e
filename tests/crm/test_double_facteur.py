"""The second factor (DESIGN §10): after the password, a user with a device reaches no page
until the code step; failed codes count for the lockout; recovery codes serve once; the gérant
without a device is sent to enrolment when it is enforced (production)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.outils import MOT_DE_PASSE

PAGES = [
    "/",
    "/organisations/",
    "/devis/",
    "/reclamations/",
    "/admin/",
    "/admin/otp_totp/totpdevice/",
    "/mot-de-passe/changer/",
    "/compte/double-facteur/",
]
VERIFICATION = "/compte/verification/"


def code_de(appareil: TOTPDevice) -> str:
    return f"{totp(appareil.bin_key, appareil.step, appareil.t0, appareil.digits):06d}"


def appareil(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)


def connexion_mot_de_passe(user, adresse: str = "127.0.0.1") -> Client:
    client = Client(REMOTE_ADDR=adresse)
    reponse = client.post(reverse("login"), {"username": user.username, "password": MOT_DE_PASSE})
    assert reponse.status_code == 302, reponse.content.decode()[:500]
    return client


@pytest.fixture(autouse=True)
def _cache_vide():
    cache.clear()


@pytest.mark.django_db
def test_password_alone_reaches_no_page_for_a_user_with_a_device(gerant):
    appareil(gerant)
    client = connexion_mot_de_passe(gerant)
    for page in PAGES:
        reponse = client.get(page)
        assert reponse.status_code == 302, page
        assert reponse["Location"].startswith(VERIFICATION), (page, reponse["Location"])
    # A POST is turned back too, not just pages.
    reponse = client.post(reverse("crm:organisation_creer"), {"raison_sociale": "Intrus SA"})
    assert reponse.status_code == 302 and reponse["Location"].startswith(VERIFICATION)
    page = client.get(VERIFICATION).content.decode()
    assert 'name="otp_token"' in page


@pytest.mark.django_db
def test_a_good_code_lets_the_user_in_and_back_to_the_page_asked(gerant):
    telephone = appareil(gerant)
    client = connexion_mot_de_passe(gerant)
    assert client.get("/organisations/")["Location"] == f"{VERIFICATION}?next=%2Forganisations%2F"
    reponse = client.post(
        VERIFICATION, {"otp_token": code_de(telephone), "next": "/organisations/"}
    )
    assert reponse.status_code == 302 and reponse["Location"] == "/organisations/"
    for page in ("/", "/organisations/", "/admin/"):
        assert client.get(page).status_code == 200, page


@pytest.mark.django_db
def test_the_gerant_manages_the_devices_in_the_admin_and_a_consultant_cannot(
    client_gerant, gerant, consultant
):
    """The gérant (not a superuser) lists, and can revoke, everyone's devices in the admin."""
    appareil(consultant)
    page = client_gerant.get("/admin/otp_totp/totpdevice/")
    assert page.status_code == 200 and "Téléphone" in page.content.decode()
    assert client_gerant.get("/admin/otp_static/staticdevice/").status_code == 200
    assert gerant.has_perm("otp_totp.delete_totpdevice")
    autre = Client()
    autre.force_login(consultant)
    assert autre.get("/admin/otp_totp/totpdevice/").status_code in (302, 403)


@pytest.mark.django_db
def test_wrong_codes_lock_the_account_out_even_with_the_password_typed_again(gerant, settings):
    appareil(gerant)
    client = connexion_mot_de_passe(gerant)
    for _ in range(3):
        reponse = client.post(VERIFICATION, {"otp_token": "000000"})
        assert reponse.status_code == 200
        assert "Code incorrect" in reponse.content.decode()
    # Signing in again with the password does not clear the failed codes.
    client = connexion_mot_de_passe(gerant)
    client.post(VERIFICATION, {"otp_token": "000000"})
    reponse = client.post(VERIFICATION, {"otp_token": "000000"})
    assert reponse.status_code == settings.AXES_HTTP_RESPONSE_CODE
    assert "bloquée" in reponse.content.decode()
    # Signed out, and the password step is locked too.
    assert client.get("/")["Location"].startswith(reverse("login"))
    bloque = Client().post(reverse("login"), {"username": "gerant", "password": MOT_DE_PASSE})
    assert bloque.status_code == settings.AXES_HTTP_RESPONSE_CODE


@pytest.mark.django_db
def test_a_recovery_code_works_once(consultant):
    appareil(consultant)
    secours = StaticDevice.objects.create(user=consultant, name="Codes de secours")
    StaticToken.objects.create(device=secours, token="abcd2345")
    client = connexion_mot_de_passe(consultant)
    reponse = client.post(VERIFICATION, {"otp_token": "ABCD 2345"})
    assert reponse.status_code == 302
    assert client.get("/").status_code == 200

    client = connexion_mot_de_passe(consultant)
    reponse = client.post(VERIFICATION, {"otp_token": "abcd2345"})
    assert reponse.status_code == 200 and "Code incorrect" in reponse.content.decode()
    assert client.get("/")["Location"].startswith(VERIFICATION)


@pytest.mark.django_db
def test_another_users_device_is_not_accepted(gerant, consultant):
    appareil(gerant)
    sien = appareil(consultant)
    client = connexion_mot_de_passe(gerant)
    reponse = client.post(
        VERIFICATION, {"otp_token": code_de(sien), "otp_device": sien.persistent_id}
    )
    assert reponse.status_code == 200
    assert client.get("/")["Location"].startswith(VERIFICATION)


@pytest.mark.django_db
def test_enforced_second_factor_sends_the_gerant_without_device_to_enrolment(
    gerant, consultant, settings
):
    settings.CRM_DOUBLE_FACTEUR_OBLIGATOIRE = True
    client = connexion_mot_de_passe(gerant)
    for page in ("/", "/devis/", "/admin/"):
        reponse = client.get(page)
        assert reponse.status_code == 302
        assert reponse["Location"].startswith(reverse("double_facteur")), page
    # A consultant without a device is not forced.
    assert connexion_mot_de_passe(consultant).get("/").status_code == 200


def test_second_factor_is_enforced_by_default_in_production_settings():
    from tests.outils import manage

    resultat = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CRM_DOUBLE_FACTEUR_OBLIGATOIRE)",
        DEBUG="False",
        SECRET_KEY="une-cle-de-production-longue-et-aleatoire-" + "x7Q9" * 10,
        ALLOWED_HOSTS="crm.iod.example",
        SITE_URL="https://crm.iod.example",
    )
    assert resultat.stdout.strip().splitlines()[-1] == "True", resultat.stderr


@pytest.mark.django_db
def test_enrolment_shows_a_qr_code_inline_then_ten_recovery_codes_once(gerant, settings):
    settings.CRM_DOUBLE_FACTEUR_OBLIGATOIRE = True
    client = connexion_mot_de_passe(gerant)
    page = client.get(reverse("double_facteur")).content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    # Strict CSP: no inline style or script, no external image.
    assert "style=" not in svg and "<script" not in svg and "http" not in svg.split(">", 1)[1]
    assert "otpauth" not in page  # the secret's URL is in the picture only (and the key below)
    telephone = TOTPDevice.objects.get(user=gerant, confirmed=False)

    reponse = client.post(reverse("double_facteur"), {"otp_token": "123456"})
    assert "Code incorrect" in reponse.content.decode()
    # django-otp makes a failed device wait a second before the next try.
    with time_machine.travel(timezone.now() + timedelta(seconds=3), tick=False):
        reponse = client.post(reverse("double_facteur"), {"otp_token": code_de(telephone)})
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", reponse.content.decode())
    assert len(codes) == 10
    telephone.refresh_from_db()
    assert telephone.confirmed
    assert client.get("/").status_code == 200  # verified by the enrolment itself
    # Shown once: the page afterwards lists none.
    assert not re.findall(r"<li><code>", client.get(reverse("double_facteur")).content.decode())
    # And the next sign-in asks for a code; a recovery code opens it.
    client.post(reverse("logout"))
    client = connexion_mot_de_passe(gerant)
    assert client.get("/")["Location"].startswith(VERIFICATION)
    assert client.post(VERIFICATION, {"otp_token": codes[0]}).status_code == 302
    assert client.get("/").status_code == 200
