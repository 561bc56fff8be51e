"""Moving a relance from the interface (DESIGN §10): from the quote page, from its line on
« Aujourd'hui » with htmx (the line is replaced) or without JavaScript (a redirect and a
message); a refusal shows the French sentence and what was typed, and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from devis.models import Devis, Relance
from devis.services import enregistrer_relance, enregistrer_reponse
from tests.factories import devis_envoye

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def le():
    return timezone.localdate()


@pytest.fixture
def devis(le):
    # Sent three weeks ago: its relance is overdue, on « Aujourd'hui ».
    return devis_envoye(le - timedelta(days=21))


def _url(devis):
    return reverse("devis:reporter_relance", args=[devis.pk])


def test_quote_page_offers_the_move_and_shows_the_dates(client_gerant, devis):
    page = client_gerant.get(devis.get_absolute_url()).content.decode()
    assert "Reporter la relance" in page
    assert f'action="{_url(devis)}"' in page
    assert 'name="sans_suite_au"' in page
    assert f"{devis.relance_due_le:%d/%m/%Y}" in page and f"{devis.sans_suite_le:%d/%m/%Y}" in page


def test_plain_post_from_the_quote_page_moves_it_and_shows_the_reason(client_gerant, devis, le):
    au = le + timedelta(days=14)
    ancien_sans_suite = devis.sans_suite_le
    decalage = (au - devis.relance_due_le).days
    reponse = client_gerant.post(
        _url(devis), {"au": au.isoformat(), "motif": "En congés deux semaines"}
    )
    assert reponse.status_code == 302 and reponse["Location"] == devis.get_absolute_url()
    devis.refresh_from_db()
    assert devis.relance_due_le == au
    assert devis.sans_suite_le == ancien_sans_suite + timedelta(days=decalage)
    page = client_gerant.get(devis.get_absolute_url()).content.decode()
    assert f"Relance reportée au {au:%d/%m/%Y}." in page  # the message
    assert f"Relance reportée au {au:%d/%m/%Y} : En congés deux semaines" in page  # history
    assert f'id="relance-due-le">{au:%d/%m/%Y}' in page
    assert f'id="sans-suite-le">{devis.sans_suite_le:%d/%m/%Y}' in page


def test_the_sans_suite_date_can_be_set_explicitly(client_gerant, devis, le):
    au, sans_suite = le + timedelta(days=3), le + timedelta(days=60)
    client_gerant.post(
        _url(devis),
        {"au": au.isoformat(), "motif": "Rappel demandé", "sans_suite_au": sans_suite.isoformat()},
    )
    devis.refresh_from_db()
    assert (devis.relance_due_le, devis.sans_suite_le) == (au, sans_suite)


def test_accueil_line_offers_the_move_to_the_gerant(client_gerant, devis):
    page = client_gerant.get("/").content.decode()
    assert f'data-hx-post="{_url(devis)}"' in page
    assert 'data-hx-target="closest li"' in page


def test_htmx_move_from_accueil_replaces_the_line_with_the_new_date(client_gerant, devis, le):
    appliquer_r1(devis, le)
    au = le + timedelta(days=10)
    reponse = client_gerant.post(
        _url(devis), {"au": au.isoformat(), "motif": "Absent", "suivant": "/"}, **HTMX
    )
    assert reponse.status_code == 200
    html = reponse.content.decode()
    assert html.lstrip().startswith("<li") and "<html" not in html  # the line alone
    assert f"relance due le {au:%d/%m/%Y}" in html
    assert f"Relance reportée au {au:%d/%m/%Y}." in html
    assert "en retard" not in html
    # The one relance the rule created is moved, not doubled.
    assert Relance.objects.filter(devis=devis).count() == 1
    assert Relance.objects.get(devis=devis).due_le == au
    # The line's relance form still sends back to « Aujourd'hui », not to the move's URL.
    assert 'name="suivant" value="/"' in html


def appliquer_r1(devis, le):
    from devis.regles import creer_relances_dues

    creer_relances_dues(le)
    assert Relance.objects.filter(devis=devis).exists()


@pytest.mark.parametrize("jours", [0, -3])
def test_htmx_refusal_redisplays_the_form_with_the_sentence_and_what_was_typed(
    client_gerant, devis, le, jours
):
    avant = Devis.objects.get(pk=devis.pk)
    au = le + timedelta(days=jours)
    reponse = client_gerant.post(
        _url(devis), {"au": au.isoformat(), "motif": "Rappel « urgent »"}, **HTMX
    )
    assert reponse.status_code == 200
    html = reponse.content.decode()
    assert f"La nouvelle date de relance doit être postérieure au {le:%d/%m/%Y}." in html
    assert f'value="{au.isoformat()}"' in html
    assert 'value="Rappel « urgent »"' in html
    assert '<details class="mt-2 report-relance" open>' in html
    apres = Devis.objects.get(pk=devis.pk)
    assert (apres.relance_due_le, apres.sans_suite_le) == (
        avant.relance_due_le,
        avant.sans_suite_le,
    )


def test_htmx_missing_reason_is_refused_in_french(client_gerant, devis, le):
    au = le + timedelta(days=5)
    html = client_gerant.post(_url(devis), {"au": au.isoformat(), "motif": ""}, **HTMX)
    html = html.content.decode()
    assert "Ce champ est obligatoire." in html
    assert f'value="{au.isoformat()}"' in html
    assert Devis.objects.get(pk=devis.pk).relance_due_le == devis.relance_due_le


def test_plain_post_from_accueil_redirects_back_with_a_message(client_gerant, devis, le):
    au = le + timedelta(days=7)
    reponse = client_gerant.post(
        _url(devis), {"au": au.isoformat(), "motif": "Absent", "suivant": "/"}, follow=True
    )
    assert reponse.redirect_chain == [("/", 302)]
    assert f"Relance reportée au {au:%d/%m/%Y}." in reponse.content.decode()


def test_plain_post_refusal_redisplays_the_form_with_what_was_typed(client_gerant, devis, le):
    enregistrer_relance(devis, mode="telephone", le=le)
    au = le + timedelta(days=7)
    reponse = client_gerant.post(
        _url(devis), {"au": au.isoformat(), "motif": "Trop tard", "suivant": "/"}
    )
    assert reponse.status_code == 200
    html = reponse.content.decode()
    assert "a déjà été faite" in html and "ne peut plus être reportée" in html
    assert f'value="{au.isoformat()}"' in html and 'value="Trop tard"' in html
    assert 'name="suivant" value="/"' in html  # still goes back to « Aujourd'hui » once fixed
    assert Devis.objects.get(pk=devis.pk).relance_due_le == devis.relance_due_le


def test_refused_after_an_answer(client_gerant, devis, le):
    enregistrer_reponse(devis, decision="en_discussion", le=le)
    reponse = client_gerant.post(
        _url(devis), {"au": (le + timedelta(days=3)).isoformat(), "motif": "x"}
    )
    assert "plus de relance à reporter" in reponse.content.decode()


def test_an_outside_next_page_is_ignored(client_gerant, devis, le):
    reponse = client_gerant.post(
        _url(devis),
        {
            "au": (le + timedelta(days=3)).isoformat(),
            "motif": "x",
            "suivant": "https://evil.example/",
        },
    )
    assert reponse["Location"] == devis.get_absolute_url()


def test_consultant_cannot_move_a_relance_nor_sees_the_form(client_consultant, consultant, le):
    from tests.factories import OrganisationFactory

    devis = devis_envoye(
        le - timedelta(days=21), organisation=OrganisationFactory(responsable=consultant)
    )
    page = client_consultant.get("/").content.decode()
    assert devis.numero in page  # their client's relance is on their page…
    assert _url(devis) not in page  # …without the gérant's form
    reponse = client_consultant.post(
        _url(devis), {"au": (le + timedelta(days=3)).isoformat(), "motif": "x"}, **HTMX
    )
    assert reponse.status_code == 403
    assert Devis.objects.get(pk=devis.pk).relance_due_le == devis.relance_due_le
