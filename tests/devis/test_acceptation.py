"""« Bon pour accord » by the client's link (issue 10): the link's whole life, the evidence of
an acceptance, refusals and questions reaching the gérant, the page's safety, concurrency."""

from __future__ import annotations

import hashlib
import re
import subprocess
import threading
from datetime import date, datetime, timedelta
from html import unescape

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from crm import digest
from crm.exceptions import RefusMetier
from crm.regles import appliquer
from devis.models import Accord, Devis, MotifRefus, QuestionClient, Relance, StatutDevis
from devis.services import (
    DejaAccepte,
    LienInactif,
    RevueContrat,
    accepter_en_ligne,
    annuler_devis,
    enregistrer_reponse,
    envoyer_devis,
    etat_lien,
    faire_revue_contrat,
    lancer_mission,
    lien_acceptation,
    poser_question,
    refuser_en_ligne,
    reviser_devis,
    verifier_signature,
)
from tests.factories import DevisFactory, OrganisationFactory, devis_envoye

# A real 1×1 PNG, as a browser's canvas.toDataURL() would send it.
PNG = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
NAVIGATEUR = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


@pytest.fixture(autouse=True)
def _compteurs_remis_a_zero():
    # The rate limit counts in the cache, shared by the whole run: start and leave it clean.
    cache.clear()
    yield
    cache.clear()


def texte_pdf(contenu: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=contenu, capture_output=True, check=True
    ).stdout.decode()


def sans_blancs(texte: str) -> str:
    return re.sub(r"\s+", "", texte)


def aujourdhui() -> date:
    return timezone.localdate()


def envoye_aujourdhui(**kwargs) -> Devis:
    """A quote sent today: its link is open whatever day the suite runs."""
    return devis_envoye(aujourdhui(), **kwargs)


def accepter(client, chemin: str, **champs):
    donnees = {
        "action": "accepter",
        "accepter-nom": "Claire Dupont",
        "accepter-fonction": "DRH",
        "accepter-conditions": "on",
        **champs,
    }
    return client.post(chemin, donnees, REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT=NAVIGATEUR)


# --- The email and the page ----------------------------------------------------------------------


@pytest.mark.django_db
def test_devis_email_carries_the_public_link(gerant):
    devis = envoyer_devis(DevisFactory(), le=aujourdhui())
    (email,) = mail.outbox
    lien = "http://testserver" + lien_acceptation(devis)
    assert lien in email.body
    assert lien in email.alternatives[0][0]


@pytest.mark.django_db
def test_open_link_shows_the_quote_three_choices_and_safe_headers(client):
    devis = envoye_aujourdhui(lignes=[("Évaluation individuelle", 2, "1234.50")])
    autre = envoye_aujourdhui(organisation=OrganisationFactory(raison_sociale="Concurrent SA"))
    reponse = client.get(lien_acceptation(devis))
    assert reponse.status_code == 200
    assert reponse["Referrer-Policy"] == "no-referrer"
    assert "no-store" in reponse["Cache-Control"]
    page = reponse.content.decode()
    assert '<html lang="fr">' in page
    assert devis.reference in page and "2 469,00" in page
    assert "2 962,80" in page  # total TTC (TVA 20 %), the same block as the gérant's page
    for choix in ("Accepter le devis", "Refuser le devis", "Poser une question"):
        assert choix in page
    assert "js/signature.js" in page
    # Nothing about any other quote.
    assert "Concurrent SA" not in page and autre.reference not in page
    # The PDF is there to download.
    pdf = client.get(lien_acceptation(devis) + "?pdf=1")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf["Referrer-Policy"] == "no-referrer"


@pytest.mark.django_db
def test_the_gerant_page_shows_the_same_totals(client_gerant):
    devis = envoye_aujourdhui(lignes=[("Évaluation individuelle", 2, "1234.50")])
    page = client_gerant.get(devis.get_absolute_url()).content.decode()
    assert "Total HT" in page and "2 469,00" in page
    assert "TVA 20 %" in page and "493,80" in page
    assert "Total TTC" in page and "2 962,80" in page


