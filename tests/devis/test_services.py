"""Quotes through their services (PROC-020 §3.3–3.5, DESIGN §5 and §9): numbering, sending with
the PDF by email, the client's answer, the one relance, revisions, the public link, the PDF."""

from __future__ import annotations

import re
import subprocess
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection

from crm.calendrier import ajouter_jours_ouvres
from crm.exceptions import RefusMetier
from crm.models import Compteur, EmailEnvoye
from crm.pdf import nouveau_fetcher
from devis.models import Devis, Relance
from devis.pdf import devis_pdf
from devis.services import (
    EnvoiEchoue,
    RelanceDejaFaite,
    enregistrer_relance,
    enregistrer_reponse,
    envoyer_devis,
    lien_acceptation,
    reviser_devis,
)
from tests.factories import (
    ContactFactory,
    DemandeFactory,
    DevisFactory,
    OrganisationFactory,
    demande_avec_revue,
    devis_envoye,
)

pytestmark = pytest.mark.django_db

# Emails leave only outside any transaction (crm.emails.expedier refuses otherwise), so the tests
# that send one commit for real; the serialized rollback brings back the migrations' data
# (groups, standard template) that a flush removes.
avec_commit = pytest.mark.django_db(transaction=True)

LUNDI = date(2026, 3, 2)


class BackendEnPanne(BaseEmailBackend):
    """An SMTP server that cannot be reached."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP injoignable")


def texte_pdf(contenu: bytes) -> str:
    """Text of a PDF by poppler's pdftotext, whitespace normalised (thin / no-break spaces)."""
    sortie = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=contenu,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return re.sub(r"[ \u00a0\u202f]+", " ", sortie)


# --- Numbering and due dates -------------------------------------------------------------------


def test_sending_numbers_devis_gap_free_per_year():
    premier = envoyer_devis(DevisFactory(), le=LUNDI, email=False)
    second = envoyer_devis(DevisFactory(), le=LUNDI + timedelta(days=1), email=False)
    en_2027 = envoyer_devis(DevisFactory(), le=date(2027, 1, 4), email=False)
    troisieme = envoyer_devis(DevisFactory(), le=date(2026, 12, 31), email=False)
    assert premier.numero == "DEV-2026-0001"
    assert second.numero == "DEV-2026-0002"
    assert en_2027.numero == "DEV-2027-0001"
    assert troisieme.numero == "DEV-2026-0003"


def test_sending_sets_status_and_both_due_dates():
    devis = envoyer_devis(DevisFactory(), le=LUNDI, email=False)
    assert devis.statut == "envoye"
    assert devis.envoye_le == LUNDI
    assert devis.reponse_le is None
    assert devis.relance_due_le == ajouter_jours_ouvres(LUNDI, 5) == date(2026, 3, 9)
    assert devis.sans_suite_le == date(2026, 4, 2)


def test_sans_suite_date_of_a_devis_sent_on_31_january_is_28_february():
    devis = envoyer_devis(DevisFactory(), le=date(2026, 1, 31), email=False)
    assert devis.sans_suite_le == date(2026, 2, 28)
    assert devis.relance_due_le == ajouter_jours_ouvres(date(2026, 1, 31), 5) == date(2026, 2, 6)


def test_relance_date_skips_the_may_holidays():
    devis = envoyer_devis(DevisFactory(), le=date(2026, 4, 30), email=False)
    assert devis.relance_due_le == date(2026, 5, 11)


def test_a_sent_devis_cannot_be_sent_again():
    devis = devis_envoye(LUNDI)
    with pytest.raises(RefusMetier, match="seul un brouillon"):
        envoyer_devis(devis, le=LUNDI, email=False)
    assert Devis.objects.get(pk=devis.pk).numero == "DEV-2026-0001"


# --- Refusals ------------------------------------------------------------------------------------


