"""Security, proven: production settings and headers, login throttling, passwords, sessions,
uploaded files, the PDF renderer's URL fetcher, email headers."""

from __future__ import annotations

import http.server
import json
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm import emails
from crm.forms import TAILLE_MAX, valider_document
from crm.models import Demande, StatutEmail
from crm.pdf import nouveau_fetcher, rendre_pdf
from tests.factories import DevisFactory, OrganisationFactory, construire_monde
from tests.outils import MOT_DE_PASSE, PDF, RACINE, manage

PRODUCTION = {
    "DEBUG": "False",
    "SECRET_KEY": "une-cle-de-production-longue-et-aleatoire-" + "k3W8" * 10,
    "ALLOWED_HOSTS": "crm.iod.example",
    "SITE_URL": "https://crm.iod.example",
    # X-Forwarded-Proto is believed only from a declared proxy.
    "PROXY_DE_CONFIANCE": "True",
}


# --- 1. Production settings and headers ---------------------------------------------------------


def test_production_mode_redirects_to_https_and_sends_hsts_and_secure_cookies():
    """With DEBUG=False, behind a proxy that says « https »: HSTS, secure cookies; plain HTTP is
    redirected. Checked in a separate process, since settings are read at start-up."""
    script = """
import json
from django.conf import settings
from django.test import Client
c = Client()
clair = c.get("/connexion/", HTTP_HOST="crm.iod.example")
sur = c.get("/connexion/", HTTP_HOST="crm.iod.example", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "clair": [clair.status_code, clair.get("Location", "")],
    "hsts": sur.get("Strict-Transport-Security", ""),
    "csp": sur.get("Content-Security-Policy", ""),
    "cookies": {k: bool(m["secure"]) for k, m in sur.cookies.items()},
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "csrf_httponly": settings.CSRF_COOKIE_HTTPONLY,
}))
"""
    resultat = manage("shell", "-c", script, **PRODUCTION)
    assert resultat.returncode == 0, resultat.stderr
    sortie = json.loads(resultat.stdout.strip().splitlines()[-1])
    assert sortie["clair"] == [301, "https://crm.iod.example/connexion/"]
    assert "max-age=31536000" in sortie["hsts"] and "includeSubDomains" in sortie["hsts"]
    assert "default-src 'self'" in sortie["csp"]
    assert sortie["cookies"] and all(sortie["cookies"].values()), sortie["cookies"]
    assert sortie["session_secure"] and sortie["csrf_secure"] and sortie["csrf_httponly"]


@pytest.mark.django_db
def test_every_page_sends_the_csp_and_the_other_security_headers(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]  # no inline script, no eval
    assert directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_templates_hold_no_inline_script_style_or_handler():
    """The CSP forbids them: a template that adds one would break in the browser."""
    fautes = []
    for chemin in (RACINE / "templates").rglob("*.html"):
        if chemin.parts[-2] in ("emails", "pdf"):
            continue  # rendered in a mail client or by WeasyPrint, never under the CSP
        texte = chemin.read_text(encoding="utf-8")
        for motif in ("<script>", "<style", " style=", " onclick=", " onload=", "javascript:"):
            if motif in texte:
                fautes.append(f"{chemin.relative_to(RACINE)} : {motif.strip()}")
        for ligne in texte.splitlines():
            if "<script" in ligne and "src=" not in ligne and "application/json" not in ligne:
                fautes.append(f"{chemin.relative_to(RACINE)} : script en ligne")
    assert not fautes, fautes


# --- 3. Login: throttling, passwords, sessions --------------------------------------------------