@pytest.mark.django_db
def test_wrong_token_is_a_plain_french_404(client):
    devis = envoye_aujourdhui()
    chemin = lien_acceptation(devis)
    jeton = chemin.rstrip("/").rsplit("/", 1)[-1]
    faux = chemin.replace(jeton, jeton[:-1] + ("A" if jeton[-1] != "A" else "B"))
    reponse = client.get(faux)
    assert reponse.status_code == 404
    assert "Lien introuvable" in reponse.content.decode()
    assert devis.reference not in reponse.content.decode()
    assert accepter(client, faux).status_code == 404
    assert not Accord.objects.exists()


# --- Acceptance: the evidence ----------------------------------------------------------------------


@pytest.mark.django_db
def test_acceptance_by_the_page_records_the_evidence_and_tells_everyone(client, gerant):
    devis = envoye_aujourdhui()
    chemin = lien_acceptation(devis)
    telecharge = client.get(chemin + "?pdf=1").content  # what the client read before accepting
    reponse = accepter(client, chemin, **{"accepter-signature": PNG})
    assert reponse.status_code == 302 and reponse["Location"] == f"{chemin}?merci=accepte"

    devis.refresh_from_db()
    assert devis.statut == StatutDevis.ACCEPTE and devis.reponse == "accepte"
    assert devis.reponse_le == aujourdhui()
    accord = Accord.objects.get(devis=devis)
    assert accord.type == "acceptation_en_ligne" and accord.recu_le == aujourdhui()
    assert (accord.signataire_nom, accord.signataire_fonction) == ("Claire Dupont", "DRH")
    assert accord.ip == "203.0.113.7" and accord.navigateur == NAVIGATEUR
    assert accord.signature == verifier_signature(PNG)  # kept as Pillow re-wrote it
    assert accord.horodatage is not None
    assert abs(timezone.now() - accord.horodatage) < timedelta(minutes=1)
    assert accord.revue_le is None  # the revue de contrat is the gérant's, later
    # The SHA-256 is of the exact PDF bytes accepted, kept as the agreement's document.
    with accord.document.open("rb") as f:
        accepte = f.read()
    assert accepte.startswith(b"%PDF")
    assert accord.empreinte_pdf == hashlib.sha256(accepte).hexdigest()
    assert accord.empreinte_pdf == hashlib.sha256(telecharge).hexdigest()  # same bytes
    assert devis.reference in texte_pdf(accepte)
    # The quote's history says how the answer came.
    raisons = list(devis.history.values_list("history_change_reason", flat=True))
    assert "Acceptation en ligne par Claire Dupont (DRH)" in raisons

    # Emails: the gérant at once, the client with the stamped PDF.
    au_gerant = [m for m in mail.outbox if gerant.email in m.to]
    au_client = [m for m in mail.outbox if devis.contact.email in m.to]
    assert len(au_gerant) == 1 and len(au_client) == 1
    assert "accepté en ligne" in au_gerant[0].subject
    assert "Claire Dupont" in au_gerant[0].body and accord.empreinte_pdf in au_gerant[0].body
    assert "revue de contrat" in au_gerant[0].body
    confirmation = au_client[0]
    assert "Confirmation" in confirmation.subject
    ((nom, contenu, type_mime),) = confirmation.attachments
    assert nom.endswith(".pdf") and type_mime == "application/pdf"
    texte = texte_pdf(contenu)
    assert "Claire Dupont" in texte and "DRH" in texte
    assert "Accepté en ligne le" in texte
    assert accord.empreinte_pdf in sans_blancs(texte)
    assert devis.reference in texte

    # The page now says so, and the PDF offered is the stamped one.
    page = client.get(f"{chemin}?merci=accepte").content.decode()
    assert "Merci : votre accord est enregistré" in page
    assert "déjà accepté le" in page and "Claire Dupont" in page
    assert "Je donne mon accord" not in page
    tamponne = client.get(chemin + "?pdf=1")
    assert accord.empreinte_pdf in sans_blancs(texte_pdf(tamponne.content))


