"""Tasks (DESIGN §10, issue 14 « Suivi sans trou »): a dated next step for one person, linked
to any registered object, in the digest, « Aujourd'hui », the calendar feed and the rules."""

from __future__ import annotations

import html
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.digest import contenu
from crm.exceptions import RefusMetier
from crm.extensions import ACCUEIL
from crm.models import Interaction, Organisation, Tache
from crm.regles import appliquer
from crm.selectors import clients_cles_a_voir, taches_visibles
from crm.services import creer_tache, terminer_tache
from tests.factories import (
    ContactFactory,
    OrganisationFactory,
    demande_avec_revue,
    devis_envoye,
    mission_lancee,
)

pytestmark = pytest.mark.django_db

LE = date(2026, 3, 10)  # a Tuesday


def _section(user, le, cle, lieu=ACCUEIL):
    return next((s for s in contenu(user, le, lieu=lieu) if s.cle == cle), None)


# --- The service ------------------------------------------------------------------------------


def test_a_task_needs_a_title_and_a_registered_target(gerant):
    with pytest.raises(RefusMetier, match="Donnez un titre"):
        creer_tache(titre="  ", echeance=LE, responsable=gerant)
    contact = ContactFactory()  # contacts are not a task target
    with pytest.raises(RefusMetier, match="ce type d'objet"):
        creer_tache(titre="Rappeler", echeance=LE, responsable=gerant, objet=contact)
    assert not Tache.objects.exists()


def test_a_past_due_date_is_accepted_and_the_task_is_overdue_at_once(gerant):
    tache = creer_tache(
        titre="Promesse oubliée", echeance=LE - timedelta(days=3), responsable=gerant
    )
    assert tache.en_retard(LE)
    assert str(tache.pk) in appliquer(LE)["taches_echues"]


def test_taches_echues_from_the_due_date_until_done(gerant):
    org = OrganisationFactory()
    tache = creer_tache(titre="Rappeler jeudi", echeance=LE, responsable=gerant, objet=org)
    assert appliquer(LE - timedelta(days=1))["taches_echues"] == []
    assert appliquer(LE)["taches_echues"] == [str(tache.pk)]
    assert appliquer(LE + timedelta(days=30))["taches_echues"] == [str(tache.pk)]
    terminer_tache(tache, le=LE, par=gerant)
    assert appliquer(LE)["taches_echues"] == []
    assert tache.history.count() == 2  # created, done


def test_done_twice_changes_nothing(gerant):
    tache = creer_tache(titre="Envoyer la plaquette", echeance=LE, responsable=gerant)
    terminer_tache(tache, le=LE, par=gerant)
    terminer_tache(tache, le=LE + timedelta(days=2), par=gerant)
    tache.refresh_from_db()
    assert tache.faite_le == LE


# --- Who sees what -------------------------------------------------------------------------------


def test_a_consultant_sees_only_their_tasks_and_none_on_a_quote(
    gerant, consultant, autre_consultant
):
    devis = devis_envoye(LE)
    a_moi = creer_tache(titre="La mienne", echeance=LE, responsable=consultant)
    a_l_autre = creer_tache(titre="L'autre", echeance=LE, responsable=autre_consultant)
    sur_devis = creer_tache(titre="Sur un devis", echeance=LE, responsable=consultant, objet=devis)
    assert set(taches_visibles(consultant)) == {a_moi}
    assert set(taches_visibles(gerant)) == {a_moi, a_l_autre, sur_devis}
    textes = [ligne.texte for ligne in _section(consultant, LE, "taches").lignes]
    assert textes == ["La mienne"]


def test_a_task_on_a_mission_is_hidden_from_a_consultant_off_the_mission(
    consultant, autre_consultant
):
    mission = mission_lancee(LE, debut=LE, consultants=[autre_consultant])
    creer_tache(titre="Préparer", echeance=LE, responsable=consultant, objet=mission)
    assert not taches_visibles(consultant).exists()


