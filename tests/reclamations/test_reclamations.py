"""Complaints (issue 5): the phases in order, reopening by the gérant, deadlines across holidays,
numbering under concurrency, emails sent and recorded, the list's filters and colours, the
dashboard's figures on known data, and constant query counts."""

from __future__ import annotations

import re
import threading
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.exceptions import RefusMetier
from crm.models import Compteur, EmailEnvoye
from reclamations.models import Action, NatureReclamation, Reclamation
from reclamations.selectors import tableau_de_bord
from reclamations.services import (
    accuser_reception,
    clore,
    creer_action,
    enregistrer_reclamation,
    qualifier,
    repondre,
    rouvrir,
    suivre_action,
)
from tests.factories import ContactFactory, OrganisationFactory, mission_lancee

pytestmark = pytest.mark.django_db
avec_commit = pytest.mark.django_db(transaction=True)

JEUDI = date(2026, 3, 5)


def _reclamation(recue_le: date = JEUDI, **champs) -> Reclamation:
    org = champs.pop("organisation", None) or OrganisationFactory()
    contact = champs.pop("contact", None) or ContactFactory(organisation=org)
    return enregistrer_reclamation(
        organisation=org,
        recue_le=recue_le,
        description=champs.pop("description", "Le rapport est arrivé en retard."),
        contact=contact,
        **champs,
    )


def _nature(libelle: str) -> NatureReclamation:
    return NatureReclamation.objects.get_or_create(libelle=libelle)[0]


# --- Deadlines across weekends and holidays -----------------------------------------------------


def test_deadlines_skip_the_may_day_holiday_and_count_saturday_as_jour_ouvrable():
    r = _reclamation(date(2026, 4, 30))  # Thursday; Friday 1 May is off
    assert r.accuse_du_le == date(2026, 5, 5)  # Mon 4, Tue 5 (jours ouvrés)
    assert r.reponse_due_le == date(2026, 5, 7)  # Sat 2, Mon 4, Tue 5, Wed 6, Thu 7


def test_deadlines_of_a_complaint_received_on_a_saturday():
    r = _reclamation(date(2026, 3, 7))
    assert r.accuse_du_le == date(2026, 3, 10)  # Mon 9, Tue 10
    assert r.reponse_due_le == date(2026, 3, 13)  # Mon 9 … Fri 13


# --- Status transitions ----------------------------------------------------------------------------


def test_the_six_phases_in_order_reach_close():
    r = _reclamation()
    r = accuser_reception(r, le=JEUDI, mode="telephone")
    assert (r.statut, r.accuse_le, r.accuse_mode) == ("accusee", JEUDI, "telephone")
    r = qualifier(r, nature=_nature("Qualité de la prestation"), gravite="majeure", fondee=True)
    assert r.statut == "en_traitement"
    r = repondre(r, le=date(2026, 3, 9), reponse="Nous refaisons le rapport.", envoyer_email=False)
    assert (r.statut, r.repondue_le) == ("repondue", date(2026, 3, 9))
    r = clore(r, le=date(2026, 3, 12), client_satisfait=True, verification="Appel du 12/03.")
    assert (r.statut, r.close_le, r.client_satisfait) == ("close", date(2026, 3, 12), True)


def test_answer_before_acknowledgement_is_refused_with_the_reason():
    r = _reclamation()
    with pytest.raises(RefusMetier, match="Accusez d'abord réception"):
        repondre(r, le=JEUDI, reponse="Réponse.", envoyer_email=False)
    assert Reclamation.objects.get(pk=r.pk).statut == "recue"


def test_closing_before_the_answer_is_refused_with_the_reason():
    r = accuser_reception(_reclamation(), le=JEUDI, mode="telephone")
    with pytest.raises(RefusMetier, match="qu'une fois la réponse donnée"):
        clore(r, le=JEUDI, client_satisfait=True, verification="Appel.")
    assert Reclamation.objects.get(pk=r.pk).statut == "accusee"


