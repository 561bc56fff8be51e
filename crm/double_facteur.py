"""The second factor (django-otp, TOTP with recovery codes): the gate, the code step, enrolment.

After the password, a user with a confirmed device is signed in but not *verified*
(``request.user.is_verified()``, set by django-otp's ``OTPMiddleware``): until they pass the
code step, every page sends them there. Failed codes count as failed logins for django-axes,
so the lockout covers the code step as it covers the password. When
``CRM_DOUBLE_FACTEUR_OBLIGATOIRE`` is on (production by default), a gérant without a device is
sent to enrolment before any other page.
"""

from __future__ import annotations

from base64 import b32encode
from io import BytesIO
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from crm.roles import est_gerant

# Whether the signed-in user has a confirmed device, decided once per session (at login and at
# enrolment) so that the gate costs no query on each page.
CLE_APPAREIL = "_crm_double_facteur"
NOMBRE_CODES_SECOURS = 10
NOM_APPAREIL = "Application d'authentification"
NOM_CODES = "Codes de secours"


def a_un_appareil(request) -> bool:
    session = request.session
    if CLE_APPAREIL not in session:
        session[CLE_APPAREIL] = user_has_device(request.user, confirmed=True)
    return bool(session[CLE_APPAREIL])


@receiver(user_logged_in)
def _apres_mot_de_passe(sender, request, user, **kwargs):
    """A new session decides afresh; without a device the sign-in is complete: the lockout's
    failures are cleared (with one, only the code step clears them)."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[CLE_APPAREIL] = user_has_device(user, confirmed=True)
    if not request.session[CLE_APPAREIL]:
        AxesProxyHandler.reset_attempts(username=user.get_username())


def _chemin(nom: str) -> str:
    return reverse(nom)


class DoubleFacteurMiddleware:
    """After django-otp's OTPMiddleware: an unverified user with a device reaches only the code
    step and logout; a gérant without one (when enforced) only enrolment and logout."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified():
            libres = {_chemin("logout")}
            if a_un_appareil(request):
                cible = "double_facteur_verification"
            elif settings.CRM_DOUBLE_FACTEUR_OBLIGATOIRE and est_gerant(user):
                cible = "double_facteur"
            else:
                cible = None
            if cible and request.path_info not in libres | {_chemin(cible)}:
                url = _chemin(cible)
                if request.method == "GET":
                    url += "?" + urlencode({"next": request.get_full_path()})
                return redirect(url)
        return self.get_response(request)


class CodeForm(forms.Form):
    """django-otp's field names: ``otp_token``, and ``otp_device`` (optional: by default the
    authenticator app for a 6-digit code, the recovery codes otherwise)."""

    otp_token = forms.CharField(
        label="Code",
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
        help_text="Les 6 chiffres de votre application d'authentification, ou un code de secours.",
    )
    otp_device = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_otp_token(self) -> str:
        return "".join(self.cleaned_data["otp_token"].split()).lower()


def _appareil_choisi(user, code: str, identifiant: str) -> Device | None:
    if identifiant:
        appareil = Device.from_persistent_id(identifiant, for_verify=True)
        if appareil is None or appareil.user_id != user.pk or not appareil.confirmed:
            return None
        return appareil
    modele = TOTPDevice if code.isdigit() else StaticDevice
    return modele.objects.devices_for_user(user, confirmed=True).select_for_update().first()


def verifier_code(user, code: str, identifiant: str = "") -> Device | None:
    """The device that accepts ``code`` (a recovery code is used up), or None."""
    with transaction.atomic():
        appareil = _appareil_choisi(user, code, identifiant)
        if appareil is None:
            return None
        permis, _ = appareil.verify_is_allowed()
        if permis and appareil.verify_token(code):
            return appareil
    return None


def _identifiants(user) -> dict:
    return {settings.AXES_USERNAME_FORM_FIELD: user.get_username()}