# --- Digest, « Aujourd'hui », calendar ------------------------------------------------------------


def test_tasks_in_the_digest_overdue_first_with_a_one_click_done(gerant):
    org = OrganisationFactory(raison_sociale="Promesses SA")
    creer_tache(
        titre="Rappeler jeudi", echeance=LE + timedelta(days=2), responsable=gerant, objet=org
    )
    creer_tache(titre="En retard", echeance=LE - timedelta(days=1), responsable=gerant)
    creer_tache(titre="Semaine prochaine", echeance=LE + timedelta(days=7), responsable=gerant)
    section = _section(gerant, LE, "taches", lieu="digest")
    assert [ligne.texte for ligne in section.lignes] == ["En retard", "Rappeler jeudi"]
    assert section.lignes[0].en_retard and not section.lignes[1].en_retard
    assert section.lignes[1].url == org.get_absolute_url()
    assert section.lignes[0].terminer_url.endswith("/fait/")


def test_the_weekly_digest_email_carries_the_task(gerant, mailoutbox):
    from crm.digest import envoyer_digests

    creer_tache(titre="Rappeler Mme Durand", echeance=LE, responsable=gerant)
    envoyer_digests(le=LE)
    assert any("Rappeler Mme Durand" in m.body for m in mailoutbox if gerant.email in m.to)


def test_tasks_are_todos_of_their_owner_calendar_feed(gerant, consultant):
    from pilotage.agenda import calendrier

    tache = creer_tache(titre="Envoyer le compte rendu", echeance=LE, responsable=consultant)
    flux = calendrier(consultant, le=LE).decode()
    bloc = flux.split("BEGIN:VTODO", 1)[1].split("END:VTODO", 1)[0]
    assert f"UID:tache-{tache.pk}@" in bloc and "DUE;VALUE=DATE:20260310" in bloc
    assert "Envoyer le compte rendu" in bloc
    assert f"tache-{tache.pk}@" not in calendrier(gerant, le=LE).decode()
    terminer_tache(tache, le=LE)
    assert f"tache-{tache.pk}@" not in calendrier(consultant, le=LE).decode()


# --- Key clients: a booked meeting is a task ------------------------------------------------------


def test_a_booked_meeting_holds_the_key_client_until_its_date_then_counts_once_done(gerant):
    org = Organisation.objects.create(raison_sociale="Clé SA", cle=True, frequence_point_jours=30)
    Interaction.objects.create(
        organisation=org, type="reunion", date=LE - timedelta(days=40), resume="Point"
    )
    assert clients_cles_a_voir(LE) == [org]
    rdv = creer_tache(
        titre="Déjeuner avec la DRH",
        echeance=LE + timedelta(days=5),
        responsable=gerant,
        objet=org,
        rendez_vous=True,
    )
    assert clients_cles_a_voir(LE) == []  # booked
    assert clients_cles_a_voir(LE + timedelta(days=5)) == []  # the day itself
    assert clients_cles_a_voir(LE + timedelta(days=6)) == [org]  # passed, not recorded
    terminer_tache(rdv, le=LE + timedelta(days=6), par=gerant)
    assert clients_cles_a_voir(LE + timedelta(days=6)) == []
    point = Interaction.objects.filter(organisation=org).latest("date")
    assert point.date == LE + timedelta(days=5) and point.type == "reunion"


def test_a_plain_task_does_not_book_the_key_client(gerant):
    org = Organisation.objects.create(raison_sociale="Clé SA", cle=True, frequence_point_jours=30)
    creer_tache(titre="Rappeler", echeance=LE + timedelta(days=5), responsable=gerant, objet=org)
    assert clients_cles_a_voir(LE) == [org]


# --- « Sans prochaine étape » ---------------------------------------------------------------------