def test_second_acknowledgement_second_answer_and_second_closing_are_refused():
    r = accuser_reception(_reclamation(), le=JEUDI, mode="telephone")
    with pytest.raises(RefusMetier, match="déjà été donné"):
        accuser_reception(r, le=JEUDI, mode="telephone")
    r = repondre(r, le=JEUDI, reponse="Réponse.", envoyer_email=False)
    with pytest.raises(RefusMetier, match="déjà été donnée"):
        repondre(r, le=JEUDI, reponse="Autre.", envoyer_email=False)
    r = clore(r, le=JEUDI, client_satisfait=False, verification="Appel.")
    with pytest.raises(RefusMetier, match="déjà close"):
        clore(r, le=JEUDI, client_satisfait=True, verification="Appel.")
    with pytest.raises(RefusMetier, match="rouvrez-la"):
        qualifier(r, gravite="critique")


def test_dates_going_backwards_are_refused():
    r = _reclamation()
    with pytest.raises(RefusMetier, match="précéder la réclamation"):
        accuser_reception(r, le=JEUDI - timedelta(days=1), mode="telephone")
    r = accuser_reception(r, le=date(2026, 3, 6), mode="telephone")
    with pytest.raises(RefusMetier, match="précéder l'accusé"):
        repondre(r, le=JEUDI, reponse="Réponse.", envoyer_email=False)


def test_compensation_other_than_a_service_needs_an_amount():
    r = accuser_reception(_reclamation(), le=JEUDI, mode="telephone")
    with pytest.raises(RefusMetier, match="montant"):
        repondre(r, le=JEUDI, reponse="Remise.", compensation="remise", envoyer_email=False)
    r = repondre(
        r,
        le=JEUDI,
        reponse="Remise.",
        compensation="remise",
        montant_compensation="150.00",
        envoyer_email=False,
    )
    assert str(r.montant_compensation) == "150.00"


def test_the_database_refuses_a_close_date_without_an_answer():
    r = _reclamation()
    with pytest.raises(IntegrityError), transaction.atomic():
        Reclamation.objects.filter(pk=r.pk).update(close_le=JEUDI)


def _close() -> Reclamation:
    r = accuser_reception(_reclamation(), le=JEUDI, mode="telephone")
    r = repondre(r, le=JEUDI, reponse="Réponse.", envoyer_email=False)
    return clore(r, le=JEUDI, client_satisfait=True, verification="Appel.")


def test_only_the_gerant_reopens_and_the_reason_is_kept_in_the_history(gerant, consultant):
    r = _close()
    with pytest.raises(RefusMetier, match="Seul le gérant"):
        rouvrir(r, raison="Le client rappelle.", par=consultant)
    with pytest.raises(RefusMetier, match="raison"):
        rouvrir(r, raison="  ", par=gerant)
    r = rouvrir(
        r, raison="Le client rappelle : le rapport refait a encore des erreurs.", par=gerant
    )
    assert (r.statut, r.close_le, r.client_satisfait) == ("repondue", None, None)
    derniere = r.history.order_by("-history_date", "-history_id").first()
    assert derniere.history_change_reason == (
        "Réouverture : Le client rappelle : le rapport refait a encore des erreurs."
    )
    assert derniere.history_user == gerant
    with pytest.raises(RefusMetier, match="Seule une réclamation close"):
        rouvrir(r, raison="Encore.", par=gerant)


def test_reopening_page_is_for_the_gerant_and_shows_the_reason_in_the_history(
    client, gerant, consultant
):
    r = _close()
    client.force_login(consultant)
    assert client.post(
        reverse("reclamations:rouvrir", args=[r.pk]), {"raison": "X"}
    ).status_code in (
        403,
        404,
    )
    client.force_login(gerant)
    reponse = client.post(
        reverse("reclamations:rouvrir", args=[r.pk]), {"raison": "Nouvelle erreur signalée."}
    )
    assert reponse.status_code == 302
    page = client.get(r.get_absolute_url()).content.decode()
    assert "Nouvelle erreur signalée." in page
    assert Reclamation.objects.get(pk=r.pk).statut == "repondue"


# --- Numbering under concurrency ------------------------------------------------------------------