@pytest.mark.django_db
def test_reopening_an_accepted_link_shows_deja_accepte_and_a_second_acceptance_is_impossible(
    client,
):
    devis = envoye_aujourdhui()
    chemin = lien_acceptation(devis)
    assert accepter(client, chemin).status_code == 302
    mail.outbox.clear()

    page = client.get(chemin)
    assert page.status_code == 200
    texte = page.content.decode()
    assert "déjà accepté le" in texte and f"{aujourdhui():%d/%m/%Y}" in texte
    assert "form-accepter" not in texte

    encore = accepter(client, chemin, **{"accepter-nom": "Quelqu'un d'autre"})
    assert encore.status_code == 409
    assert "déjà accepté" in encore.content.decode()
    assert Accord.objects.filter(devis=devis).count() == 1
    assert Accord.objects.get(devis=devis).signataire_nom == "Claire Dupont"
    assert mail.outbox == []
    with pytest.raises(DejaAccepte):
        accepter_en_ligne(devis, nom="X", fonction="Y", ip=None, navigateur="", le=timezone.now())


@pytest.mark.django_db
def test_acceptance_stops_the_relance_and_sans_suite_rules():
    envoi = date(2026, 3, 2)
    devis = devis_envoye(envoi)
    le = timezone.make_aware(datetime(2026, 3, 4, 10, 30))
    accord = accepter_en_ligne(
        devis, nom="Claire Dupont", fonction="DRH", ip="192.0.2.1", navigateur="test", le=le
    )
    assert accord.recu_le == date(2026, 3, 4) and accord.horodatage == le
    resultat = appliquer(date(2026, 3, 20))
    assert devis.numero not in resultat["relances_dues"]
    resultat = appliquer(date(2026, 4, 10))
    assert devis.numero not in resultat["sans_suite"]
    devis.refresh_from_db()
    assert devis.statut == StatutDevis.ACCEPTE and devis.reponse_le == date(2026, 3, 4)
    assert not Relance.objects.filter(devis=devis).exists()


@pytest.mark.django_db
def test_launch_still_needs_the_contract_review_after_an_online_acceptance(gerant):
    devis = envoye_aujourdhui()
    accord = accepter_en_ligne(
        devis, nom="Claire Dupont", fonction="DRH", ip=None, navigateur="", le=timezone.now()
    )
    # Until the review, the « Aujourd'hui » page lists it.
    sections = {s.cle: s for s in digest.contenu(gerant, aujourdhui())}
    (ligne,) = sections["acceptations_en_ligne"].lignes
    assert devis.reference in ligne.texte and "Claire Dupont" in ligne.detail
    assert ligne.url == reverse("devis:revue_contrat", args=[devis.pk])
    with pytest.raises(RefusMetier, match="revue de contrat"):
        lancer_mission(devis, debut=aujourdhui())

    faire_revue_contrat(
        accord, RevueContrat(prix_conforme=True, conditions_conformes=True), le=aujourdhui()
    )
    sections = {s.cle for s in digest.contenu(gerant, aujourdhui())}
    assert "acceptations_en_ligne" not in sections
    assert lancer_mission(devis, debut=aujourdhui()).devis_id == devis.pk


@pytest.mark.django_db
def test_accueil_page_shows_the_online_acceptance_to_check(client_gerant):
    devis = envoye_aujourdhui()
    accepter_en_ligne(
        devis, nom="Claire Dupont", fonction="DRH", ip=None, navigateur="", le=timezone.now()
    )
    page = client_gerant.get(reverse("accueil")).content.decode()
    assert "Acceptations en ligne à vérifier" in page
    assert devis.reference in page
    detail = client_gerant.get(devis.get_absolute_url()).content.decode()
    assert "SHA-256 du PDF accepté" in detail
    assert Accord.objects.get(devis=devis).empreinte_pdf in detail


