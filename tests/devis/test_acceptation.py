"""« Bon pour accord » by the client's link (issue 10): the email and the page, the evidence
of an acceptance, concurrency. The link's end and the other answers: test_lien_ferme.py,
test_refus_et_questions.py."""

from __future__ import annotations

import hashlib
import re
import subprocess
import threading
from datetime import date, datetime, timedelta
from html import unescape

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from crm import digest
from crm.exceptions import RefusMetier
from crm.regles import appliquer
from devis.models import Accord, Relance, StatutDevis
from devis.services import (
    DejaAccepte,
    RevueContrat,
    accepter_en_ligne,
    envoyer_devis,
    faire_revue_contrat,
    lancer_mission,
    lien_acceptation,
    verifier_signature,
)
from tests.factories import (
    DevisFactory,
    OrganisationFactory,
    devis_envoye,
    devis_envoye_aujourdhui,
)
from tests.outils import NAVIGATEUR, accepter_par_le_lien

pytestmark = pytest.mark.usefixtures("cache_vide")  # the rate limit counts in the cache


# A real 1×1 PNG, as a browser's canvas.toDataURL() would send it.
PNG = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def texte_pdf(contenu: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=contenu, capture_output=True, check=True
    ).stdout.decode()


def sans_blancs(texte: str) -> str:
    return re.sub(r"\s+", "", texte)


# --- The email and the page ----------------------------------------------------------------------


@pytest.mark.django_db
def test_devis_email_carries_the_public_link(gerant):
    devis = envoyer_devis(DevisFactory(), le=timezone.localdate())
    (email,) = mail.outbox
    lien = "http://testserver" + lien_acceptation(devis)
    assert lien in email.body
    assert lien in email.alternatives[0][0]


@pytest.mark.django_db
def test_open_link_shows_the_quote_three_choices_and_safe_headers(client):
    devis = devis_envoye_aujourdhui(lignes=[("Évaluation individuelle", 2, "1234.50")])
    autre = devis_envoye_aujourdhui(
        organisation=OrganisationFactory(raison_sociale="Concurrent SA")
    )
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
    devis = devis_envoye_aujourdhui(lignes=[("Évaluation individuelle", 2, "1234.50")])
    page = client_gerant.get(devis.get_absolute_url()).content.decode()
    assert "Total HT" in page and "2 469,00" in page
    assert "TVA 20 %" in page and "493,80" in page
    assert "Total TTC" in page and "2 962,80" in page


@pytest.mark.django_db
def test_wrong_token_is_a_plain_french_404(client):
    devis = devis_envoye_aujourdhui()
    chemin = lien_acceptation(devis)
    jeton = chemin.rstrip("/").rsplit("/", 1)[-1]
    faux = chemin.replace(jeton, jeton[:-1] + ("A" if jeton[-1] != "A" else "B"))
    reponse = client.get(faux)
    assert reponse.status_code == 404
    assert "Lien introuvable" in reponse.content.decode()
    assert devis.reference not in reponse.content.decode()
    assert accepter_par_le_lien(client, faux).status_code == 404
    assert not Accord.objects.exists()


# --- Acceptance: the evidence ----------------------------------------------------------------------


@pytest.mark.django_db
def test_acceptance_by_the_page_records_the_evidence_and_tells_everyone(client, gerant):
    devis = devis_envoye_aujourdhui()
    chemin = lien_acceptation(devis)
    telecharge = client.get(chemin + "?pdf=1").content  # what the client read before accepting
    reponse = accepter_par_le_lien(client, chemin, **{"accepter-signature": PNG})
    assert reponse.status_code == 302 and reponse["Location"] == f"{chemin}?merci=accepte"

    devis.refresh_from_db()
    assert devis.statut == StatutDevis.ACCEPTE and devis.reponse == "accepte"
    assert devis.reponse_le == timezone.localdate()
    accord = Accord.objects.get(devis=devis)
    assert accord.type == "acceptation_en_ligne" and accord.recu_le == timezone.localdate()
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
    devis = devis_envoye_aujourdhui()
    chemin = lien_acceptation(devis)
    assert accepter_par_le_lien(client, chemin).status_code == 302
    mail.outbox.clear()

    page = client.get(chemin)
    assert page.status_code == 200
    texte = page.content.decode()
    assert "déjà accepté le" in texte and f"{timezone.localdate():%d/%m/%Y}" in texte
    assert "form-accepter" not in texte

    encore = accepter_par_le_lien(client, chemin, **{"accepter-nom": "Quelqu'un d'autre"})
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
    devis = devis_envoye_aujourdhui()
    accord = accepter_en_ligne(
        devis, nom="Claire Dupont", fonction="DRH", ip=None, navigateur="", le=timezone.now()
    )
    # Until the review, the « Aujourd'hui » page lists it.
    sections = {s.cle: s for s in digest.contenu(gerant, timezone.localdate())}
    (ligne,) = sections["acceptations_en_ligne"].lignes
    assert devis.reference in ligne.texte and "Claire Dupont" in ligne.detail
    assert ligne.url == reverse("devis:revue_contrat", args=[devis.pk])
    with pytest.raises(RefusMetier, match="revue de contrat"):
        lancer_mission(devis, debut=timezone.localdate())

    faire_revue_contrat(
        accord, RevueContrat(prix_conforme=True, conditions_conformes=True), le=timezone.localdate()
    )
    sections = {s.cle for s in digest.contenu(gerant, timezone.localdate())}
    assert "acceptations_en_ligne" not in sections
    assert lancer_mission(devis, debut=timezone.localdate()).devis_id == devis.pk


@pytest.mark.django_db
def test_accueil_page_shows_the_online_acceptance_to_check(client_gerant):
    devis = devis_envoye_aujourdhui()
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
    devis = devis_envoye_aujourdhui()
    chemin = lien_acceptation(devis)
    sans_case = accepter_par_le_lien(client, chemin, **{"accepter-conditions": ""})
    assert sans_case.status_code == 400
    assert "Cochez la case" in sans_case.content.decode()
    sans_nom = accepter_par_le_lien(client, chemin, **{"accepter-nom": "  "})
    assert sans_nom.status_code == 400
    mauvaise_signature = accepter_par_le_lien(
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
    devis = devis_envoye_aujourdhui()
    Accord.objects.create(devis=devis, type="bon_commande", recu_le=timezone.localdate())
    with pytest.raises(DejaAccepte, match="déjà accepté"):
        accepter_en_ligne(
            devis, nom="Claire Dupont", fonction="DRH", ip=None, navigateur="", le=timezone.now()
        )
    devis.refresh_from_db()
    assert devis.statut == StatutDevis.ENVOYE and devis.reponse_le is None
    assert Accord.objects.filter(devis=devis).count() == 1


# --- Concurrency ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_acceptances_at_once_create_one_accord():
    devis = devis_envoye_aujourdhui()
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