def test_devis_without_line_is_refused_and_takes_no_number():
    devis = DevisFactory()
    devis.lignes.all().delete()
    with pytest.raises(RefusMetier, match="aucune ligne"):
        envoyer_devis(devis, le=LUNDI, email=False)
    devis.refresh_from_db()
    assert (devis.statut, devis.numero) == ("brouillon", None)
    assert envoyer_devis(DevisFactory(), le=LUNDI, email=False).numero == "DEV-2026-0001"


def test_devis_of_a_demande_without_review_is_refused():
    demande = DemandeFactory()  # still « nouvelle »: no feasibility review yet
    devis = DevisFactory(demande=demande, organisation=demande.organisation)
    with pytest.raises(RefusMetier, match="Go"):
        envoyer_devis(devis, le=LUNDI, email=False)
    assert Devis.objects.get(pk=devis.pk).statut == "brouillon"


def test_devis_of_a_demande_with_no_go_review_is_refused():
    demande = demande_avec_revue("no_go")
    devis = DevisFactory(demande=demande, organisation=demande.organisation)
    with pytest.raises(RefusMetier) as exc:
        envoyer_devis(devis, le=LUNDI, email=False)
    assert "revue de faisabilité" in exc.value.message
    assert exc.value.lien  # the gérant is shown where to fix it
    assert Devis.objects.get(pk=devis.pk).numero is None


def test_devis_of_a_demande_with_go_review_is_sent():
    demande = demande_avec_revue("go")
    devis = DevisFactory(demande=demande, organisation=demande.organisation)
    assert envoyer_devis(devis, le=LUNDI, email=False).statut == "envoye"


def test_sending_by_email_without_contact_email_is_refused():
    devis = DevisFactory(contact=ContactFactory(email=""))
    with pytest.raises(RefusMetier, match="adresse email"):
        envoyer_devis(devis, le=LUNDI, email=True)
    assert Devis.objects.get(pk=devis.pk).statut == "brouillon"
    assert not mail.outbox
    # Marking it as sent from the gérant's own mailbox needs no address.
    assert envoyer_devis(devis, le=LUNDI, email=False).statut == "envoye"


# --- Sending by email ----------------------------------------------------------------------------


@avec_commit
def test_sending_by_email_mails_the_pdf_to_the_contact_and_records_it(gerant):
    devis = DevisFactory()
    devis = envoyer_devis(devis, le=LUNDI, par=gerant, email=True)
    assert devis.statut == "envoye"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [devis.contact.email]
    assert devis.numero in message.subject
    pdfs = [a for a in message.attachments if a[2] == "application/pdf"]
    assert len(pdfs) == 1
    nom, contenu, _ = pdfs[0]
    assert nom.endswith(".pdf")
    assert contenu.startswith(b"%PDF")
    envoi = EmailEnvoye.objects.get(motif="devis")
    assert envoi.statut == "envoye"
    assert envoi.destinataires == devis.contact.email
    assert envoi.object_id == str(devis.pk)
    assert envoi.envoye_le is not None
    assert envoi.par == gerant


@avec_commit
def test_failing_email_puts_devis_back_to_draft_keeping_its_number(settings):
    settings.EMAIL_BACKEND = "tests.devis.test_services.BackendEnPanne"
    devis = DevisFactory()
    with pytest.raises(EnvoiEchoue) as exc:
        envoyer_devis(devis, le=LUNDI, email=True)
    assert "SMTP injoignable" in exc.value.message
    devis.refresh_from_db()
    assert devis.statut == "brouillon"
    assert devis.numero == "DEV-2026-0001"
    assert devis.envoye_le is None and devis.relance_due_le is None
    envoi = EmailEnvoye.objects.get(motif="devis")
    assert envoi.statut == "abandonne"
    assert "SMTP injoignable" in envoi.erreur

    # Once the mail server is back, the same number goes out: nothing is wasted.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    devis = envoyer_devis(devis, le=LUNDI, email=True)
    assert devis.statut == "envoye"
    assert devis.numero == "DEV-2026-0001"
    assert len(mail.outbox) == 1
    assert envoyer_devis(DevisFactory(), le=LUNDI, email=False).numero == "DEV-2026-0002"