def test_a_go_request_without_quote_has_no_next_step_until_a_task_is_planned(gerant):
    demande = demande_avec_revue("go", le=LE - timedelta(days=3))
    section = _section(gerant, LE, "sans_prochaine_etape")
    assert [ligne.url for ligne in section.lignes] == [demande.get_absolute_url()]
    assert _section(gerant, LE, "sans_prochaine_etape", lieu="digest") is None
    tache = creer_tache(titre="Chiffrer", echeance=LE, responsable=gerant, objet=demande)
    assert _section(gerant, LE, "sans_prochaine_etape") is None  # due today still counts
    assert _section(gerant, LE + timedelta(days=1), "sans_prochaine_etape") is not None
    terminer_tache(tache, le=LE)
    assert _section(gerant, LE, "sans_prochaine_etape") is not None


def test_a_request_with_a_quote_or_a_no_go_is_not_without_next_step(gerant):
    demande = demande_avec_revue("go", le=LE)
    devis_envoye(LE, demande=demande, organisation=demande.organisation)
    demande_avec_revue("no_go", le=LE)
    assert _section(gerant, LE, "sans_prochaine_etape") is None


def test_a_mission_ended_without_survey_has_no_next_step(gerant, consultant):
    mission = mission_lancee(
        LE - timedelta(days=30),
        debut=LE - timedelta(days=20),
        fin=LE - timedelta(days=2),
        consultants=[consultant],
    )
    section = _section(gerant, LE, "sans_prochaine_etape")
    assert mission.get_absolute_url() in [ligne.url for ligne in section.lignes]
    assert _section(consultant, LE, "sans_prochaine_etape") is None  # the gérant's list
    creer_tache(
        titre="Envoyer l'enquête",
        echeance=LE + timedelta(days=1),
        responsable=gerant,
        objet=mission,
    )
    assert _section(gerant, LE, "sans_prochaine_etape") is None


def test_requests_list_filters_those_without_next_step(client_gerant, gerant):
    il_y_a_3_jours = timezone.localdate() - timedelta(days=3)
    sans = demande_avec_revue("go", le=il_y_a_3_jours)
    avec = demande_avec_revue("go", le=il_y_a_3_jours)
    demain = timezone.localdate() + timedelta(days=1)
    creer_tache(titre="Chiffrer", echeance=demain, responsable=gerant, objet=avec)
    page = client_gerant.get(reverse("crm:demandes"), {"suivi": "sans_etape"}).content.decode()
    assert reverse("crm:demande", args=[sans.pk]) in page
    assert reverse("crm:demande", args=[avec.pk]) not in page


# --- The consultant's day -------------------------------------------------------------------------


def test_a_consultant_day_starts_with_debriefs_owed_oldest_first_then_tasks_then_missions(
    consultant,
):
    ancienne = mission_lancee(
        LE - timedelta(days=60),
        debut=LE - timedelta(days=50),
        fin=LE - timedelta(days=20),
        consultants=[consultant],
    )
    recente = mission_lancee(
        LE - timedelta(days=60),
        debut=LE - timedelta(days=10),
        fin=LE - timedelta(days=1),
        consultants=[consultant],
    )
    prochaine = mission_lancee(
        LE - timedelta(days=5), debut=LE + timedelta(days=3), consultants=[consultant]
    )
    creer_tache(titre="Préparer l'entretien", echeance=LE, responsable=consultant)
    sections = contenu(consultant, LE, lieu=ACCUEIL)
    assert [s.cle for s in sections][:3] == ["debriefs", "taches", "prochaines_missions"]
    assert [ligne.url for ligne in sections[0].lignes] == [
        reverse("satisfaction:debrief", args=[ancienne.pk]),
        reverse("satisfaction:debrief", args=[recente.pk]),
    ]
    assert sections[2].lignes[0].url == prochaine.get_absolute_url()


# --- Views: quick add and done in one click -------------------------------------------------------


