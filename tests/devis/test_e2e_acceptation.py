"""The client's « Bon pour accord » in a real Chromium at a phone's width: open the link from
the email, read the quote, sign with a finger, accept; then the link says « déjà accepté »."""

from __future__ import annotations

import hashlib

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from devis.models import Accord, QuestionClient, StatutDevis
from devis.services import envoyer_devis, lien_acceptation
from tests.factories import DevisFactory
from tests.outils import ARTEFACTS, pas_de_defilement_horizontal

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _compteurs_remis_a_zero():
    cache.clear()  # the page's rate limit counts in the cache
    yield
    cache.clear()


def _surveiller(onglet) -> list[str]:
    """Collect CSP violations and script errors of the page."""
    problemes: list[str] = []

    def _console(message):
        if any(m in message.text for m in ("Content Security Policy", "Refused to", "violates")):
            problemes.append(message.text)

    onglet.on("console", _console)
    onglet.on("pageerror", lambda exc: problemes.append(str(exc)))
    return problemes


def test_client_accepts_the_quote_on_a_phone(live_server, telephone, gerant):
    devis = envoyer_devis(
        DevisFactory(lignes=[("Évaluation individuelle d'un candidat", 1, "1800.00")]),
        le=timezone.localdate(),
    )
    # The link the client receives by email.
    (email,) = mail.outbox
    chemin = lien_acceptation(devis)
    assert chemin in email.body
    mail.outbox.clear()

    problemes = _surveiller(telephone)
    reponse = telephone.goto(f"{live_server.url}{chemin}")
    assert reponse.status == 200
    assert reponse.headers["referrer-policy"] == "no-referrer"
    assert "no-store" in reponse.headers["cache-control"]
    assert telephone.locator("html").get_attribute("lang") == "fr"
    assert devis.reference in telephone.inner_text("h1")
    pas_de_defilement_horizontal(telephone)
    telephone.get_by_role("link", name="Télécharger le devis (PDF)").wait_for()

    # « Accepter le devis »: name, function, a signature drawn with the finger, the box.
    telephone.click("#choix-accepter summary")
    telephone.fill("input[name='accepter-nom']", "Claire Dupont")
    telephone.fill("input[name='accepter-fonction']", "Directrice des ressources humaines")
    zone = telephone.locator("#signature-zone")
    zone.scroll_into_view_if_needed()
    cadre = zone.bounding_box()
    assert cadre is not None and cadre["width"] > 250  # the pad spans the phone's width
    x, y = cadre["x"], cadre["y"]
    telephone.mouse.move(x + 30, y + 100)
    telephone.mouse.down()
    for i in range(1, 12):
        telephone.mouse.move(x + 30 + i * 18, y + 100 - (i % 4) * 15, steps=2)
    telephone.mouse.up()
    telephone.check("input[name='accepter-conditions']")
    pas_de_defilement_horizontal(telephone)
    ARTEFACTS.mkdir(exist_ok=True)
    telephone.screenshot(
        path=str(ARTEFACTS / "acceptation-telephone-signature.png"), full_page=True
    )
    telephone.click("#form-accepter button[type=submit]")
    telephone.wait_for_selector("#merci")

    texte = telephone.inner_text("main")
    assert "Merci : votre accord est enregistré" in texte
    assert "Devis déjà accepté le" in texte
    assert "Claire Dupont" in texte
    assert telephone.locator("#form-accepter").count() == 0
    pas_de_defilement_horizontal(telephone)
    telephone.screenshot(path=str(ARTEFACTS / "acceptation-telephone.png"), full_page=True)

    # The evidence, with the drawn signature.
    accord = Accord.objects.get(devis=devis)
    assert accord.type == "acceptation_en_ligne"
    assert accord.signataire_fonction == "Directrice des ressources humaines"
    assert accord.signature.startswith("data:image/png;base64,")
    assert accord.ip == "127.0.0.1" and "Chrome" in accord.navigateur
    with accord.document.open("rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == accord.empreinte_pdf
    devis.refresh_from_db()
    assert devis.statut == StatutDevis.ACCEPTE
    sujets = sorted(m.subject for m in mail.outbox)
    assert any("accepté en ligne" in s for s in sujets)
    assert any(s.startswith("Confirmation de votre accord") for s in sujets)

    # Coming back later: « déjà accepté », nothing to accept again.
    telephone.goto(f"{live_server.url}{chemin}")
    assert "Devis déjà accepté le" in telephone.inner_text("main")
    assert telephone.locator("#form-accepter").count() == 0
    assert not problemes, "\n".join(problemes)


def test_client_asks_a_question_on_a_phone(live_server, telephone, gerant):
    devis = envoyer_devis(DevisFactory(), le=timezone.localdate(), email=False)
    problemes = _surveiller(telephone)
    telephone.goto(f"{live_server.url}{lien_acceptation(devis)}")
    telephone.click("#choix-question summary")
    telephone.fill(
        "textarea[name='question-message']", "Pouvez-vous décaler la restitution d'une semaine ?"
    )
    telephone.click("#form-question button[type=submit]")
    telephone.wait_for_selector("#merci")
    assert "Votre question a bien été transmise" in telephone.inner_text("main")
    # The quote is still open to an answer.
    assert telephone.locator("#choix-accepter").count() == 1
    assert QuestionClient.objects.get(devis=devis).message.startswith("Pouvez-vous")
    assert [m.to for m in mail.outbox] == [[gerant.email]]
    pas_de_defilement_horizontal(telephone)
    assert not problemes, "\n".join(problemes)