def _essai(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


@pytest.mark.django_db
def test_five_failures_lock_the_username_from_every_address_for_fifteen_minutes(gerant):
    client = Client()
    for _ in range(4):
        assert _essai(client, "gerant", "mauvais").status_code == 200
    bloque = _essai(client, "gerant", "mauvais")
    assert bloque.status_code == 429
    texte = bloque.content.decode()
    assert "Connexion temporairement bloquée" in texte and "15 minutes" in texte
    # Locked out: even the right password is refused from that address.
    assert _essai(client, "gerant", MOT_DE_PASSE).status_code == 429
    # The username is locked from every address (a guess spread over addresses gains nothing),
    # not the address for the other accounts.
    assert _essai(Client(), "gerant", MOT_DE_PASSE, ip="10.0.0.2").status_code == 429
    assert _essai(Client(), "consultant-inconnu", "x", ip="10.0.0.1").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert _essai(Client(), "gerant", MOT_DE_PASSE).status_code == 302
    assert AccessAttempt.objects.filter(username="gerant").count() <= 1


@pytest.mark.django_db
def test_admin_login_is_throttled_too(gerant):
    client = Client()
    for _ in range(5):
        reponse = client.post(
            reverse("admin:login"),
            {"username": "gerant", "password": "faux", "next": "/admin/"},
            REMOTE_ADDR="10.0.0.9",
        )
    assert reponse.status_code == 429


@pytest.mark.parametrize(
    ("mot_de_passe", "raison"),
    [
        ("Court-1!", "trop court"),
        ("password1234", "trop courant"),
        ("834592018374", "entièrement numérique"),
        ("dominique2026!", "trop proche du prénom"),
    ],
)
@pytest.mark.django_db
def test_weak_passwords_are_refused(mot_de_passe, raison, gerant):
    with pytest.raises(ValidationError):
        validate_password(mot_de_passe, user=gerant)


@pytest.mark.django_db
def test_a_long_passphrase_is_accepted(gerant):
    validate_password("cheval-agrafe-Batterie-correcte-7", user=gerant)
    assert settings.AUTH_PASSWORD_VALIDATORS[1]["OPTIONS"]["min_length"] >= 12


@pytest.mark.django_db
def test_session_ends_after_inactivity_but_activity_keeps_it_alive(client, gerant):
    age = settings.SESSION_COOKIE_AGE
    assert age <= 4 * 3600
    assert age / 10 >= settings.CRM_SESSION_RAFRAICHISSEMENT
    client.force_login(gerant)
    debut = timezone.now()
    with time_machine.travel(debut + timedelta(seconds=age * 0.75), tick=False):
        assert client.get(reverse("accueil")).status_code == 200
    # 1.5 × age after login, but only 0.75 × age after the last request: still signed in.
    with time_machine.travel(debut + timedelta(seconds=age * 1.5), tick=False):
        assert client.get(reverse("accueil")).status_code == 200
    with time_machine.travel(debut + timedelta(seconds=age * 2.6), tick=False):
        reponse = client.get(reverse("accueil"))
    assert reponse.status_code == 302 and reponse["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_the_session_row_is_rewritten_at_most_once_per_refresh_interval(client, gerant):
    client.force_login(gerant)
    debut = timezone.now()
    cle = client.session.session_key

    def expiration():
        return Session.objects.get(session_key=cle).expire_date

    def ecritures_de_session(instant) -> int:
        with time_machine.travel(instant, tick=False), CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("accueil")).status_code == 200
        return sum('UPDATE "django_session"' in q["sql"] for q in ctx.captured_queries)

    assert ecritures_de_session(debut + timedelta(seconds=10)) == 1  # first page: refreshed
    premiere = expiration()
    intervalle = settings.CRM_SESSION_RAFRAICHISSEMENT
    assert ecritures_de_session(debut + timedelta(seconds=10 + intervalle / 2)) == 0
    assert expiration() == premiere
    assert ecritures_de_session(debut + timedelta(seconds=10 + intervalle + 1)) == 1
    assert expiration() - premiere >= timedelta(seconds=intervalle)


@pytest.mark.django_db
def test_roles_come_with_the_user_and_a_change_applies_on_the_next_request(client, gerant):
    """The backend reads the user and their roles in one query, on every request: a gérant
    taken out of the group loses the gérant's pages at once."""
    client.force_login(gerant)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("pilotage:tableau")).status_code == 200
    assert not any(
        "auth_user_groups" in q["sql"] and "EXISTS" not in q["sql"].upper()
        for q in ctx.captured_queries
    )
    gerant.groups.clear()
    assert client.get(reverse("pilotage:tableau")).status_code == 403


@pytest.mark.django_db
def test_logout_destroys_the_session(client, gerant):
    client.force_login(gerant)
    cle = client.session.session_key
    assert Session.objects.filter(session_key=cle).exists()
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=cle).exists()
    assert client.get(reverse("accueil")).status_code == 302


