"""Surveys by token link (issue 6): the daily rule that proposes them and sends the one reminder,
« ne pas prospecter » respected, the token's whole life on the public page, plain French error
pages, rate limiting and the privacy headers."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from crm.exceptions import RefusMetier
from crm.models import EmailEnvoye
from crm.regles import appliquer
from satisfaction.models import Enquete, Reponse
from satisfaction.services import creer_enquete, envoyer_enquete, repondre_enquete
from tests.factories import ContactFactory, mission_lancee

pytestmark = pytest.mark.django_db
avec_commit = pytest.mark.django_db(transaction=True)

FIN = date(2026, 3, 6)  # Friday: the mission ends
ENVOI = date(2026, 3, 9)


@pytest.fixture(autouse=True)
def _compteurs_de_limite_a_zero():
    # The rate limit counts in the cache: every test starts with a clean slate.
    cache.clear()
    yield
    cache.clear()


def _mission(**kwargs):
    return mission_lancee(date(2026, 2, 2), debut=date(2026, 2, 16), fin=FIN, **kwargs)


def _envoyee(le: date = ENVOI, mission=None) -> Enquete:
    mission = mission or _mission()
    enquete = creer_enquete(contact=mission.devis.contact, le=le, mission=mission)
    return envoyer_enquete(enquete, le=le)


def _resultat(le: date) -> dict:
    resultat = appliquer(le)
    assert resultat["erreurs"] == []
    return resultat


# --- The daily rule: surveys to send ------------------------------------------------------------


def test_a_mission_ended_without_survey_is_proposed_from_the_day_after_its_end():
    mission = _mission()
    libelle = f"Mission {mission.pk} — {mission.devis.organisation.raison_sociale}"
    assert libelle not in _resultat(FIN)["enquetes_a_envoyer"]
    assert _resultat(FIN + timedelta(days=1))["enquetes_a_envoyer"] == [libelle]
    creer_enquete(contact=mission.devis.contact, le=ENVOI, mission=mission)
    assert _resultat(ENVOI)["enquetes_a_envoyer"] == []


def test_a_mission_marked_finished_before_its_end_date_is_proposed():
    mission = mission_lancee(date(2026, 2, 2), debut=date(2026, 2, 16), fin=None)
    mission.statut = "terminee"
    mission.save(update_fields=["statut"])
    assert len(_resultat(date(2026, 2, 20))["enquetes_a_envoyer"]) == 1


@pytest.mark.parametrize("qui", ["contact", "organisation"])
def test_ne_pas_prospecter_means_no_survey_proposed_and_none_created(qui):
    mission = _mission()
    cible = mission.devis.contact if qui == "contact" else mission.devis.organisation
    cible.ne_pas_prospecter = True
    cible.save(update_fields=["ne_pas_prospecter"])
    assert _resultat(ENVOI)["enquetes_a_envoyer"] == []
    with pytest.raises(RefusMetier, match="ne souhaite pas être sollicité"):
        creer_enquete(contact=mission.devis.contact, le=ENVOI, mission=mission)


def test_cancelled_missions_and_contacts_without_email_are_not_proposed():
    annulee = _mission()
    annulee.statut = "annulee"
    annulee.save(update_fields=["statut"])
    sans_email = _mission()
    sans_email.devis.contact.email = ""
    sans_email.devis.contact.save(update_fields=["email"])
    assert _resultat(ENVOI)["enquetes_a_envoyer"] == []


def test_rule_reports_the_contract_keys_even_when_empty():
    resultat = _resultat(ENVOI)
    assert resultat["enquetes_a_envoyer"] == [] and resultat["enquetes_relancees"] == []


# --- The daily rule: the one reminder ----------------------------------------------------------


@avec_commit
def test_one_reminder_seven_days_after_sending_and_never_a_second():
    enquete = _envoyee()
    assert len(mail.outbox) == 1
    assert _resultat(ENVOI + timedelta(days=6))["enquetes_relancees"] == []
    jour = ENVOI + timedelta(days=7)
    premier = _resultat(jour)
    assert premier["enquetes_relancees"] == [
        f"Enquête {enquete.pk} — {enquete.contact.organisation.raison_sociale}"
    ]
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == [enquete.contact.email]
    assert enquete.get_absolute_url() in mail.outbox[1].body
    for autre_jour in (jour, jour + timedelta(days=1), jour + timedelta(days=15)):
        assert _resultat(autre_jour)["enquetes_relancees"] == []
    assert len(mail.outbox) == 2
    assert Enquete.objects.get(pk=enquete.pk).relancee_le == jour
    assert EmailEnvoye.objects.filter(motif="enquete_relance").count() == 1


@avec_commit
def test_a_run_after_downtime_catches_up_the_reminder_once():
    _envoyee()
    assert len(_resultat(ENVOI + timedelta(days=12))["enquetes_relancees"]) == 1
    assert len(_resultat(ENVOI + timedelta(days=12))["enquetes_relancees"]) == 0
    assert len(mail.outbox) == 2


@avec_commit
def test_two_runs_at_once_send_one_reminder():
    _envoyee()
    depart = threading.Barrier(2)
    resultats, erreurs = [], []

    def lancer():
        from django.db import connection as connexion_du_fil

        try:
            depart.wait(timeout=30)
            resultats.append(appliquer(ENVOI + timedelta(days=7)))
        except BaseException as exc:
            erreurs.append(exc)
        finally:
            connexion_du_fil.close()

    fils = [threading.Thread(target=lancer) for _ in range(2)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(timeout=120)
    assert not erreurs, erreurs
    assert sum(len(r["enquetes_relancees"]) for r in resultats) == 1
    assert EmailEnvoye.objects.filter(motif="enquete_relance").count() == 1
    assert len(mail.outbox) == 2


@avec_commit
def test_no_reminder_for_an_answered_expired_or_no_longer_solicitable_survey():
    repondue = _envoyee()
    repondre_enquete(repondue, le=ENVOI, satisfaction=5, recommandation=9, effort=6)
    expiree = _envoyee(mission=_mission())
    Enquete.objects.filter(pk=expiree.pk).update(expire_le=ENVOI + timedelta(days=5))
    refus = _envoyee(mission=_mission())
    refus.contact.ne_pas_prospecter = True
    refus.contact.save(update_fields=["ne_pas_prospecter"])
    assert _resultat(ENVOI + timedelta(days=7))["enquetes_relancees"] == []
    assert EmailEnvoye.objects.filter(motif="enquete_relance").count() == 0


@avec_commit
def test_a_survey_is_sent_once_even_if_asked_twice():
    enquete = _envoyee()
    with pytest.raises(RefusMetier, match="déjà envoyée"):
        envoyer_enquete(enquete, le=ENVOI)
    assert len(mail.outbox) == 1


def test_simulation_reports_the_reminder_without_sending_it():
    enquete = _envoyee()
    resultat = appliquer(ENVOI + timedelta(days=7), simuler=True)
    assert len(resultat["enquetes_relancees"]) == 1
    assert Enquete.objects.get(pk=enquete.pk).relancee_le is None


# --- The gérant sends the proposed survey in one click ------------------------------------------


@avec_commit
def test_gerant_sends_a_proposed_survey_from_the_satisfaction_page(client, gerant):
    mission = mission_lancee(
        date(2026, 2, 2),
        debut=timezone.localdate() - timedelta(days=20),
        fin=timezone.localdate() - timedelta(days=2),
    )
    client.force_login(gerant)
    page = client.get(reverse("satisfaction:tableau")).content.decode()
    assert mission.devis.organisation.raison_sociale in page
    client.post(
        reverse("satisfaction:envoyer_enquete", args=[mission.pk]), {"retour": "satisfaction"}
    )
    enquete = Enquete.objects.get(mission=mission)
    assert enquete.envoyee_le == timezone.localdate()
    assert len(mail.outbox) == 1
    # A second click does not send a second survey.
    client.post(reverse("satisfaction:envoyer_enquete", args=[mission.pk]))
    assert Enquete.objects.filter(mission=mission).count() == 1
    assert len(mail.outbox) == 1


# --- The token's life on the public page --------------------------------------------------------


REPONSE = {"satisfaction": "4", "recommandation": "9", "effort": "6", "commentaire": "Bien."}


@pytest.fixture
def enquete():
    return creer_enquete(contact=ContactFactory(), le=timezone.localdate())


def _entetes_prives(reponse) -> None:
    assert reponse["Cache-Control"] == "no-store"
    assert reponse["Referrer-Policy"] == "no-referrer"


def test_token_life_open_answer_reanswer_refused(client, enquete):
    url = enquete.get_absolute_url()
    assert len(url.rstrip("/").rsplit("/", 1)[1]) >= 22
    assert enquete.jeton not in Enquete.objects.values_list("jeton_empreinte", flat=True)[0]

    ouverte = client.get(url)
    assert ouverte.status_code == 200
    _entetes_prives(ouverte)
    assert "Votre avis sur notre intervention" in ouverte.content.decode()

    merci = client.post(url, {**REPONSE, "consentement_citation": "on"})
    assert "Merci pour votre réponse" in merci.content.decode()
    _entetes_prives(merci)
    assert Reponse.objects.get(enquete=enquete).consentement_citation is True

    encore = client.post(url, {**REPONSE, "satisfaction": "1"})
    assert "déjà répondu" in encore.content.decode()
    _entetes_prives(encore)
    assert Reponse.objects.get(enquete=enquete).satisfaction == 4


def test_expired_token_is_a_plain_french_410(client):
    vieille = creer_enquete(contact=ContactFactory(), le=timezone.localdate() - timedelta(days=31))
    reponse = client.get(vieille.get_absolute_url())
    assert reponse.status_code == 410
    _entetes_prives(reponse)
    html = reponse.content.decode()
    assert "Cette enquête est close" in html and 'lang="fr"' in html
    assert vieille.contact.nom not in html


def test_expires_at_the_end_of_its_last_day(client):
    enquete = creer_enquete(contact=ContactFactory(), le=timezone.localdate() - timedelta(days=30))
    assert enquete.expire_le == timezone.localdate()
    assert client.get(enquete.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("faux", ["x" * 43, "court", "A" * 200, "..%2F..%2Fadmin"])
def test_wrong_token_is_a_plain_french_404_revealing_nothing(client, enquete, faux):
    reponse = client.get(reverse("satisfaction:enquete_publique", args=[faux]))
    assert reponse.status_code == 404
    _entetes_prives(reponse)
    html = reponse.content.decode()
    assert "Ce lien ne mène à aucune enquête" in html
    assert (
        enquete.contact.nom not in html and enquete.contact.organisation.raison_sociale not in html
    )
    assert "Traceback" not in html and "connexion" not in html.lower()


def test_public_page_is_rate_limited_with_a_french_429(client, enquete, settings):
    # An hour-long window: a minute-long one could roll over between two requests.
    settings.CRM_ENQUETE_LIMITE = "5/h"
    url = enquete.get_absolute_url()
    codes = [client.get(url).status_code for _ in range(5)]
    assert codes == [200] * 5
    bloquee = client.get(url)
    assert bloquee.status_code == 429
    _entetes_prives(bloquee)
    assert "Trop de tentatives" in bloquee.content.decode()
    # Guessing tokens counts too, and a blocked POST stores nothing.
    assert client.get(reverse("satisfaction:enquete_publique", args=["y" * 43])).status_code == 429
    assert client.post(url, REPONSE).status_code == 429
    assert not Reponse.objects.exists()


def test_another_address_is_not_blocked(client, enquete, settings):
    settings.CRM_ENQUETE_LIMITE = "2/h"
    url = enquete.get_absolute_url()
    for _ in range(3):
        client.get(url, REMOTE_ADDR="203.0.113.7")
    assert client.get(url, REMOTE_ADDR="203.0.113.7").status_code == 429
    assert client.get(url, REMOTE_ADDR="198.51.100.2").status_code == 200


def test_digest_of_the_gerant_lists_the_surveys_to_send(gerant, consultant):
    from crm.digest import contenu

    mission = _mission(consultants=[consultant])
    section = next(s for s in contenu(gerant, ENVOI) if s.cle == "enquetes_a_envoyer")
    assert [ligne.url for ligne in section.lignes] == [mission.get_absolute_url()]
    assert all(s.cle != "enquetes_a_envoyer" for s in contenu(consultant, ENVOI))
