"""The client answers the survey on a phone, in a real Chromium, through the emailed link."""

from __future__ import annotations

import pytest
from django.utils import timezone

from satisfaction.models import Reponse
from satisfaction.services import creer_enquete
from tests.factories import ContactFactory
from tests.outils import ARTEFACTS

pytestmark = pytest.mark.e2e


def test_client_answers_the_survey_on_a_phone_once(live_server, telephone):
    enquete = creer_enquete(contact=ContactFactory(), le=timezone.localdate())
    url = live_server.url + enquete.get_absolute_url()

    telephone.goto(url)
    # Tap the big buttons (the radios themselves are visually hidden).
    for nom, valeur in (("satisfaction", 4), ("recommandation", 9), ("effort", 6)):
        ident = telephone.get_attribute(f"input[name={nom}][value='{valeur}']", "id")
        telephone.click(f"label[for='{ident}']")
    telephone.fill("textarea[name=commentaire]", "Restitution claire, merci à l'équipe.")
    telephone.check("input[name=consentement_citation]")
    with telephone.expect_navigation():
        telephone.click("button:has-text('Envoyer ma réponse')")
    assert "Merci" in telephone.inner_text("body")
    reponse = Reponse.objects.get(enquete=enquete)
    assert (reponse.satisfaction, reponse.recommandation, reponse.effort) == (4, 9, 6)
    assert reponse.consentement_citation
    ARTEFACTS.mkdir(exist_ok=True)
    telephone.screenshot(path=str(ARTEFACTS / "enquete-merci-telephone.png"), full_page=True)

    # The link is answerable once.
    telephone.goto(url)
    assert "déjà répondu" in telephone.inner_text("body")
    assert Reponse.objects.count() == 1
