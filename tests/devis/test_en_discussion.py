"""« En discussion » has a next contact date (DESIGN §10): the deal comes back under « À
recontacter » on the right morning, in the rules, « Aujourd'hui », the digest and the calendar
feed, until a new exchange (a new date) or a final answer; never « sans suite » by itself."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from crm import digest
from crm.calendrier import ajouter_jours_ouvres
from crm.exceptions import RefusMetier
from crm.extensions import ACCUEIL, DIGEST
from crm.regles import appliquer
from devis.models import Devis, MotifRefus, Reponse, StatutDevis
from devis.services import enregistrer_reponse, reviser_devis
from pilotage import agenda
from tests.factories import OrganisationFactory, devis_envoye

pytestmark = pytest.mark.django_db

# Sent Monday 2 March 2026; answered « en discussion » Thursday 5 March: next contact by
# default 5 jours ouvrés later, Thursday 12 March.
ENVOI = date(2026, 3, 2)
ECHANGE = date(2026, 3, 5)
RAPPEL = date(2026, 3, 12)


def _en_discussion(le=ECHANGE, **kwargs) -> Devis:
    return enregistrer_reponse(devis_envoye(ENVOI), decision="en_discussion", le=le, **kwargs)


def test_en_discussion_dates_the_next_contact_five_jours_ouvres_later_by_default():
    devis = _en_discussion()
    assert devis.prochain_contact_le == RAPPEL == ajouter_jours_ouvres(ECHANGE, 5)
    assert devis.statut == StatutDevis.ENVOYE
    raison = Devis.history.filter(id=devis.pk).latest("history_date").history_change_reason
    assert raison == "Réponse du client : en discussion, à recontacter le 12/03/2026"


def test_quote_is_a_recontacter_on_its_date_and_not_the_day_before():
    devis = _en_discussion()
    assert devis.numero not in appliquer(date(2026, 3, 11))["a_recontacter"]
    assert appliquer(RAPPEL)["a_recontacter"] == [devis.numero]
    assert appliquer(date(2026, 3, 20))["a_recontacter"] == [devis.numero]  # until handled
    assert "a_recontacter" in appliquer(ECHANGE)  # the key is always there, empty


def test_an_explicit_next_contact_date_is_kept():
    devis = _en_discussion(prochain_contact_le=date(2026, 4, 1))
    assert devis.prochain_contact_le == date(2026, 4, 1)
    assert devis.numero not in appliquer(date(2026, 3, 31))["a_recontacter"]
    assert devis.numero in appliquer(date(2026, 4, 1))["a_recontacter"]


@pytest.mark.parametrize("jour", [ECHANGE, date(2026, 3, 4)])
def test_a_next_contact_not_after_the_exchange_is_refused_and_nothing_changes(jour):
    devis = devis_envoye(ENVOI)
    with pytest.raises(RefusMetier, match="postérieure au 05/03/2026"):
        enregistrer_reponse(devis, decision="en_discussion", le=ECHANGE, prochain_contact_le=jour)
    devis.refresh_from_db()
    assert devis.reponse_le is None and devis.prochain_contact_le is None


def test_a_later_exchange_replaces_the_date():
    devis = _en_discussion()
    assert devis.numero in appliquer(RAPPEL)["a_recontacter"]
    # Called back on the 12th: « rappelez-moi fin mars ».
    enregistrer_reponse(
        devis, decision="en_discussion", le=RAPPEL, prochain_contact_le=date(2026, 3, 30)
    )
    devis.refresh_from_db()
    assert devis.prochain_contact_le == date(2026, 3, 30)
    assert devis.numero not in appliquer(RAPPEL)["a_recontacter"]
    assert devis.numero not in appliquer(date(2026, 3, 27))["a_recontacter"]
    assert devis.numero in appliquer(date(2026, 3, 30))["a_recontacter"]


@pytest.mark.parametrize("decision", [Reponse.ACCEPTE, Reponse.REFUSE])
def test_a_final_answer_clears_the_date(decision):
    devis = _en_discussion()
    motif = MotifRefus.objects.create(libelle="Prix") if decision == Reponse.REFUSE else None
    enregistrer_reponse(devis, decision=decision, le=date(2026, 3, 10), motif_refus=motif)
    devis.refresh_from_db()
    assert devis.prochain_contact_le is None
    assert devis.numero not in appliquer(date(2026, 6, 1))["a_recontacter"]


def test_en_discussion_is_never_classed_sans_suite_by_itself():
    devis = _en_discussion()
    assert devis.sans_suite_le == date(2026, 4, 2)
    for jour in (date(2026, 4, 2), date(2026, 12, 31)):
        resultat = appliquer(jour)
        assert devis.numero not in resultat["sans_suite"]
        assert devis.numero in resultat["a_recontacter"]
    devis.refresh_from_db()
    assert devis.statut == StatutDevis.ENVOYE


def test_a_revised_quote_does_not_carry_the_date_to_its_new_draft():
    devis = _en_discussion()
    nouveau = reviser_devis(devis)
    assert nouveau.prochain_contact_le is None
    assert devis.numero not in appliquer(RAPPEL)["a_recontacter"]  # the old one is cancelled


def test_database_refuses_a_next_contact_without_a_discussion():
    devis = devis_envoye(ENVOI)
    with pytest.raises(IntegrityError):
        Devis.objects.filter(pk=devis.pk).update(prochain_contact_le=RAPPEL)


# --- Where it shows ---------------------------------------------------------------------------


def _section(user, le, lieu, cle="a_recontacter"):
    sections = {s.cle: s for s in digest.contenu(user, le, lieu=lieu)}
    return sections.get(cle) or sections.get(f"{cle}_semaine")


def test_accueil_lists_it_from_its_date_with_a_new_exchange_link(gerant):
    devis = _en_discussion()
    assert _section(gerant, date(2026, 3, 11), ACCUEIL) is None
    (ligne,) = _section(gerant, RAPPEL, ACCUEIL).lignes
    assert devis.numero in ligne.texte
    assert "à recontacter le 12/03/2026" in ligne.detail
    assert not ligne.en_retard
    assert _section(gerant, date(2026, 3, 13), ACCUEIL).lignes[0].en_retard


def test_digest_holds_a_recontacter_of_the_week(gerant, consultant):
    org = OrganisationFactory(responsable=consultant)
    devis = enregistrer_reponse(
        devis_envoye(ENVOI, organisation=org), decision="en_discussion", le=ECHANGE
    )
    # Monday 9 March's digest: the contact falls on Thursday of that week.
    section = _section(gerant, date(2026, 3, 9), DIGEST)
    assert section.titre == "À recontacter"
    assert [devis.numero in ligne.texte for ligne in section.lignes] == [True]
    assert _section(consultant, date(2026, 3, 9), DIGEST) is not None  # their own client
    assert _section(gerant, date(2026, 3, 2), DIGEST) is None  # the week before: not yet


def test_a_consultant_sees_no_other_clients_quote_to_recontact(consultant):
    _en_discussion()
    assert _section(consultant, RAPPEL, ACCUEIL) is None


def test_calendar_feed_holds_the_next_contact_and_follows_a_new_date(gerant):
    devis = _en_discussion()

    def entree(le):
        cal = Calendar.from_ical(agenda.calendrier(gerant, le=le))
        return {
            str(e["uid"]).split("@")[0]: (e.decoded("dtstart"), str(e["summary"]))
            for e in cal.walk("VEVENT")
        }.get(f"recontact-{devis.pk}")

    jour, titre = entree(ECHANGE)
    assert jour == RAPPEL
    assert devis.numero in titre and "Recontacter" in titre
    enregistrer_reponse(
        devis, decision="en_discussion", le=RAPPEL, prochain_contact_le=date(2026, 3, 20)
    )
    assert entree(RAPPEL)[0] == date(2026, 3, 20)
    enregistrer_reponse(devis, decision="accepte", le=date(2026, 3, 20))
    assert entree(date(2026, 3, 20)) is None


# --- The answer form of the quote page ----------------------------------------------------------


def test_answer_form_shows_the_default_date_and_new_exchange_preselects_en_discussion(
    client_gerant,
):
    devis = devis_envoye(timezone.localdate())
    page = client_gerant.get(devis.get_absolute_url() + "?reponse=en_discussion").content.decode()
    defaut = ajouter_jours_ouvres(timezone.localdate(), 5)
    assert f'name="reponse-prochain_contact_le" value="{defaut:%Y-%m-%d}"' in page
    assert re.search(r'<input[^>]*value="en_discussion"[^>]*checked', page)
    assert not re.search(r'<input[^>]*value="accepte"[^>]*checked', page)


def test_answer_form_records_the_date_typed(client_gerant):
    le = timezone.localdate()
    devis = devis_envoye(le)
    rappel = ajouter_jours_ouvres(le, 8)
    reponse = client_gerant.post(
        reverse("devis:reponse", args=[devis.pk]),
        {
            "reponse-decision": "en_discussion",
            "reponse-le": le.isoformat(),
            "reponse-prochain_contact_le": rappel.isoformat(),
        },
        follow=True,
    )
    assert "Réponse du client enregistrée." in reponse.content.decode()
    devis.refresh_from_db()
    assert devis.prochain_contact_le == rappel
    assert f"à recontacter le {rappel.day}" in reponse.content.decode()


def test_accueil_query_count_does_not_grow_with_quotes_to_recontact(client_gerant, sans_exemple):
    le = timezone.localdate()
    envoi = le.replace(day=1) if le.day > 1 else le

    def ajouter(n):
        for _ in range(n):
            enregistrer_reponse(devis_envoye(envoi), decision="en_discussion", le=envoi)
        Devis.objects.filter(reponse=Reponse.EN_DISCUSSION).update(prochain_contact_le=le)

    def compter():
        client_gerant.get("/")
        with CaptureQueriesContext(connection) as ctx:
            page = client_gerant.get("/")
        assert "À recontacter" in page.content.decode()
        return len(ctx.captured_queries)

    ajouter(2)
    petit = compter()
    ajouter(20)
    assert compter() == petit <= 18  # the budget of « Aujourd'hui » (tests/crm/test_requetes.py)


def test_migration_dates_the_discussions_recorded_before_it():
    """Quotes already « en discussion » when the field arrived come back too, on the date the
    service would have given them."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("devis.migrations.0006_prochain_contact")
    devis = _en_discussion()
    Devis.objects.filter(pk=devis.pk).update(prochain_contact_le=None)
    migration.dater_les_discussions(apps, None)
    devis.refresh_from_db()
    assert devis.prochain_contact_le == RAPPEL


@pytest.mark.django_db
def test_a_discussion_whose_date_passed_has_no_next_step_until_a_task_is_planned(gerant):
    from crm.services import creer_tache

    devis = devis_envoye(ENVOI)
    enregistrer_reponse(devis, decision="en_discussion", le=ECHANGE, prochain_contact_le=RAPPEL)

    def sans_etape(le):
        sections = {s.cle: s for s in digest.contenu(gerant, le, lieu=ACCUEIL)}
        section = sections.get("sans_prochaine_etape")
        return [ligne.texte for ligne in section.lignes] if section else []

    assert not any(devis.reference in t for t in sans_etape(RAPPEL))  # due today: « à recontacter »
    lendemain = date(2026, 3, 13)
    assert any(devis.reference in t for t in sans_etape(lendemain))
    creer_tache(
        titre="Rappeler la DRH", echeance=date(2026, 3, 16), responsable=gerant, objet=devis
    )
    assert not any(devis.reference in t for t in sans_etape(lendemain))