@pytest.mark.django_db
def test_a_deactivated_user_is_out_on_the_next_request(client, consultant):
    client.force_login(consultant)
    assert client.get(reverse("accueil")).status_code == 200
    consultant.is_active = False
    consultant.save(update_fields=["is_active"])
    reponse = client.get(reverse("accueil"))
    assert reponse.status_code == 302 and reponse["Location"].startswith(reverse("login"))


# --- 4. Uploaded files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nom", "contenu"),
    [
        ("fiche.pdf", b"MZ\x90\x00\x03\x00\x00\x00 programme windows"),  # an exe named .pdf
        ("fiche.pdf", b"<html><script>alert(1)</script></html>"),
        ("programme.exe", PDF),
        ("page.html", b"<html></html>"),
        ("image.svg", b"<svg onload='alert(1)'/>"),
    ],
)
def test_uploads_are_checked_by_content_and_extension(nom, contenu):
    with pytest.raises(ValidationError):
        valider_document(SimpleUploadedFile(nom, contenu))


def test_uploads_over_the_size_limit_are_refused():
    gros = SimpleUploadedFile("gros.pdf", b"%PDF" + b"0" * TAILLE_MAX)
    with pytest.raises(ValidationError, match="volumineux"):
        valider_document(gros)
    assert valider_document(SimpleUploadedFile("ok.pdf", PDF))


@pytest.mark.django_db
def test_a_fake_pdf_posted_with_a_request_is_refused_and_not_stored(client_gerant):
    org = OrganisationFactory()
    reponse = client_gerant.post(
        reverse("crm:demande_creer"),
        {
            "recue_le": timezone.localdate().isoformat(),
            "canal": "telephone",
            "contexte": "recrutement",
            "type_prestation": "evaluation",
            "description": "Besoin",
            "organisation": org.pk,
            "fiche_de_poste": SimpleUploadedFile("fiche.pdf", b"MZ\x90\x00 exe"),
        },
    )
    assert reponse.status_code == 200
    assert "ne correspond pas" in reponse.content.decode()
    assert not Demande.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


@pytest.mark.django_db
def test_files_are_stored_outside_static_with_random_names_and_served_as_attachments(
    client, gerant, consultant, autre_consultant
):
    monde = construire_monde(gerant, consultant)
    demande = monde.objets["demande"]
    accord = monde.objets["devis"].accord
    media = Path(settings.MEDIA_ROOT).resolve()
    for fichier in (demande.fiche_de_poste, accord.document):
        chemin = Path(fichier.path).resolve()
        assert chemin.is_relative_to(media)
        assert not chemin.is_relative_to(Path(settings.STATIC_ROOT).resolve())
        assert all(not chemin.is_relative_to(Path(d).resolve()) for d in settings.STATICFILES_DIRS)
        assert "fiche" not in chemin.name and "bon" not in chemin.name  # random, not the upload's
        assert len(chemin.stem) >= 32
    # Never served from the media URL itself.
    assert client.get(settings.MEDIA_URL + demande.fiche_de_poste.name).status_code == 404

    client.force_login(gerant)
    for url in (
        reverse("crm:demande_fiche", args=[demande.pk]),
        reverse("devis:accord_document", args=[accord.devis_id]),
    ):
        reponse = client.get(url)
        assert reponse.status_code == 200
        assert reponse["Content-Disposition"].startswith("attachment;")
        assert reponse["X-Content-Type-Options"] == "nosniff"
        assert b"".join(reponse.streaming_content) == PDF

    client.force_login(autre_consultant)
    assert client.get(reverse("devis:accord_document", args=[accord.devis_id])).status_code == 403
    client.logout()
    reponse = client.get(reverse("crm:demande_fiche", args=[demande.pk]))
    assert reponse.status_code == 302 and reponse["Location"].startswith(reverse("login"))


# --- 5. PDF fetcher and email headers ------------------------------------------------------------


class ServeurEspion:
    """A tiny HTTP server on a loopback port that counts the requests it receives."""

    def __init__(self):
        self.requetes: list[str] = []
        espion = self

        class Gestionnaire(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                espion.requetes.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.serveur = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Gestionnaire)
        self.port = self.serveur.server_address[1]
        self.fil = threading.Thread(target=self.serveur.serve_forever, daemon=True)
        self.fil.start()

    def url(self, chemin: str) -> str:
        return f"http://127.0.0.1:{self.port}{chemin}"

    def arreter(self):
        self.serveur.shutdown()
        self.serveur.server_close()


