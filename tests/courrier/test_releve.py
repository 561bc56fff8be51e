"""Reading the firm's mailbox on a real Dovecot server (issue 15): replies to the app's own
emails, automatic replies, strangers, broken messages; once each, whatever happens."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from courrier.models import EtatBoite, MessageRecu, PieceJointeRecue, StatutMessage
from courrier.services import boite_en_echec, relever, reporter_au_retour
from crm.models import Interaction, SensInteraction
from crm.regles import appliquer
from devis.models import Relance, StatutDevis
from devis.services import enregistrer_reponse, envoyer_devis, reprendre_suivi
from tests.courrier import messages as m
from tests.factories import ContactFactory, DevisFactory, OrganisationFactory
from tests.outils import PDF, RACINE, url_base_de_test

PARIS = ZoneInfo("Europe/Paris")
ENVOI = date(2026, 12, 1)  # a Tuesday: relance due 8 December, « sans suite » 1 January
LU = datetime(2026, 12, 3, 10, 0, tzinfo=PARIS)


def devis_envoye_par_email():
    devis = DevisFactory()
    return envoyer_devis(devis, le=ENVOI)


@pytest.mark.django_db
def test_outlook_reply_to_a_sent_quote_is_filed_and_stops_the_clock_until_qualified(boite):
    devis = devis_envoye_par_email()
    origine = m.envoye_par_le_crm(devis)
    boite.deposer(
        m.reponse_outlook(
            origine,
            de=f"Claire <{devis.contact.email}>",
            texte="Bien reçu, je reviens vers vous la semaine prochaine.",
            quand=LU,
        )
    )

    bilan = relever(maintenant=LU)

    assert (bilan.lus, bilan.rattaches, bilan.a_classer, bilan.ignores) == (1, 1, 0, 0)
    recu = MessageRecu.objects.get()
    assert recu.devis == devis and recu.statut == StatutMessage.RATTACHE
    interaction = recu.interaction
    assert interaction.sens == SensInteraction.ENTRANT and interaction.type == "email"
    assert interaction.organisation == devis.organisation
    assert interaction.contact == devis.contact
    assert "je reviens vers vous" in interaction.resume
    # Paused from the moment it is read, whatever date the rules are given.
    for le in (ENVOI, date(2026, 12, 8), date(2027, 2, 1)):
        resultat = appliquer(le)
        assert resultat["reponses_a_qualifier"] == [devis.numero]
        assert devis.numero not in resultat["relances_creees"]
        assert devis.numero not in resultat["sans_suite"]
    devis.refresh_from_db()
    assert devis.statut == StatutDevis.ENVOYE and not Relance.objects.filter(devis=devis).exists()

    enregistrer_reponse(devis, decision="en_discussion", le=date(2026, 12, 4))
    assert appliquer(date(2027, 2, 1))["reponses_a_qualifier"] == []


@pytest.mark.django_db
def test_a_message_that_was_no_answer_restarts_the_clock(boite):
    devis = devis_envoye_par_email()
    boite.deposer(
        m.reponse_outlook(
            m.envoye_par_le_crm(devis), de=devis.contact.email, texte="Bien reçu.", quand=LU
        )
    )
    relever(maintenant=LU)
    assert appliquer(date(2026, 12, 9))["relances_creees"] == []

    reprendre_suivi(devis)

    resultat = appliquer(date(2026, 12, 9))
    assert resultat["relances_creees"] == [devis.numero]
    assert resultat["reponses_a_qualifier"] == []
    assert appliquer(date(2027, 1, 1))["sans_suite"] == [devis.numero]


@pytest.mark.django_db
def test_gmail_html_only_reply_becomes_safe_text(boite):
    devis = devis_envoye_par_email()
    boite.deposer(
        m.reponse_gmail_html_seul(
            m.envoye_par_le_crm(devis),
            de=devis.contact.email,
            html="<div dir='ltr'>Nous <b>acceptons</b> le devis.<br>Cordialement"
            "<script>alert('x')</script><img src=x onerror=alert(1)></div>",
            quand=LU,
        )
    )
    relever(maintenant=LU)
    texte = MessageRecu.objects.get(devis=devis).texte
    assert texte == "Nous acceptons le devis.\nCordialement"


@pytest.mark.django_db
def test_an_out_of_office_never_stops_the_clock_and_moves_the_relance_after_the_return(boite):
    devis = devis_envoye_par_email()
    boite.deposer(
        m.absence(
            de=devis.contact.email,
            sujet="Réponse automatique : absent du bureau",
            texte="Bonjour, je suis absente jusqu'au 05/01/2027 inclus. Pour toute urgence…",
            quand=LU,
            en_reponse_a=m.envoye_par_le_crm(devis),
        )
    )
    bilan = relever(maintenant=LU)

    assert (bilan.lus, bilan.ignores, bilan.automatiques) == (1, 1, 1)
    recu = MessageRecu.objects.get()
    assert recu.statut == StatutMessage.AUTOMATIQUE and recu.retour_le == date(2027, 1, 5)
    assert recu.interaction is None
    assert appliquer(date(2026, 12, 8))["relances_creees"] == [devis.numero]  # not paused

    reporter_au_retour(recu, le=date(2026, 12, 8))

    devis.refresh_from_db()
    assert devis.relance_due_le == date(2027, 1, 6)
    assert Relance.objects.get(devis=devis).due_le == date(2027, 1, 6)
    assert "absent" in devis.history.first().history_change_reason


@pytest.mark.django_db
def test_english_out_of_office_with_headers_only_is_recognised(boite):
    contact = ContactFactory()
    absence = m.simple(
        de=contact.email,
        sujet="Out of Office: back on January 5th",
        texte="I am out of the office until January 5th.",
        quand=LU,
    )
    absence["X-Autoreply"] = "yes"
    boite.deposer(absence)
    relever(maintenant=LU)
    assert MessageRecu.objects.get().retour_le == date(2027, 1, 5)


@pytest.mark.django_db
def test_quote_number_in_subject_and_known_sender_are_matched_in_that_order(boite):
    devis = devis_envoye_par_email()
    collegue = ContactFactory(organisation=devis.organisation, email="paul@client.example")
    ContactFactory(organisation=devis.organisation, email="rh@client.example")
    boite.deposer(
        m.simple(de=collegue.email, sujet=f"Question sur {devis.numero}", texte="?", quand=LU)
    )
    boite.deposer(
        m.simple(de="pirate@ailleurs.example", sujet=f"{devis.numero}", texte="!", quand=LU)
    )
    boite.deposer(m.simple(de=collegue.email, sujet="Autre sujet", texte="Bonjour", quand=LU))

    bilan = relever(maintenant=LU)

    assert (bilan.rattaches, bilan.a_classer) == (2, 1)
    par_numero, etranger, par_adresse = MessageRecu.objects.order_by("uid")
    assert par_numero.devis == devis and par_numero.contact == collegue
    assert etranger.statut == StatutMessage.A_CLASSER and etranger.devis is None
    assert par_adresse.organisation == devis.organisation and par_adresse.devis is None
    assert appliquer(date(2026, 12, 9))["reponses_a_qualifier"] == [devis.numero]


@pytest.mark.django_db
def test_running_twice_reads_each_message_once_and_only_flags_it_seen(boite):
    contact = ContactFactory()
    for i in range(3):
        boite.deposer(m.simple(de=contact.email, sujet=f"Message {i}", texte="x", quand=LU))
    assert relever(maintenant=LU).lus == 3
    second = relever(maintenant=LU)
    assert (second.lus, second.deja_lus) == (0, 0)
    assert Interaction.objects.filter(sens=SensInteraction.ENTRANT).count() == 3
    assert boite.nombre() == 3
    assert all("\\Seen" in d for d in boite.drapeaux())

    # The folder rebuilt (a new UIDVALIDITY): read again, nothing recorded twice.
    EtatBoite.objects.update(uidvalidity=1)
    troisieme = relever(maintenant=LU)
    assert (troisieme.lus, troisieme.deja_lus) == (0, 3)
    assert MessageRecu.objects.count() == 3


@pytest.mark.django_db
def test_malformed_unknown_charset_and_no_message_id(boite):
    contact = ContactFactory()
    boite.deposer(b"Subject: pas d'expediteur\r\n\r\nCorps sans From.\r\n")
    sans_id = m.simple(
        de=contact.email, sujet="Sans identifiant", texte="x", quand=LU, message_id=False
    )
    boite.deposer(sans_id)
    boite.deposer(
        f"From: {contact.email}\r\nSubject: charset\r\nMessage-ID: <cs@client.example>\r\n"
        "Content-Type: text/plain; charset=x-inconnu\r\n\r\n".encode()
        + "Ã©tÃ© caf\xe9".encode("latin-1")
    )

    bilan = relever(maintenant=LU)
    assert (bilan.lus, bilan.malformes, bilan.rattaches) == (3, 1, 2)
    malforme = MessageRecu.objects.get(statut=StatutMessage.MALFORME)
    assert "expéditeur" in malforme.raison
    assert MessageRecu.objects.get(sujet="Sans identifiant").cle.startswith("sha256:")
    assert "caf" in MessageRecu.objects.get(sujet="charset").texte
    assert relever(maintenant=LU).lus == 0


@pytest.mark.django_db
def test_attachments_are_checked_by_content_and_a_50_mb_one_is_not_loaded(boite, settings):
    contact = ContactFactory()
    petit = m.simple(de=contact.email, sujet="Fiche de poste", texte="Ci-joint", quand=LU)
    petit.add_attachment(PDF, maintype="application", subtype="pdf", filename="fiche.pdf")
    petit.add_attachment(b"MZ\x90\x00", maintype="application", subtype="pdf", filename="faux.pdf")
    boite.deposer(petit)
    gros = m.simple(de=contact.email, sujet="Vidéo", texte="Le film de la formation.", quand=LU)
    gros.add_attachment(
        os.urandom(50 * 1024 * 1024), maintype="video", subtype="mp4", filename="film.mp4"
    )
    boite.deposer(gros)

    assert relever(maintenant=LU).rattaches == 2

    gardee, refusee = PieceJointeRecue.objects.order_by("pk")
    assert gardee.fichier and gardee.fichier.read() == PDF
    assert not refusee.fichier and "contenu" in refusee.refus
    video = MessageRecu.objects.get(sujet="Vidéo")
    assert "Le film de la formation." in video.texte
    assert "trop volumineux" in video.raison and not video.pieces.exists()


@pytest.mark.django_db
def test_unreachable_server_backs_off_and_shows_after_an_hour(boite, settings, dovecot):
    settings.IMAP = {**boite.config(), "port": 1}  # nothing listens there
    debut = datetime(2026, 12, 3, 9, 0, tzinfo=PARIS)
    assert relever(maintenant=debut).erreur
    etat = EtatBoite.objects.get()
    assert etat.echecs == 1 and etat.prochain_essai == debut + timedelta(minutes=5)
    assert "Nouvel essai" in relever(maintenant=debut + timedelta(minutes=1)).erreur
    assert EtatBoite.objects.get().echecs == 1  # not retried before its time
    assert boite_en_echec(maintenant=debut + timedelta(minutes=30)) is None
    assert boite_en_echec(maintenant=debut + timedelta(minutes=61)) is not None

    settings.IMAP = boite.config()
    assert not relever(maintenant=debut + timedelta(minutes=6)).erreur
    assert boite_en_echec(maintenant=debut + timedelta(hours=2)) is None


@pytest.mark.django_db(transaction=True)
def test_two_relever_courrier_at_once_make_one_interaction_per_message(boite):
    organisation = OrganisationFactory()
    contact = ContactFactory(organisation=organisation)
    for i in range(12):
        boite.deposer(m.simple(de=contact.email, sujet=f"Concurrent {i}", texte="x", quand=LU))
    env = {
        **os.environ,
        "DATABASE_URL": url_base_de_test(),
        "DJANGO_SETTINGS_MODULE": "crm.settings",
        "IMAP_URL": boite.url,
    }
    commande = [sys.executable, "manage.py", "relever_courrier", "--json"]
    processus = [
        subprocess.Popen(
            commande, cwd=RACINE, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    sorties = [p.communicate(timeout=120) for p in processus]
    bilans = []
    for p, (stdout, stderr) in zip(processus, sorties, strict=True):
        assert p.returncode == 0, stderr.decode()
        bilans.append(json.loads(stdout.decode()))
    assert {"lus", "rattaches", "a_classer", "ignores"} <= set(bilans[0])
    assert sum(b["lus"] for b in bilans) == 12
    assert Interaction.objects.filter(organisation=organisation).count() == 12
    assert MessageRecu.objects.count() == 12