@pytest.mark.django_db
def test_acceptance_needs_name_function_and_the_conditions_box(client):
    devis = envoye_aujourdhui()
    chemin = lien_acceptation(devis)
    sans_case = accepter(client, chemin, **{"accepter-conditions": ""})
    assert sans_case.status_code == 400
    assert "Cochez la case" in sans_case.content.decode()
    sans_nom = accepter(client, chemin, **{"accepter-nom": "  "})
    assert sans_nom.status_code == 400
    mauvaise_signature = accepter(
        client, chemin, **{"accepter-signature": "data:image/png;base64,PHN2Zz48L3N2Zz4="}
    )
    assert mauvaise_signature.status_code == 400
    assert "signature dessinée n'est pas lisible" in unescape(mauvaise_signature.content.decode())
    assert not Accord.objects.exists()
    devis.refresh_from_db()
    assert devis.statut == StatutDevis.ENVOYE and devis.reponse_le is None


@pytest.mark.django_db
def test_an_agreement_already_in_the_database_makes_the_acceptance_roll_back():
    """The unique agreement per quote is the last guard: the IntegrityError becomes « déjà
    accepté » and the answer set in the same transaction is undone."""
    devis = envoye_aujourdhui()
    Accord.objects.create(devis=devis, type="bon_commande", recu_le=aujourdhui())
    with pytest.raises(DejaAccepte, match="déjà accepté"):
        accepter_en_ligne(
            devis, nom="Claire Dupont", fonction="DRH", ip=None, navigateur="", le=timezone.now()
        )
    devis.refresh_from_db()
    assert devis.statut == StatutDevis.ENVOYE and devis.reponse_le is None
    assert Accord.objects.filter(devis=devis).count() == 1


# --- The link dies: revised, expired, cancelled, refused --------------------------------------------


@pytest.mark.django_db
def test_revised_quote_old_link_opens_nothing_and_the_current_one_names_the_new_version(client):
    ancien = envoye_aujourdhui()
    chemin = lien_acceptation(ancien)
    nouveau = reviser_devis(ancien)
    # The link the client received is dead: it shows neither the old offer nor a form.
    page = client.get(chemin)
    assert page.status_code == 404
    texte = page.content.decode()
    assert "remplacé par une nouvelle version" in texte and ancien.reference not in texte
    assert accepter(client, chemin).status_code == 404
    assert not Accord.objects.exists()
    # The gérant's current link of the cancelled version says which version replaced it.
    ancien.refresh_from_db()
    texte = client.get(lien_acceptation(ancien)).content.decode()
    assert "annulé et remplacé par une nouvelle version" in texte
    assert nouveau.reference in texte  # « DEV-AAAA-NNNN v2 »
    assert "form-accepter" not in texte
    # The new version, once sent, has its own link, open.
    envoye = envoyer_devis(nouveau, le=aujourdhui(), email=False)
    assert lien_acceptation(envoye) != chemin
    assert "form-accepter" in client.get(lien_acceptation(envoye)).content.decode()


@pytest.mark.django_db
def test_expired_offer_cannot_be_accepted(client):
    devis = devis_envoye(aujourdhui() - timedelta(days=40))  # 30 days' validity by default
    chemin = lien_acceptation(devis)
    texte = client.get(chemin).content.decode()
    assert "Offre expirée" in texte and "form-accepter" not in texte
    assert accepter(client, chemin).status_code == 409
    with pytest.raises(LienInactif, match="Offre expirée"):
        accepter_en_ligne(
            devis, nom="Claire Dupont", fonction="DRH", ip=None, navigateur="", le=timezone.now()
        )
    # The last valid day still works.
    assert etat_lien(devis, le=devis.date_validite).ouvert
    assert not etat_lien(devis, le=devis.date_validite + timedelta(days=1)).ouvert
    assert not Accord.objects.exists()


@pytest.mark.django_db
def test_cancelled_quote_link_is_dead(client):
    devis = envoye_aujourdhui()
    chemin = lien_acceptation(devis)
    annuler_devis(devis)
    assert client.get(chemin).status_code == 404
    assert accepter(client, chemin).status_code == 404
    devis.refresh_from_db()
    texte = client.get(lien_acceptation(devis)).content.decode()
    assert "Ce devis a été annulé" in texte and "form-accepter" not in texte
    assert accepter(client, lien_acceptation(devis)).status_code == 409