# --- The client's answer -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "statut"),
    [("accepte", "accepte"), ("refuse", "refuse"), ("en_discussion", "envoye")],
)
def test_any_answer_sets_reponse_le(decision, statut):
    devis = devis_envoye(LUNDI)
    devis = enregistrer_reponse(devis, decision=decision, le=date(2026, 3, 5))
    assert devis.statut == statut
    assert devis.reponse == decision
    assert devis.reponse_le == date(2026, 3, 5)


def test_second_answer_after_acceptance_is_refused():
    devis = enregistrer_reponse(devis_envoye(LUNDI), decision="accepte", le=date(2026, 3, 5))
    with pytest.raises(RefusMetier):
        enregistrer_reponse(devis, decision="refuse", le=date(2026, 3, 6))
    devis.refresh_from_db()
    assert (devis.statut, devis.reponse_le) == ("accepte", date(2026, 3, 5))


def test_answer_in_discussion_can_be_followed_by_acceptance():
    devis = enregistrer_reponse(devis_envoye(LUNDI), decision="en_discussion", le=date(2026, 3, 5))
    devis = enregistrer_reponse(devis, decision="accepte", le=date(2026, 3, 10))
    assert (devis.statut, devis.reponse_le) == ("accepte", date(2026, 3, 10))


def test_answer_before_sending_date_or_unknown_is_refused():
    devis = devis_envoye(LUNDI)
    with pytest.raises(RefusMetier):
        enregistrer_reponse(devis, decision="accepte", le=LUNDI - timedelta(days=1))
    with pytest.raises(RefusMetier):
        enregistrer_reponse(devis, decision="peut-etre", le=LUNDI)
    with pytest.raises(RefusMetier):
        enregistrer_reponse(DevisFactory(), decision="accepte", le=LUNDI)
    assert Devis.objects.get(pk=devis.pk).reponse_le is None


# --- The one relance -----------------------------------------------------------------------------


def test_relance_is_recorded_once_and_a_second_call_changes_nothing(gerant):
    devis = devis_envoye(LUNDI)
    relance = enregistrer_relance(
        devis, mode="telephone", le=date(2026, 3, 9), par=gerant, note="Rappel lundi"
    )
    assert (relance.faite_le, relance.mode, relance.due_le) == (
        date(2026, 3, 9),
        "telephone",
        date(2026, 3, 9),
    )
    with pytest.raises(RelanceDejaFaite):
        enregistrer_relance(devis, mode="email", le=date(2026, 3, 10), note="autre")
    assert Relance.objects.filter(devis=devis).count() == 1
    relance.refresh_from_db()
    assert (relance.faite_le, relance.mode, relance.note, relance.par) == (
        date(2026, 3, 9),
        "telephone",
        "Rappel lundi",
        gerant,
    )
    assert not mail.outbox


def test_relance_created_by_the_rule_is_the_one_marked_done():
    from crm.regles import appliquer

    devis = devis_envoye(LUNDI)
    appliquer(date(2026, 3, 9))
    cree = Relance.objects.get(devis=devis)
    fait = enregistrer_relance(devis, mode="telephone", le=date(2026, 3, 10))
    assert fait.pk == cree.pk
    assert Relance.objects.filter(devis=devis).count() == 1


@avec_commit
def test_relance_by_email_sends_the_relance_email_with_the_pdf():
    devis = devis_envoye(LUNDI)
    relance = enregistrer_relance(devis, mode="email", le=date(2026, 3, 9))
    assert relance.faite_le == date(2026, 3, 9)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [devis.contact.email]
    assert any(c.startswith(b"%PDF") for _, c, _ in message.attachments)
    assert EmailEnvoye.objects.get(motif="relance").statut == "envoye"