@pytest.fixture
def espion():
    serveur = ServeurEspion()
    yield serveur
    serveur.arreter()


@pytest.mark.django_db
def test_pdf_fetcher_refuses_every_url_but_the_apps_static_files(settings, tmp_path, espion):
    dossier = tmp_path / "gabarits"
    dossier.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("mot de passe de la base")
    (dossier / "hostile.html").write_text(
        f"""<html><head>
<link rel="stylesheet" href="css/pdf.css">
<link rel="stylesheet" href="{espion.url("/style.css")}">
<style>@import url("{espion.url("/import.css")}");
body {{ background: url("{espion.url("/fond.png")}"); }}</style>
</head><body>
<img src="{espion.url("/x.png")}">
<img src="file://{secret}">
<img src="file:///etc/passwd">
<iframe src="{espion.url("/cadre")}"></iframe>
<object data="{espion.url("/objet")}"></object>
<a href="{espion.url("/lien")}">lien</a>
<p>Texte</p>
</body></html>""",
        encoding="utf-8",
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [dossier, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    fetcher = nouveau_fetcher()
    pdf = rendre_pdf("hostile.html", {}, fetcher=fetcher)
    assert pdf.startswith(b"%PDF")
    assert espion.requetes == []
    refusees = " ".join(fetcher.refusees)
    for chemin in ("/style.css", "/import.css", "/fond.png", "/x.png"):
        assert espion.url(chemin) in refusees
    assert str(secret) in refusees and "/etc/passwd" in refusees
    assert not any("pdf.css" in u for u in fetcher.refusees)  # the app's own static file


@pytest.mark.django_db
def test_a_quote_whose_text_holds_hostile_urls_fetches_nothing(espion):
    from devis.pdf import devis_pdf

    devis = DevisFactory(
        objet=f'<img src="{espion.url("/objet.png")}">',
        contexte=f'<link rel="stylesheet" href="{espion.url("/s.css")}"> '
        f"<style>@import '{espion.url('/i.css')}';</style> file:///etc/passwd",
        methodologie=f'<iframe src="{espion.url("/cadre")}"></iframe>',
    )
    assert devis_pdf(devis).startswith(b"%PDF")
    assert espion.requetes == []


@pytest.mark.parametrize(
    "texte", ["Objet\r\nBcc: pirate@exemple.org", "a\nb\rc", "x\r\n\r\n<html>corps injecté"]
)
def test_header_values_become_one_line(texte):
    assert "\r" not in emails._ligne_seule(texte) and "\n" not in emails._ligne_seule(texte)


@pytest.mark.django_db
def test_user_input_cannot_inject_email_headers(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    envoi = emails.enregistrer(
        motif="test",
        destinataires=["client@exemple.fr"],
        sujet="Devis\r\nBcc: pirate@exemple.org\r\nX-Injecte: oui",
        texte="Bonjour",
    )
    assert emails.expedier(envoi)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.recipients() == ["client@exemple.fr"]
    brut = message.message().as_string()
    assert "\nBcc:" not in brut and "\nX-Injecte:" not in brut
    assert message.message()["Bcc"] is None


@pytest.mark.django_db
def test_a_recipient_with_a_newline_never_adds_a_recipient(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    envoi = emails.enregistrer(
        motif="test",
        destinataires=["client@exemple.fr\r\nBcc: pirate@exemple.org"],
        sujet="Devis",
        texte="Bonjour",
    )
    assert "\n" not in envoi.destinataires and "\r" not in envoi.destinataires
    emails.expedier(envoi)
    envoi.refresh_from_db()
    envoyes = [r for m in mail.outbox for r in m.recipients()]
    assert not any("pirate" in r and "client" not in r for r in envoyes)
    for m in mail.outbox:
        assert m.message()["Bcc"] is None
    assert envoi.statut in (StatutEmail.ENVOYE, StatutEmail.ECHEC)


def test_today_is_not_frozen():  # guard: time_machine must not leak between tests
    assert timezone.localdate() > date(2020, 1, 1)