@pytest.mark.django_db
def test_quote_answered_by_the_gerant_closes_the_link(client):
    devis = envoye_aujourdhui()
    chemin = lien_acceptation(devis)
    enregistrer_reponse(devis, decision="refuse", le=aujourdhui())
    texte = client.get(chemin).content.decode()
    assert "Ce devis a été refusé" in texte and "form-accepter" not in texte
    assert accepter(client, chemin).status_code == 409


@pytest.mark.django_db
def test_en_discussion_keeps_the_link_open(client):
    devis = envoye_aujourdhui()
    enregistrer_reponse(devis, decision="en_discussion", le=aujourdhui())
    assert accepter(client, lien_acceptation(devis)).status_code == 302
    assert Accord.objects.filter(devis=devis).exists()


# --- Refusal and question reach the gérant and stay on the quote -----------------------------------


@pytest.mark.django_db
def test_refusal_by_the_page_with_a_listed_reason(client, gerant):
    devis = envoye_aujourdhui()
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
    assert devis.reponse_le == aujourdhui()
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
    devis = envoye_aujourdhui()
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
        refuser_en_ligne(DevisFactory(), le=aujourdhui())  # no reason given


@pytest.mark.django_db
def test_question_reaches_the_gerant_and_stays_on_the_quote(client, client_gerant, gerant):
    devis = envoye_aujourdhui()
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
    assert question.posee_le == aujourdhui()
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
    devis = envoye_aujourdhui()
    enregistrer_reponse(devis, decision="accepte", le=aujourdhui())
    with pytest.raises(DejaAccepte):
        poser_question(devis, message="Encore une chose", le=aujourdhui())
    with pytest.raises(RefusMetier):
        poser_question(envoye_aujourdhui(), message="   ", le=aujourdhui())
    assert not QuestionClient.objects.exists()


# --- Rate limit ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_is_rate_limited_with_a_french_429(client, settings):
    settings.CRM_DEVIS_LIEN_LIMITE = "3/m"
    chemin = lien_acceptation(envoye_aujourdhui())
    for _ in range(3):
        assert client.get(chemin).status_code == 200
    trop = client.get(chemin)
    assert trop.status_code == 429
    assert "Trop de tentatives" in trop.content.decode()
    assert trop["Referrer-Policy"] == "no-referrer" and "no-store" in trop["Cache-Control"]
    # Guessing tokens is limited too, before any lookup.
    assert client.get(chemin.replace(chemin[-6:-1], "zzzzz")).status_code == 429
    refus = client.post(chemin, {"action": "refuser", "refuser-precision": "Trop cher."})
    assert refus.status_code == 429
    assert Devis.objects.get().statut == StatutDevis.ENVOYE
    # The limit is per address: another client is not blocked.
    assert client.get(chemin, REMOTE_ADDR="192.0.2.55").status_code == 200


# --- Concurrency ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_acceptances_at_once_create_one_accord():
    devis = envoye_aujourdhui()
    depart = threading.Barrier(2)
    resultats: list[str] = []
    verrou = threading.Lock()

    def accepter_dans_un_fil(nom: str) -> None:
        try:
            depart.wait(10)
            accepter_en_ligne(
                devis, nom=nom, fonction="DRH", ip="192.0.2.9", navigateur="fil", le=timezone.now()
            )
            issue = "accepte"
        except DejaAccepte:
            issue = "deja"
        except Exception as exc:  # reported by the assertion below
            issue = f"erreur : {exc!r}"
        finally:
            connection.close()
        with verrou:
            resultats.append(issue)

    fils = [
        threading.Thread(target=accepter_dans_un_fil, args=(nom,))
        for nom in ("Claire Dupont", "Paul Martin")
    ]
    for f in fils:
        f.start()
    for f in fils:
        f.join(120)

    assert sorted(resultats) == ["accepte", "deja"], resultats
    assert Accord.objects.filter(devis=devis).count() == 1
    devis.refresh_from_db()
    assert devis.statut == StatutDevis.ACCEPTE
    # One acceptance, one set of emails (gérant alert skipped here: no gérant; the client's).
    confirmations = [m for m in mail.outbox if "Confirmation" in m.subject]
    assert len(confirmations) == 1
