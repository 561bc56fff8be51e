"""Complaint pages (issue 5): the entry forms, the list's filters and colours with constant
query counts, the detail page."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reclamations.models import Reclamation
from reclamations.services import (
    accuser_reception,
    clore,
    qualifier,
    repondre,
)
from tests.factories import (
    OrganisationFactory,
    mission_lancee,
    nature_reclamation,
    reclamation_recue,
)

pytestmark = pytest.mark.django_db

JEUDI = date(2026, 3, 5)


# --- Forms: the future is refused, pre-filled from a mission -----------------------------------


def test_a_complaint_dated_tomorrow_is_refused_in_french(client_gerant):
    org = OrganisationFactory()
    demain = timezone.localdate() + timedelta(days=1)
    reponse = client_gerant.post(
        reverse("reclamations:creer"),
        {
            "organisation": org.pk,
            "recue_le": demain.isoformat(),
            "canal": "telephone",
            "gravite": "mineure",
            "description": "Retard.",
        },
    )
    assert reponse.status_code == 200
    assert "Cette date est dans le futur." in reponse.content.decode()
    assert not Reclamation.objects.exists()


def test_an_acknowledgement_dated_tomorrow_is_refused(client_gerant):
    r = reclamation_recue(timezone.localdate())
    demain = timezone.localdate() + timedelta(days=1)
    reponse = client_gerant.post(
        reverse("reclamations:accuser", args=[r.pk]),
        {"mode": "telephone", "le": demain.isoformat()},
    )
    assert "Cette date est dans le futur." in reponse.content.decode()
    assert Reclamation.objects.get(pk=r.pk).accuse_le is None


def test_new_complaint_links_on_organisation_and_mission_pages(client_gerant, consultant):
    mission = mission_lancee(date(2026, 2, 2), debut=date(2026, 2, 16), consultants=[consultant])
    org = mission.devis.organisation
    page_org = client_gerant.get(reverse("crm:organisation", args=[org.pk])).content.decode()
    assert f"{reverse('reclamations:creer')}?organisation={org.pk}" in page_org
    page_mission = client_gerant.get(mission.get_absolute_url()).content.decode()
    assert f"?organisation={org.pk}&amp;mission={mission.pk}" in page_mission
    form = client_gerant.get(
        f"{reverse('reclamations:creer')}?organisation={org.pk}&mission={mission.pk}"
    ).context["form"]
    assert form.initial["organisation"] == org.pk
    assert form.initial["mission"] == mission.pk
    assert form.initial["contact"] == mission.devis.contact_id


def test_a_consultant_records_a_complaint_in_one_post(client_consultant, consultant):
    org = OrganisationFactory()
    reponse = client_consultant.post(
        reverse("reclamations:creer"),
        {
            "organisation": org.pk,
            "recue_le": timezone.localdate().isoformat(),
            "canal": "oral",
            "gravite": "majeure",
            "description": "Le client se plaint du ton employé lors de l'entretien.",
        },
    )
    r = Reclamation.objects.get()
    assert reponse.status_code == 302 and reponse["Location"] == r.get_absolute_url()
    assert r.recue_par == consultant and r.numero.startswith("REC-")
    assert client_consultant.get(r.get_absolute_url()).status_code == 200


def test_the_consultant_who_received_a_complaint_sees_its_buttons_another_does_not(
    client_consultant, consultant, autre_consultant
):
    r = reclamation_recue(par=consultant)
    page = client_consultant.get(r.get_absolute_url()).content.decode()
    assert reverse("reclamations:accuser", args=[r.pk]) in page
    assert reverse("reclamations:qualifier", args=[r.pk]) in page
    # Another consultant, responsible for its treatment, reads it but does not take its phases:
    # no button, and the server refuses the page if typed.
    Reclamation.objects.filter(pk=r.pk).update(responsable=autre_consultant)
    autre = Client()
    autre.force_login(autre_consultant)
    page = autre.get(r.get_absolute_url())
    assert page.status_code == 200
    assert reverse("reclamations:accuser", args=[r.pk]) not in page.content.decode()
    assert autre.get(reverse("reclamations:accuser", args=[r.pk])).status_code == 403


# --- The list: filters, colours, visibility, query count ---------------------------------------


@pytest.fixture
def jeu_liste():
    aujourdhui = timezone.localdate()
    qualite, delai = nature_reclamation("Qualité de la prestation"), nature_reclamation("Délai")
    alpha = OrganisationFactory(raison_sociale="Alpha Conseil")
    beta = OrganisationFactory(raison_sociale="Bêta Industrie")
    en_retard = reclamation_recue(
        aujourdhui - timedelta(days=30), organisation=alpha, gravite="critique"
    )
    proche = reclamation_recue(aujourdhui, organisation=beta)
    close = accuser_reception(
        reclamation_recue(aujourdhui - timedelta(days=10), organisation=alpha),
        le=aujourdhui - timedelta(days=10),
        mode="telephone",
    )
    en_retard = qualifier(en_retard, nature=qualite)
    close = qualifier(close, nature=delai)
    close = repondre(close, le=aujourdhui - timedelta(days=9), reponse="R.", envoyer_email=False)
    close = clore(close, le=aujourdhui - timedelta(days=8), client_satisfait=True, verification="V")
    return {"retard": en_retard, "proche": proche, "close": close, "alpha": alpha}


def _numeros(reponse) -> list[str]:
    return re.findall(r"REC-\d{4}-\d{4}", reponse.content.decode())


def test_list_colours_overdue_and_due_soon_deadlines(client_gerant, jeu_liste):
    html = client_gerant.get(reverse("reclamations:liste")).content.decode()
    ligne_retard = html.split(jeu_liste["retard"].numero)[0].rsplit("<tr", 1)[1]
    assert "en-retard" in ligne_retard
    ligne_proche = html.split(jeu_liste["proche"].numero)[0].rsplit("<tr", 1)[1]
    assert "echeance-proche" in ligne_proche
    ligne_close = html.split(jeu_liste["close"].numero)[0].rsplit("<tr", 1)[1]
    assert "en-retard" not in ligne_close and "echeance-proche" not in ligne_close


@pytest.mark.parametrize(
    ("parametres", "attendues"),
    [
        ({"statut": "close"}, ["close"]),
        ({"statut": "recue"}, ["retard", "proche"]),
        ({"gravite": "critique"}, ["retard"]),
        ({"delai": "retard"}, ["retard"]),
        ({"delai": "proche"}, ["proche"]),
    ],
)
def test_list_filters(client_gerant, jeu_liste, parametres, attendues):
    reponse = client_gerant.get(reverse("reclamations:liste"), parametres)
    assert sorted(set(_numeros(reponse))) == sorted(jeu_liste[c].numero for c in attendues)


def test_list_filters_by_nature_and_client(client_gerant, jeu_liste):
    nature = jeu_liste["retard"].nature
    assert set(
        _numeros(client_gerant.get(reverse("reclamations:liste"), {"nature": nature.pk}))
    ) == {jeu_liste["retard"].numero}
    par_client = client_gerant.get(
        reverse("reclamations:liste"), {"organisation": jeu_liste["alpha"].pk}
    )
    assert set(_numeros(par_client)) == {jeu_liste["retard"].numero, jeu_liste["close"].numero}


def test_a_consultant_sees_only_the_complaints_they_received(
    client_consultant, consultant, jeu_liste
):
    sienne = reclamation_recue(timezone.localdate(), par=consultant)
    assert set(_numeros(client_consultant.get(reverse("reclamations:liste")))) == {sienne.numero}
    autre = jeu_liste["retard"]
    assert client_consultant.get(autre.get_absolute_url()).status_code == 404


def _beaucoup_de_reclamations(n: int) -> None:
    aujourdhui = timezone.localdate()
    natures = [
        nature_reclamation("Qualité de la prestation"),
        nature_reclamation("Délai"),
        nature_reclamation("Facturation"),
    ]
    for i in range(n):
        org = OrganisationFactory()
        r = reclamation_recue(aujourdhui - timedelta(days=i % 40), organisation=org)
        if i % 2:
            r = accuser_reception(r, le=r.recue_le, mode="telephone")
            qualifier(r, nature=natures[i % 3])
        if i % 4 == 1:
            repondre(r, le=r.recue_le + timedelta(days=3), reponse="R.", envoyer_email=False)


def _nombre_de_requetes(client, url: str) -> int:
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(url).status_code == 200
    return len(requetes)


@pytest.mark.parametrize("vue", ["reclamations:liste", "reclamations:tableau"])
def test_list_and_dashboard_query_counts_do_not_grow_with_rows(
    client_gerant, django_assert_max_num_queries, vue
):
    url = reverse(vue)
    _beaucoup_de_reclamations(3)
    peu = _nombre_de_requetes(client_gerant, url)
    _beaucoup_de_reclamations(60)
    with django_assert_max_num_queries(peu):
        assert client_gerant.get(url).status_code == 200
    with django_assert_max_num_queries(15):
        client_gerant.get(url, {"delai": "retard", "statut": "recue"})


# --- Detail: the client's history beside --------------------------------------------------------


def test_detail_shows_the_clients_other_complaints(client_gerant):
    org = OrganisationFactory(raison_sociale="Gamma Santé")
    ancienne = reclamation_recue(
        date(2026, 1, 12), organisation=org, description="Facture erronée."
    )
    qualifier(ancienne, fondee=True)
    r = reclamation_recue(JEUDI, organisation=org)
    autre_client = reclamation_recue(JEUDI)
    reponse = client_gerant.get(r.get_absolute_url())
    client = reponse.context["client"]
    assert [x.numero for x in client["reclamations"]] == [ancienne.numero]
    assert (client["total"], client["fondees"], client["recurrent"]) == (2, 1, True)
    html = reponse.content.decode()
    assert "Facture erronée." in html and "client récurrent" in html
    assert autre_client.numero not in html
