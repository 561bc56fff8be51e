"""Refusal and question by the client's link (issue 10) reach the gérant and stay on the quote."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from crm.exceptions import RefusMetier
from devis.models import Accord, MotifRefus, QuestionClient, StatutDevis
from devis.services import (
    DejaAccepte,
    enregistrer_reponse,
    lien_acceptation,
    poser_question,
    refuser_en_ligne,
)
from tests.factories import (
    DevisFactory,
    devis_envoye_aujourdhui,
)

pytestmark = pytest.mark.usefixtures("cache_vide")  # the rate limit counts in the cache


# --- Refusal and question reach the gérant and stay on the quote -----------------------------------


@pytest.mark.django_db
def test_refusal_by_the_page_with_a_listed_reason(client, gerant):
    devis = devis_envoye_aujourdhui()
    chemin = lien_acceptation(devis)
    motif = MotifRefus.objects.filter(actif=True).first()
    reponse = client.post(
        chemin,
        {
            "action": "refuser",
            "refuser-motif_refus": motif.pk,
            "refuser-precision": "Budget reporté à l'an prochain.",
            "refuser-nom": "Claire Dupont",
        },
    )
    assert reponse.status_code == 302
    devis.refresh_from_db()
    assert devis.statut == StatutDevis.REFUSE and devis.motif_refus == motif
    assert devis.reponse_le == timezone.localdate()
    assert "Budget reporté" in devis.commentaire_reponse
    raisons = list(devis.history.values_list("history_change_reason", flat=True))
    assert f"Refus en ligne par Claire Dupont : {motif.libelle}" in raisons
    (email,) = mail.outbox
    assert email.to == [gerant.email] and "refusé en ligne" in email.subject
    assert motif.libelle in email.body and "Budget reporté" in email.body
    assert "Ce devis a été refusé" in client.get(chemin).content.decode()
    assert not Accord.objects.exists()


@pytest.mark.django_db
def test_refusal_needs_a_reason_free_text_is_enough(client, gerant):
    devis = devis_envoye_aujourdhui()
    chemin = lien_acceptation(devis)
    vide = client.post(chemin, {"action": "refuser"})
    assert vide.status_code == 400
    assert "Indiquez la raison de votre refus" in vide.content.decode()
    devis.refresh_from_db()
    assert devis.statut == StatutDevis.ENVOYE
    libre = client.post(chemin, {"action": "refuser", "refuser-precision": "Trop cher."})
    assert libre.status_code == 302
    devis.refresh_from_db()
    assert devis.statut == StatutDevis.REFUSE and devis.motif_refus is None
    assert "Trop cher." in mail.outbox[-1].body
    with pytest.raises(RefusMetier):
        refuser_en_ligne(DevisFactory(), le=timezone.localdate())  # no reason given


@pytest.mark.django_db
def test_question_reaches_the_gerant_and_stays_on_the_quote(client, client_gerant, gerant):
    devis = devis_envoye_aujourdhui()
    chemin = lien_acceptation(devis)
    reponse = client.post(
        chemin,
        {
            "action": "question",
            "question-message": "La restitution peut-elle se faire en visio ?",
            "question-nom": "Claire Dupont",
        },
        REMOTE_ADDR="198.51.100.4",
    )
    assert reponse.status_code == 302 and reponse["Location"].endswith("?merci=question")
    question = QuestionClient.objects.get(devis=devis)
    assert question.nom == "Claire Dupont" and question.ip == "198.51.100.4"
    assert question.posee_le == timezone.localdate()
    # A question is not an answer: the relance rules keep running.
    devis.refresh_from_db()
    assert devis.statut == StatutDevis.ENVOYE and devis.reponse_le is None
    raisons = list(devis.history.values_list("history_change_reason", flat=True))
    assert any(r and r.startswith("Question du client : « La restitution") for r in raisons)
    (email,) = mail.outbox
    assert email.to == [gerant.email] and devis.reference in email.subject
    assert "en visio" in email.body and devis.contact.email in email.body
    page = client.get(f"{chemin}?merci=question").content.decode()
    assert "Votre question a bien été transmise" in page and "form-accepter" in page
    # On the quote's page and in the « Aujourd'hui » page for the gérant.
    detail = client_gerant.get(devis.get_absolute_url()).content.decode()
    assert "Questions du client" in detail and "en visio" in detail
    assert "Question du client" in detail  # the history line
    accueil = client_gerant.get(reverse("accueil")).content.decode()
    assert "Questions de clients sur leurs devis" in accueil


@pytest.mark.django_db
def test_question_on_a_dead_link_is_refused():
    devis = devis_envoye_aujourdhui()
    enregistrer_reponse(devis, decision="accepte", le=timezone.localdate())
    with pytest.raises(DejaAccepte):
        poser_question(devis, message="Encore une chose", le=timezone.localdate())
    with pytest.raises(RefusMetier):
        poser_question(devis_envoye_aujourdhui(), message="   ", le=timezone.localdate())
    assert not QuestionClient.objects.exists()
