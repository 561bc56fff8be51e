"""PROC-020 §3.1–3.5 in a real Chromium, as the gérant works: a phone call becomes a request,
the feasibility review says Go, the quote comes from the template, is sent, accepted, checked
against the agreement, and the mission is launched."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from crm.models import Demande, Mission, Organisation
from devis.models import Devis, Relance
from tests.outils import ARTEFACTS, connexion

pytestmark = pytest.mark.e2e

PDF_MINIMAL = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _radio(page, nom: str, valeur: str) -> None:
    page.check(f"input[name='{nom}'][value='{valeur}']")


def test_gerant_takes_a_call_to_a_launched_mission_in_the_browser(
    live_server, page, gerant, consultant, tmp_path
):
    base = live_server.url
    connexion(page, base, "gerant")

    # J0: the call, with a new organisation and contact typed in the same form.
    page.goto(f"{base}/demandes/nouvelle/")
    page.fill("input[name=nouvelle_organisation]", "Clinique Saint-Éloi")
    page.fill("input[name=contact_nom]", "Lefèvre")
    page.fill("input[name=contact_prenom]", "Hélène")
    page.fill("input[name=contact_email]", "helene.lefevre@clinique.example")
    page.select_option("select[name=canal]", "telephone")
    page.select_option("select[name=contexte]", "recrutement")
    page.select_option("select[name=type_prestation]", "evaluation")
    page.fill(
        "textarea[name=description]", "Évaluer deux finalistes au poste de directrice des soins."
    )
    fiche = tmp_path / "fiche-de-poste.pdf"
    fiche.write_bytes(PDF_MINIMAL)
    page.set_input_files("input[name=fiche_de_poste]", str(fiche))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/demandes/\d+/$"))
    demande = Demande.objects.get()
    assert demande.fiche_de_poste_nom == "fiche-de-poste.pdf"
    assert "revue de faisabilité" in page.inner_text("body")

    # Feasibility review: Go.
    page.click("text=Faire la revue de faisabilité")
    for question in ("competence", "disponibilite", "independance"):
        _radio(page, question, "True")
    _radio(page, "decision", "go")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/demandes/{demande.pk}/")

    # The quote from the standard template, edited with a French amount.
    page.click("text=Établir le devis")
    page.wait_for_url(re.compile(r"/devis/\d+/$"))
    devis = Devis.objects.get()
    assert devis.lignes.count() >= 1  # default lines of the « Modèle de devis IOD »
    page.click("text=Modifier")
    page.fill("input[name=lignes-0-prix_unitaire_ht]", "1 234,50")
    page.fill("input[name=lignes-0-quantite]", "2")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/devis/{devis.pk}/")
    devis.refresh_from_db()
    assert devis.lignes.order_by("ordre", "pk").first().prix_unitaire_ht == pytest.approx(1234.50)
    assert "2 469,00 €" in page.inner_text("body")

    # Send by email, PDF attached.
    _radio(page, "envoi-mode", "email")
    with page.expect_navigation():
        page.click("button:has-text('Envoyer')")
    devis.refresh_from_db()
    assert devis.statut == "envoye", page.inner_text(".alert")
    assert devis.statut == "envoye" and re.fullmatch(r"DEV-\d{4}-0001", devis.numero)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["helene.lefevre@clinique.example"]
    assert mail.outbox[0].attachments[0][2] == "application/pdf"

    # The client accepts; agreement and contract review; launch.
    _radio(page, "reponse-decision", "accepte")
    with page.expect_navigation():
        page.click("button:has-text('Enregistrer la réponse')")
    page.click("text=Enregistrer l'accord")
    page.select_option("select[name=type]", "bon_commande")
    page.fill("input[name=reference_client]", "BC-2026-117")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/revue-de-contrat/$"))
    _radio(page, "prix_conforme", "True")
    _radio(page, "conditions_conformes", "True")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/devis/{devis.pk}/")
    page.click("text=Lancer la mission")
    page.check(f"input[name=consultants][value='{consultant.pk}']")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/missions/\d+/$"))

    mission = Mission.objects.get()
    assert list(mission.consultants.all()) == [consultant]
    assert Organisation.objects.get(raison_sociale="Clinique Saint-Éloi").est_client
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "parcours-mission-lancee.png"), full_page=True)


def test_todo_page_lists_the_relance_with_a_click_to_call_link(live_server, page, gerant):
    from datetime import timedelta

    from django.utils import timezone

    from crm.calendrier import ajouter_jours_ouvres
    from crm.regles import appliquer
    from tests.factories import devis_envoye

    le = timezone.localdate()
    envoi = le - timedelta(days=9)
    while ajouter_jours_ouvres(envoi, 5) > le:
        envoi -= timedelta(days=1)
    devis = devis_envoye(envoi)
    appliquer(le)

    connexion(page, live_server.url, "gerant")
    texte = page.inner_text("body")
    assert devis.numero in texte
    assert page.locator("a[href^='tel:']").count() >= 1
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "aujourdhui.png"), full_page=True)

    # One click from the to-do list: done by phone, with a note; back on the same page.
    page.click("summary:has-text('Enregistrer la relance')")
    page.fill("textarea[name=note]", "Bien reçu, réponse la semaine prochaine.")
    with page.expect_navigation():
        page.click("button:has-text('Relancé par téléphone')")
    assert page.url == f"{live_server.url}/"
    relance = Relance.objects.get(devis=devis)
    assert relance.mode == "telephone" and relance.faite_le == le
    assert relance.note == "Bien reçu, réponse la semaine prochaine."
    assert "Relance enregistrée" in page.inner_text("body")
    assert devis.numero not in page.inner_text("main")  # nothing left to chase