@avec_commit
def test_failing_relance_email_leaves_the_relance_to_do(settings):
    settings.EMAIL_BACKEND = "tests.devis.test_services.BackendEnPanne"
    devis = devis_envoye(LUNDI)
    with pytest.raises(EnvoiEchoue):
        enregistrer_relance(devis, mode="email", le=date(2026, 3, 9))
    relance = Relance.objects.get(devis=devis)
    assert relance.faite_le is None and relance.mode == ""
    assert EmailEnvoye.objects.get(motif="relance").statut == "abandonne"


def test_relance_of_an_answered_devis_is_refused():
    devis = enregistrer_reponse(devis_envoye(LUNDI), decision="refuse", le=date(2026, 3, 5))
    with pytest.raises(RefusMetier):
        enregistrer_relance(devis, mode="telephone", le=date(2026, 3, 9))
    assert not Relance.objects.exists()


# --- Revision ------------------------------------------------------------------------------------


def test_revision_creates_version_2_as_draft_and_cancels_the_old_one():
    ancien = devis_envoye(
        LUNDI, lignes=[("Évaluation", 2, "1234.50"), ("Restitution", "0.5", "99.99")]
    )
    lien_ancien = lien_acceptation(ancien)
    nouveau = reviser_devis(ancien)
    ancien.refresh_from_db()
    assert ancien.statut == "annule"
    assert nouveau.pk != ancien.pk
    # A revision keeps the number of the quote it replaces: DEV-2026-0001 v2.
    assert (nouveau.version, nouveau.statut) == (2, "brouillon")
    assert nouveau.numero == ancien.numero == "DEV-2026-0001"
    assert nouveau.reference == "DEV-2026-0001 v2"
    assert nouveau.remplace == ancien
    assert nouveau.envoye_le is None and nouveau.relance_due_le is None
    assert [(ligne.designation, ligne.quantite) for ligne in nouveau.lignes.all()] == [
        (ligne.designation, ligne.quantite) for ligne in ancien.lignes.all()
    ]
    assert nouveau.total_ttc == ancien.total_ttc
    with pytest.raises(RefusMetier):
        lien_acceptation(nouveau)
    with pytest.raises(RefusMetier):
        reviser_devis(ancien)
    # Sending v2 takes no new number, and has a link of its own.
    envoye = envoyer_devis(nouveau, le=LUNDI + timedelta(days=2), email=False)
    assert (envoye.numero, envoye.version, envoye.statut) == ("DEV-2026-0001", 2, "envoye")
    assert lien_ancien != lien_acceptation(envoye)
    assert envoyer_devis(DevisFactory(), le=LUNDI, email=False).numero == "DEV-2026-0002"


# --- Public acceptance link ----------------------------------------------------------------------


def test_acceptance_link_ends_with_a_long_token_and_only_that_token_opens_it(client):
    devis = devis_envoye(LUNDI)
    chemin = lien_acceptation(devis)
    jeton = chemin.rstrip("/").rsplit("/", 1)[-1]
    assert len(jeton) >= 22
    assert re.fullmatch(r"[A-Za-z0-9_-]+", jeton)

    reponse = client.get(chemin)
    assert reponse.status_code == 200
    assert "no-store" in reponse["Cache-Control"]
    assert devis.numero in reponse.content.decode()

    faux = chemin.replace(jeton, jeton[:-1] + ("A" if jeton[-1] != "A" else "B"))
    assert client.get(faux).status_code == 404
    assert client.get(chemin.replace(jeton, "x" * len(jeton))).status_code == 404


def test_acceptance_link_of_a_draft_does_not_exist():
    with pytest.raises(RefusMetier):
        lien_acceptation(DevisFactory())


