"""An organisation's timeline shows each viewer what the apps' own pages show them (issue 16,
« timeline leak »): a consultant reads every client and request (DESIGN §7), but a complaint or
a debrief only when they may open it, and no quote at all."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from crm.models import Organisation
from reclamations.services import enregistrer_reclamation
from satisfaction.services import enregistrer_debrief
from tests.factories import ContactFactory, OrganisationFactory, mission_lancee

pytestmark = pytest.mark.django_db

PLAINTE = "Restitution remise avec trois jours de retard au comité."
VERBATIM = "Le rapport est arrivé trop tard pour notre comité de sélection."


@pytest.fixture
def client_partage(gerant, consultant, autre_consultant) -> Organisation:
    """One client, a mission for each consultant; the other consultant's mission has a
    complaint they received and a debrief."""
    org = OrganisationFactory(raison_sociale="Client Partagé SA")
    contact = ContactFactory(organisation=org)
    mission_lancee(
        date(2026, 3, 2),
        debut=date(2026, 3, 9),
        consultants=[consultant],
        organisation=org,
        contact=contact,
    )
    autre = mission_lancee(
        date(2026, 3, 2),
        debut=date(2026, 3, 9),
        fin=date(2026, 3, 20),
        consultants=[autre_consultant],
        organisation=org,
        contact=contact,
    )
    enregistrer_reclamation(
        organisation=org,
        recue_le=date(2026, 3, 23),
        description=PLAINTE,
        contact=contact,
        par=autre_consultant,
        mission=autre,
    )
    enregistrer_debrief(
        autre, le=date(2026, 3, 21), reponse="non", verbatim=VERBATIM, par=autre_consultant
    )
    return org


def _fiche(user, org: Organisation) -> str:
    client = Client()
    client.force_login(user)
    reponse = client.get(reverse("crm:organisation", args=[org.pk]))
    assert reponse.status_code == 200
    return reponse.content.decode()


def test_a_consultant_sees_neither_another_consultants_complaint_nor_their_debrief(
    client_partage, consultant
):
    page = _fiche(consultant, client_partage)
    assert "Client Partagé SA" in page  # consultants read every client (DESIGN §7)
    assert PLAINTE not in page and "REC-2026" not in page
    assert VERBATIM[:40] not in page
    assert "DEV-2026" not in page  # no quotes for consultants


def test_the_consultant_who_received_them_and_the_gerant_see_them(
    client_partage, autre_consultant, gerant
):
    page = _fiche(autre_consultant, client_partage)
    assert PLAINTE in page and VERBATIM[:40] in page
    assert "DEV-2026" not in page
    page = _fiche(gerant, client_partage)
    assert PLAINTE in page and VERBATIM[:40] in page and "DEV-2026" in page