def _suite(request) -> str:
    suite = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(suite, {request.get_host()}, request.is_secure()):
        return suite
    return reverse(settings.LOGIN_REDIRECT_URL)


def _valider(request, appareil: Device) -> None:
    """The sign-in is complete: new session key (the privilege changed), device recorded, the
    lockout's failures cleared."""
    request.session.cycle_key()
    otp_login(request, appareil)
    request.session[CLE_APPAREIL] = True
    AxesProxyHandler.reset_attempts(username=request.user.get_username())


def _verrouille(request, identifiants: dict):
    logout(request)
    return get_lockout_response(request, None, identifiants)


@never_cache
def verification(request):
    """The step after the password for a user with a device."""
    user = request.user
    if not user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    if user.is_verified() or not a_un_appareil(request):
        return redirect(_suite(request))
    identifiants = _identifiants(user)
    if AxesProxyHandler.is_locked(request, identifiants):
        return _verrouille(request, identifiants)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        appareil = verifier_code(
            user, form.cleaned_data["otp_token"], form.cleaned_data["otp_device"]
        )
        if appareil is not None:
            _valider(request, appareil)
            return redirect(_suite(request))
        user_login_failed.send(sender=__name__, credentials=identifiants, request=request)
        if AxesProxyHandler.is_locked(request, identifiants):
            return _verrouille(request, identifiants)
        form.add_error("otp_token", "Code incorrect ou expiré : réessayez.")
    return render(
        request,
        "registration/double_facteur_verification.html",
        {"form": form, "next": _suite(request)},
    )


def qr_svg(texte: str) -> str:
    """An inline SVG QR code (no image service, no inline style: the CSP allows neither)."""
    image = qrcode.make(texte, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    sortie = BytesIO()
    image.save(sortie)
    svg = sortie.getvalue().decode()
    return svg[svg.index("<svg") :]  # without the XML declaration, to sit inside HTML


def nouveaux_codes_de_secours(user) -> list[str]:
    """Replace the user's recovery codes by ten new ones, shown once to the user (django-otp
    keeps them as they are, like the TOTP secret: the database and the admin can read them)."""
    StaticDevice.objects.filter(user=user).delete()
    appareil = StaticDevice.objects.create(user=user, name=NOM_CODES, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(NOMBRE_CODES_SECOURS)]
    StaticToken.objects.bulk_create(StaticToken(device=appareil, token=c) for c in codes)
    return codes


@login_required
@never_cache
def enrolement(request):
    """Set up the authenticator app (QR code, then a code to confirm it); on confirmation, ten
    recovery codes shown once. Once set up, new recovery codes can be drawn."""
    user = request.user
    actif = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    contexte: dict = {"actif": actif, "next": _suite(request)}
    if actif is not None:
        if request.method == "POST" and request.POST.get("action") == "codes":
            contexte["codes"] = nouveaux_codes_de_secours(user)
        return render(request, "registration/double_facteur.html", contexte)

    appareil = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if appareil is None:
        appareil = TOTPDevice.objects.create(user=user, name=NOM_APPAREIL, confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if appareil.verify_token(form.cleaned_data["otp_token"]):
            with transaction.atomic():
                appareil.confirmed = True
                appareil.save(update_fields=["confirmed"])
                contexte["codes"] = nouveaux_codes_de_secours(user)
            _valider(request, appareil)
            contexte["actif"] = appareil
            return render(request, "registration/double_facteur.html", contexte)
        form.add_error("otp_token", "Code incorrect : vérifiez l'heure du téléphone et réessayez.")
    contexte.update(
        form=form,
        qr=qr_svg(appareil.config_url),
        secret=_base32(appareil.bin_key),
    )
    return render(request, "registration/double_facteur.html", contexte)


def _base32(cle: bytes) -> str:
    """The secret as typed by hand in an app that cannot scan, in groups of four."""
    texte = b32encode(cle).decode().rstrip("=")
    return " ".join(texte[i : i + 4] for i in range(0, len(texte), 4))