def test_acceptance_link_of_a_revised_devis_no_longer_offers_it(client):
    devis = devis_envoye(LUNDI)
    chemin = lien_acceptation(devis)
    reviser_devis(devis)
    reponse = client.get(chemin)
    # Either the link is gone, or the page says the quote is cancelled (nothing to accept).
    assert reponse.status_code in (200, 404, 410)
    if reponse.status_code == 200:
        assert "no-store" in reponse["Cache-Control"]
        assert "annulé" in reponse.content.decode().lower()


# --- The PDF -------------------------------------------------------------------------------------


def test_pdf_holds_number_client_accents_and_french_amounts():
    org = OrganisationFactory(raison_sociale="Hôpital Saint-Éloi")
    devis = devis_envoye(
        LUNDI,
        organisation=org,
        lignes=[("Évaluation individuelle", 2, "1234.50"), ("Frais de dossier", "0.5", "99.99")],
    )
    contenu = devis_pdf(devis)
    assert contenu.startswith(b"%PDF")
    texte = texte_pdf(contenu)
    assert "DEV-2026-0001" in texte
    assert "Hôpital Saint-Éloi" in texte
    assert "Évaluation" in texte
    assert "1 234,50 €" in texte  # unit price
    assert "2 519,00 €" in texte  # total HT
    assert "3 022,80 €" in texte  # total TTC


def test_pdf_fetches_nothing_but_static_files():
    fetcher = nouveau_fetcher()
    devis_pdf(devis_envoye(LUNDI), fetcher=fetcher)
    assert fetcher.refusees == []


def test_pdf_fetcher_refuses_network_and_other_files_and_allows_static():
    fetcher = nouveau_fetcher()
    for url in (
        "http://example.com/a.png",
        "https://127.0.0.1:9/x.png",
        "file:///etc/passwd",
        "file://" + str(Path(django_settings.BASE_DIR) / "crm" / "settings.py"),
        "ftp://example.com/a.png",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refusees) == 5
    feuille = (Path(django_settings.BASE_DIR) / "static" / "css" / "pdf.css").resolve()
    reponse = fetcher.fetch(feuille.as_uri())
    assert reponse.read() == feuille.read_bytes()
    # `..` cannot climb out of the static folder.
    with pytest.raises(ValueError):
        fetcher.fetch(feuille.parent.as_uri() + "/../../crm/settings.py")
    assert len(fetcher.refusees) == 6


def test_weasyprint_with_hostile_image_still_renders_and_requests_nothing():
    from weasyprint import HTML

    fetcher = nouveau_fetcher()
    html = '<p>Évaluation</p><img src="http://127.0.0.1:9/x.png"><img src="file:///etc/passwd">'
    contenu = HTML(string=html, url_fetcher=fetcher).write_pdf()
    assert contenu.startswith(b"%PDF")
    assert set(fetcher.refusees) == {"http://127.0.0.1:9/x.png", "file:///etc/passwd"}


# --- Concurrent numbering ------------------------------------------------------------------------


@avec_commit
def test_eight_drafts_sent_at_once_get_eight_consecutive_numbers():
    brouillons = [DevisFactory() for _ in range(8)]
    depart = threading.Barrier(len(brouillons))
    erreurs: list[BaseException] = []

    def envoyer(devis):
        from django.db import connection as connexion_du_fil

        try:
            depart.wait(timeout=30)
            envoyer_devis(devis, le=LUNDI, email=False)
        except BaseException as exc:  # reported to the main thread
            erreurs.append(exc)
        finally:
            connexion_du_fil.close()

    fils = [threading.Thread(target=envoyer, args=(d,)) for d in brouillons]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(timeout=120)
    assert not erreurs, erreurs
    numeros = sorted(Devis.objects.values_list("numero", flat=True))
    assert numeros == [f"DEV-2026-{i:04d}" for i in range(1, 9)], connection.vendor
    assert Compteur.objects.get(prefixe="DEV", annee=2026).dernier == 8
