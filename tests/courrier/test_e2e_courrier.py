"""The gérant's side in Chromium: the client's reply is on « Aujourd'hui » and one click records
the decision; a stranger's request becomes a J0 request from « À classer »."""

from __future__ import annotations

import pytest
from django.utils import timezone

from courrier.services import relever
from crm.models import Demande
from devis.models import StatutDevis
from devis.services import envoyer_devis
from tests.courrier import messages as m
from tests.factories import DevisFactory, OrganisationFactory
from tests.outils import connexion


@pytest.mark.django_db(transaction=True)
def test_reply_is_qualified_in_one_click_from_today_page(live_server, page, gerant, boite):
    devis = envoyer_devis(DevisFactory(), le=timezone.localdate())
    boite.deposer(
        m.reponse_outlook(
            m.envoye_par_le_crm(devis),
            de=devis.contact.email,
            texte="C'est d'accord pour nous, <b>merci</b> !",
            quand=timezone.now(),
        )
    )
    assert relever().rattaches == 1

    connexion(page, live_server.url, "gerant")
    section = page.locator("#section-reponses_a_qualifier")
    assert devis.numero in section.inner_text()
    assert "C'est d'accord pour nous" in section.inner_text()

    page.goto(f"{live_server.url}{devis.get_absolute_url()}")
    panneau = page.locator("#courrier")
    assert "C'est d'accord pour nous, <b>merci</b> !" in panneau.inner_text()  # escaped text
    assert panneau.locator("b").count() == 0

    page.goto(f"{live_server.url}/courrier/a-qualifier/")
    page.locator(f"#devis-{devis.pk}").get_by_role("button", name="Accepté").click()
    page.wait_for_load_state()
    assert "réponse « Accepté » enregistrée" in page.inner_text("body")
    devis.refresh_from_db()
    assert devis.statut == StatutDevis.ACCEPTE and devis.reponse_recue_le is None


@pytest.mark.django_db(transaction=True)
def test_stranger_request_becomes_a_demande_from_a_classer(live_server, page, gerant, boite):
    OrganisationFactory(
        raison_sociale="Industrie Rhône", site_web="https://rhone-industrie.example"
    )
    boite.deposer(
        m.simple(
            de="Jeanne Martin <jeanne.martin@rhone-industrie.example>",
            sujet="Besoin d'une évaluation pour un directeur d'usine",
            texte="Bonjour, nous recrutons un directeur d'usine et souhaitons une évaluation.",
            quand=timezone.now(),
        )
    )
    assert relever().a_classer == 1

    connexion(page, live_server.url, "gerant")
    page.get_by_role("link", name="À classer").first.click()
    page.wait_for_url(f"{live_server.url}/courrier/a-classer/")
    assert "Besoin d'une évaluation" in page.inner_text("main")
    # The organisation guessed from the sender's domain is proposed.
    assert page.locator("select").first.evaluate("s => s.options[s.selectedIndex].text") == (
        "Industrie Rhône"
    )
    page.get_by_role("button", name="Nouvelle demande (J0)").click()
    page.wait_for_load_state()
    demande = Demande.objects.get()
    assert page.url.endswith(demande.get_absolute_url())
    assert demande.organisation.raison_sociale == "Industrie Rhône"
    assert demande.contact.email == "jeanne.martin@rhone-industrie.example"
    assert demande.type_prestation == "evaluation" and demande.canal == "email"
