"""Each user's iCalendar feed at a private token URL, parsed by a real iCalendar parser."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from crm import jetons
from devis.regles import creer_relances_dues
from pilotage import agenda
from pilotage.models import JetonCalendrier
from reclamations.services import enregistrer_reclamation
from tests.factories import OrganisationFactory, devis_envoye

pytestmark = pytest.mark.django_db

LE = date(2026, 3, 4)


def _evenements(ical: bytes) -> dict[str, dict]:
    cal = Calendar.from_ical(ical)
    resultat = {}
    for e in cal.walk("VEVENT"):
        debut = e.decoded("dtstart")
        assert isinstance(debut, date) and not isinstance(debut, datetime)  # all-day
        assert e.decoded("dtend") == debut + timedelta(days=1)
        resultat[str(e["uid"]).split("@")[0]] = {"le": debut, "titre": str(e["summary"])}
    return resultat


@pytest.fixture
def echeances(consultant):
    a = OrganisationFactory(
        raison_sociale="Client du consultant",
        responsable=consultant,
        cle=True,
        frequence_point_jours=30,
    )
    b = OrganisationFactory(raison_sociale="Client du gérant")
    en_retard = devis_envoye(date(2026, 2, 2), organisation=b)  # relance due 9 February
    creer_relances_dues(LE)
    a_venir = devis_envoye(date(2026, 3, 2), organisation=a)  # relance due 9 March
    r_b = enregistrer_reclamation(organisation=b, recue_le=date(2026, 3, 2), description="Retard")
    r_a = enregistrer_reclamation(
        organisation=a, recue_le=date(2026, 3, 3), description="Erreur", responsable=consultant
    )
    return {"a": a, "en_retard": en_retard, "a_venir": a_venir, "r_a": r_a, "r_b": r_b}


def test_gerant_feed_lists_every_deadline_as_all_day_events(gerant, echeances):
    e = _evenements(agenda.calendrier(gerant, le=LE))
    en_retard, a_venir = echeances["en_retard"], echeances["a_venir"]
    assert e[f"relance-{en_retard.pk}"]["le"] == date(2026, 2, 9)
    assert "(en retard)" in e[f"relance-{en_retard.pk}"]["titre"]
    assert e[f"relance-{a_venir.pk}"]["le"] == date(2026, 3, 9)
    assert a_venir.numero in e[f"relance-{a_venir.pk}"]["titre"]
    r_b = echeances["r_b"]
    assert e[f"reclamation-accuse-{r_b.pk}"]["le"] == r_b.accuse_du_le
    assert e[f"reclamation-reponse-{r_b.pk}"]["le"] == r_b.reponse_due_le
    # A key client never met: a meeting is due today.
    assert e[f"client-cle-{echeances['a'].pk}"]["le"] == LE
    assert len(e) == 7


def test_consultant_feed_holds_only_their_clients(consultant, echeances):
    e = _evenements(agenda.calendrier(consultant, le=LE))
    assert set(e) == {
        f"relance-{echeances['a_venir'].pk}",
        f"reclamation-accuse-{echeances['r_a'].pk}",
        f"reclamation-reponse-{echeances['r_a'].pk}",
        f"client-cle-{echeances['a'].pk}",
    }


def test_my_agenda_page_creates_the_token_once_and_the_feed_is_served(
    client_consultant, consultant, echeances
):
    assert not JetonCalendrier.objects.exists()
    page = client_consultant.get(reverse("pilotage:agenda"))
    assert page.status_code == 200
    client_consultant.get(reverse("pilotage:agenda"))
    jeton = JetonCalendrier.objects.get(user=consultant)
    assert jeton.empreinte == jetons.empreinte(jeton.jeton)  # only the digest is stored
    assert jeton.jeton not in (jeton.nonce, jeton.empreinte)
    url = jeton.get_absolute_url()
    assert url in page.content.decode()
    client_consultant.logout()  # Outlook has no session: the token is the key
    reponse = client_consultant.get(url)
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in reponse["Cache-Control"] or "no-cache" in reponse["Cache-Control"]
    cal = Calendar.from_ical(reponse.content)
    assert str(cal["prodid"]).startswith("-//IOD//")
    assert any(str(e["uid"]).startswith("client-cle-") for e in cal.walk("VEVENT"))


def test_wrong_or_revoked_token_is_404(client_gerant, gerant):
    assert client_gerant.get(reverse("pilotage:agenda_ics", args=["x" * 43])).status_code == 404
    ancien = agenda.jeton_de(gerant).get_absolute_url()
    assert client_gerant.get(ancien).status_code == 200
    client_gerant.post(reverse("pilotage:agenda_renouveler"))
    assert client_gerant.get(ancien).status_code == 404
    assert client_gerant.get(agenda.jeton_de(gerant).get_absolute_url()).status_code == 200


def test_feed_of_a_deactivated_user_is_404(client, consultant):
    url = agenda.jeton_de(consultant).get_absolute_url()
    consultant.is_active = False
    consultant.save()
    assert client.get(url).status_code == 404