def _ajout(client, org, **donnees):
    return client.post(
        reverse("crm:tache_creer"),
        {"cible": "organisation", "objet_id": org.pk, "suivant": org.get_absolute_url(), **donnees},
        **({"HTTP_HX_REQUEST": "true"} if donnees.pop("htmx", False) else {}),
    )


def test_quick_add_with_htmx_returns_the_panel_with_the_task(client_gerant, gerant):
    org = OrganisationFactory()
    demain = timezone.localdate() + timedelta(days=1)
    reponse = _ajout(
        client_gerant, org, titre="Rappeler jeudi", echeance=demain.isoformat(), htmx=True
    )
    assert reponse.status_code == 200
    texte = html.unescape(reponse.content.decode())
    assert "Rappeler jeudi" in texte and "<html" not in texte and "Tâche ajoutée" in texte
    tache = Tache.objects.get()
    assert tache.objet == org and tache.responsable == gerant and tache.echeance == demain


def test_quick_add_errors_are_french_and_nothing_is_created(client_gerant):
    org = OrganisationFactory()
    reponse = _ajout(client_gerant, org, titre="", echeance="", htmx=True)
    texte = html.unescape(reponse.content.decode())
    assert "Donnez un titre à la tâche." in texte and "Indiquez la date de la tâche." in texte
    reponse = _ajout(client_gerant, org, titre="", echeance="2026-03-10")
    assert reponse.status_code == 200 and "Donnez un titre à la tâche." in html.unescape(
        reponse.content.decode()
    )
    assert not Tache.objects.exists()


def test_quick_add_without_javascript_redirects_back(client_gerant):
    org = OrganisationFactory()
    reponse = _ajout(client_gerant, org, titre="Envoyer la plaquette", echeance="2026-03-01")
    assert reponse.status_code == 302 and reponse["Location"] == org.get_absolute_url()
    page = html.unescape(client_gerant.get(org.get_absolute_url()).content.decode())
    assert "Envoyer la plaquette" in page and "en retard" in page  # a past date: overdue


def test_quick_add_on_an_object_one_cannot_see_is_404(client_consultant, autre_consultant):
    mission = mission_lancee(LE, debut=LE, consultants=[autre_consultant])
    reponse = client_consultant.post(
        reverse("crm:tache_creer"),
        {"cible": "mission", "objet_id": mission.pk, "titre": "x", "echeance": "2026-03-10"},
    )
    assert reponse.status_code == 404 and not Tache.objects.exists()


def test_done_in_one_click_by_its_owner_not_by_another(
    client_consultant, consultant, autre_consultant
):
    tache = creer_tache(titre="Appeler", echeance=LE, responsable=consultant)
    autre = creer_tache(titre="Pas à moi", echeance=LE, responsable=autre_consultant)
    url = reverse("crm:tache_terminer", args=[tache.pk])
    reponse = client_consultant.post(url, HTTP_HX_REQUEST="true")
    assert reponse.status_code == 200 and "Fait : Appeler" in html.unescape(
        reponse.content.decode()
    )
    tache.refresh_from_db()
    assert tache.faite_le == timezone.localdate()
    assert client_consultant.post(reverse("crm:tache_terminer", args=[autre.pk])).status_code == 404


def test_today_page_offers_the_quick_add_and_done_button(client_consultant, consultant):
    creer_tache(titre="Rappeler Mme Durand", echeance=timezone.localdate(), responsable=consultant)
    page = html.unescape(client_consultant.get("/").content.decode())
    assert "Rappeler Mme Durand" in page and 'id="taches-accueil"' in page and "Fait" in page


def test_quote_and_complaint_pages_carry_the_tasks_panel(client_gerant, gerant):
    devis = devis_envoye(LE)
    creer_tache(titre="Relancer la DRH", echeance=LE, responsable=gerant, objet=devis)
    page = html.unescape(client_gerant.get(devis.get_absolute_url()).content.decode())
    assert "Relancer la DRH" in page and f'id="taches-devis-{devis.pk}"' in page