@avec_commit
def test_eight_complaints_recorded_at_once_get_eight_consecutive_numbers():
    org = OrganisationFactory()
    depart = threading.Barrier(8)
    erreurs: list[BaseException] = []

    def enregistrer(i: int) -> None:
        from django.db import connection as connexion_du_fil

        try:
            depart.wait(timeout=30)
            enregistrer_reclamation(organisation=org, recue_le=JEUDI, description=f"Plainte {i}")
        except BaseException as exc:  # reported to the main thread
            erreurs.append(exc)
        finally:
            connexion_du_fil.close()

    fils = [threading.Thread(target=enregistrer, args=(i,)) for i in range(8)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(timeout=120)
    assert not erreurs, erreurs
    numeros = sorted(Reclamation.objects.values_list("numero", flat=True))
    assert numeros == [f"REC-2026-{i:04d}" for i in range(1, 9)], connection.vendor
    assert Compteur.objects.get(prefixe="REC", annee=2026).dernier == 8


def test_a_refused_complaint_takes_no_number():
    org = OrganisationFactory()
    with pytest.raises(RefusMetier):
        enregistrer_reclamation(organisation=org, recue_le=JEUDI, description="   ")
    assert _reclamation(organisation=org).numero == "REC-2026-0001"


# --- Emails sent and recorded ---------------------------------------------------------------------


@avec_commit
def test_acknowledgement_and_answer_are_emailed_to_the_contact_and_recorded(gerant):
    r = _reclamation()
    r = accuser_reception(r, le=JEUDI, mode="email", par=gerant)
    assert len(mail.outbox) == 1
    accuse = mail.outbox[0]
    assert accuse.to == [r.contact.email]
    assert r.numero in accuse.subject
    assert "11 mars 2026" in accuse.body  # the answer deadline is stated
    r = repondre(
        r, le=date(2026, 3, 9), reponse="Nous refaisons le rapport gratuitement.", par=gerant
    )
    assert len(mail.outbox) == 2
    assert "Nous refaisons le rapport gratuitement." in mail.outbox[1].body
    enregistres = EmailEnvoye.objects.filter(object_id=str(r.pk)).order_by("pk")
    assert [(e.motif, e.statut) for e in enregistres] == [
        ("reclamation_accuse", "envoye"),
        ("reclamation_reponse", "envoye"),
    ]
    assert all(e.par == gerant for e in enregistres)


@avec_commit
def test_acknowledgement_by_email_without_an_address_is_refused():
    r = _reclamation(contact=ContactFactory(email=""))
    with pytest.raises(RefusMetier, match="par téléphone"):
        accuser_reception(r, le=JEUDI, mode="email")
    assert mail.outbox == []
    assert Reclamation.objects.get(pk=r.pk).accuse_le is None


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
    r = _reclamation(timezone.localdate())
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
    r = _reclamation(par=consultant)
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
    qualite, delai = _nature("Qualité de la prestation"), _nature("Délai")
    alpha = OrganisationFactory(raison_sociale="Alpha Conseil")
    beta = OrganisationFactory(raison_sociale="Bêta Industrie")
    en_retard = _reclamation(
        aujourdhui - timedelta(days=30), organisation=alpha, gravite="critique"
    )
    proche = _reclamation(aujourdhui, organisation=beta)
    close = accuser_reception(
        _reclamation(aujourdhui - timedelta(days=10), organisation=alpha),
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
    sienne = _reclamation(timezone.localdate(), par=consultant)
    assert set(_numeros(client_consultant.get(reverse("reclamations:liste")))) == {sienne.numero}
    autre = jeu_liste["retard"]
    assert client_consultant.get(autre.get_absolute_url()).status_code == 404


def _beaucoup_de_reclamations(n: int) -> None:
    aujourdhui = timezone.localdate()
    natures = [_nature("Qualité de la prestation"), _nature("Délai"), _nature("Facturation")]
    for i in range(n):
        org = OrganisationFactory()
        r = _reclamation(aujourdhui - timedelta(days=i % 40), organisation=org)
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
    ancienne = _reclamation(date(2026, 1, 12), organisation=org, description="Facture erronée.")
    qualifier(ancienne, fondee=True)
    r = _reclamation(JEUDI, organisation=org)
    autre_client = _reclamation(JEUDI)
    reponse = client_gerant.get(r.get_absolute_url())
    client = reponse.context["client"]
    assert [x.numero for x in client["reclamations"]] == [ancienne.numero]
    assert (client["total"], client["fondees"], client["recurrent"]) == (2, 1, True)
    html = reponse.content.decode()
    assert "Facture erronée." in html and "client récurrent" in html
    assert autre_client.numero not in html


# --- Dashboard figures on known data -------------------------------------------------------------


@pytest.fixture
def jeu_tableau():
    qualite, delai = _nature("Qualité de la prestation"), _nature("Délai")
    x = OrganisationFactory(raison_sociale="Xéna SARL")
    y = OrganisationFactory(raison_sociale="Yvelines Formation")
    z = OrganisationFactory(raison_sociale="Zénith SA")

    # A: Monday 5 Jan, acknowledged after 1 day, answered after 4 (due Sat 10): on time.
    a = _reclamation(date(2026, 1, 5), organisation=x)
    accuser_reception(a, le=date(2026, 1, 6), mode="telephone")
    qualifier(a, nature=qualite, fondee=True)
    repondre(a, le=date(2026, 1, 9), reponse="R.", envoyer_email=False)
    # B: Tuesday 20 Jan, acknowledged after 6 days, answered after 13 (due Mon 26): late.
    b = _reclamation(date(2026, 1, 20), organisation=x)
    accuser_reception(b, le=date(2026, 1, 26), mode="telephone")
    qualifier(b, nature=delai)
    repondre(b, le=date(2026, 2, 2), reponse="R.", envoyer_email=False)
    # C: Tuesday 10 Feb, acknowledged the same day, never answered (due Mon 16): overdue.
    c = _reclamation(date(2026, 2, 10), organisation=y)
    accuser_reception(c, le=date(2026, 2, 10), mode="telephone")
    qualifier(c, nature=qualite)
    # D: Thursday 26 Feb, nothing yet, still within both deadlines on Sunday 1 March.
    _reclamation(date(2026, 2, 26), organisation=z)
    # E: the year before, outside the period.
    _reclamation(date(2025, 12, 15), organisation=z)


def test_dashboard_figures_on_known_data(jeu_tableau):
    f = tableau_de_bord(debut=date(2026, 1, 1), fin=date(2026, 12, 31), le=date(2026, 3, 1))
    assert f["total"] == 4
    assert [m.nombre for m in f["par_mois"]] == [2, 2] + [0] * 10
    assert f["par_mois"][0].debut == date(2026, 1, 1)
    assert f["par_nature"] == [
        {"nature": "Qualité de la prestation", "nombre": 2},
        {"nature": "Délai", "nombre": 1},
        {"nature": "Non qualifiée", "nombre": 1},
    ]
    # Answered on time: A only, over A, B (answered) and C (overdue); D is not due yet.
    assert (f["repondues_a_temps"], f["reponses_echues"]) == (1, 3)
    assert f["taux_dans_les_delais"] == 33.3
    assert f["delai_moyen_accuse"] == 2.3  # (1 + 6 + 0) / 3
    assert f["delai_moyen_reponse"] == 8.5  # (4 + 13) / 2
    assert (f["accusees"], f["accuses_a_temps"]) == (3, 2)
    assert f["en_retard"] == 1 and f["ouvertes"] == 4 and f["fondees"] == 1
    assert [(c["organisation__raison_sociale"], c["nombre"]) for c in f["recurrents"]] == [
        ("Xéna SARL", 2)
    ]


def test_dashboard_without_complaints_shows_dashes_not_zero_division():
    f = tableau_de_bord(debut=date(2026, 1, 1), fin=date(2026, 12, 31), le=date(2026, 3, 1))
    assert f["total"] == 0
    assert f["taux_dans_les_delais"] is None
    assert f["delai_moyen_accuse"] is None and f["delai_moyen_reponse"] is None
    assert f["recurrents"] == [] and f["par_nature"] == []


def test_dashboard_page_is_for_the_gerant_and_shows_the_figures(
    client, gerant, consultant, jeu_tableau
):
    url = reverse("reclamations:tableau") + "?annee=2026"
    client.force_login(consultant)
    assert client.get(url).status_code == 403
    client.force_login(gerant)
    html = client.get(url).content.decode()
    assert "Xéna SARL" in html
    assert "8,5 j" in html
    assert 'id="donnees-reclamations-mois"' in html
    assert "<script>" not in html and 'style="' not in html


# --- Corrective and preventive actions -------------------------------------------------------


def test_action_follow_up_done_then_effectiveness_checked(gerant):
    r = _reclamation()
    action = creer_action(
        description="Relire chaque rapport à deux.", echeance=date(2026, 4, 1), reclamation=r
    )
    with pytest.raises(RefusMetier, match="une fois l'action réalisée"):
        suivre_action(action, le=date(2026, 3, 20), statut="en_cours", efficacite_verifiee=True)
    action = suivre_action(action, le=date(2026, 3, 20), statut="faite", par=gerant)
    assert (action.statut, action.realisee_le, action.verifiee_le) == (
        "faite",
        date(2026, 3, 20),
        None,
    )
    with pytest.raises(RefusMetier, match="comment l'efficacité"):
        suivre_action(action, le=date(2026, 5, 4), statut="faite", efficacite_verifiee=True)
    with pytest.raises(RefusMetier, match="futur"):
        suivre_action(action, le=date(2026, 5, 4), statut="faite", realisee_le=date(2026, 5, 5))
    action = suivre_action(
        action,
        le=date(2026, 5, 4),
        statut="faite",
        efficacite_verifiee=True,
        efficacite_commentaire="Aucune erreur sur les 12 rapports suivants.",
    )
    assert (action.efficacite_verifiee, action.verifiee_le, action.realisee_le) == (
        True,
        date(2026, 5, 4),
        date(2026, 3, 20),
    )
    assert action.history.first().history_change_reason == "Suivi de l'action"


def test_actions_page_lists_overdue_first_and_the_owner_follows_up(
    client, gerant, consultant, autre_consultant
):
    aujourdhui = timezone.localdate()
    plus_tard = creer_action(
        description="Former l'équipe", echeance=aujourdhui + timedelta(days=30)
    )
    faite = creer_action(description="Nouveau modèle", echeance=aujourdhui - timedelta(days=60))
    suivre_action(faite, le=aujourdhui, statut="faite")
    en_retard = creer_action(
        description="Check-list de relecture",
        echeance=aujourdhui - timedelta(days=3),
        responsable=consultant,
    )
    client.force_login(gerant)
    page = client.get(reverse("reclamations:actions"))
    assert [a.pk for a in page.context["page"]] == [en_retard.pk, plus_tard.pk, faite.pk]
    assert (
        "en-retard" in page.content.decode().split("Check-list de relecture")[0].rsplit("<tr", 1)[1]
    )

    client.force_login(autre_consultant)
    assert client.get(reverse("reclamations:action_suivre", args=[en_retard.pk])).status_code == 404
    client.force_login(consultant)
    reponse = client.post(
        reverse("reclamations:action_suivre", args=[en_retard.pk]),
        {"statut": "faite", "realisee_le": aujourdhui.isoformat(), "efficacite_verifiee": ""},
    )
    assert reponse.status_code == 302
    assert Action.objects.get(pk=en_retard.pk).statut == "faite"


def test_a_new_action_from_a_complaint(client_gerant, gerant):
    r = _reclamation()
    reponse = client_gerant.post(
        reverse("reclamations:action_creer", args=[r.pk]),
        {
            "type": "preventive",
            "description": "Valider le planning avec le client.",
            "responsable": gerant.pk,
            "echeance": "2026-04-30",
        },
    )
    assert reponse.status_code == 302
    action = Action.objects.get()
    assert (action.reclamation, action.type, action.statut) == (r, "preventive", "a_faire")


# --- Digest: overdue complaints first -----------------------------------------------------------


def test_digest_lists_overdue_complaints_first(gerant):
    from crm.digest import contenu

    lundi = date(2026, 3, 16)
    a_temps = _reclamation(date(2026, 3, 13))  # answer due Thursday 19: this week
    accuser_reception(a_temps, le=date(2026, 3, 13), mode="telephone")
    en_retard = _reclamation(date(2026, 3, 11))  # acknowledgement due Friday 13: overdue
    section = next(s for s in contenu(gerant, lundi) if s.cle == "reclamations")
    assert [ligne.texte.split(" — ")[0] for ligne in section.lignes] == [
        en_retard.numero,
        a_temps.numero,
    ]
    assert [ligne.en_retard for ligne in section.lignes] == [True, False]
