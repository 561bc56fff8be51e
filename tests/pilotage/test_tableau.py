"""Tableau de bord (issue 7): figures on hand-computed data, the period and the one before,
links to the lists, a query count that does not grow with the history, gérant only."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.models import Demande, Organisation, RevueFaisabilite
from devis.models import Devis, LigneDevis, MotifRefus, Relance
from devis.regles import classer_sans_suite
from devis.services import enregistrer_relance, enregistrer_reponse
from pilotage import selectors
from pilotage.periodes import douze_mois, periode_precedente, trimestre
from reclamations.models import Reclamation
from reclamations.services import accuser_reception, repondre
from satisfaction.models import Enquete, Reponse
from satisfaction.services import creer_enquete, repondre_enquete
from tests import factories

pytestmark = pytest.mark.django_db

DEBUT, FIN = date(2026, 1, 1), date(2026, 3, 31)
URL = reverse("pilotage:tableau") + "?debut=2026-01-01&fin=2026-03-31"


# --- Periods -----------------------------------------------------------------------------------


def test_default_period_is_the_quarter_and_previous_is_the_quarter_before():
    assert trimestre(date(2026, 5, 14)) == (date(2026, 4, 1), date(2026, 6, 30))
    assert trimestre(date(2026, 1, 1)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert periode_precedente(date(2026, 1, 1), date(2026, 3, 31)) == (
        date(2025, 10, 1),
        date(2025, 12, 31),
    )
    # Any other span: the same number of days just before.
    assert periode_precedente(date(2026, 3, 10), date(2026, 3, 19)) == (
        date(2026, 2, 28),
        date(2026, 3, 9),
    )
    assert douze_mois(date(2026, 5, 14)) == (date(2025, 5, 15), date(2026, 5, 14))


# --- Figures on hand-computed data ---------------------------------------------------------------


@pytest.fixture
def historique():
    """One quarter of activity (Q1 2026) and one quote in the quarter before."""
    parrain = factories.OrganisationFactory(raison_sociale="Cabinet Parrain")
    d1 = factories.demande_avec_revue(
        "go",
        le=date(2026, 1, 2),
        revue_le=date(2026, 1, 5),
        organisation=factories.OrganisationFactory(source="recommandation", recommande_par=parrain),
    )
    d2 = factories.demande_avec_revue(
        "go",
        le=date(2026, 1, 6),
        revue_le=date(2026, 1, 12),
        organisation=factories.OrganisationFactory(source="reseau"),
    )
    factories.demande_avec_revue(
        "no_go",
        le=date(2026, 2, 10),
        revue_le=date(2026, 2, 11),
        organisation=factories.OrganisationFactory(source="site_web"),
    )
    factories.DemandeFactory(
        recue_le=date(2026, 3, 1), organisation=factories.OrganisationFactory(source="email")
    )

    # A: 1 200 € HT, answer to d1 sent 3 days after it came, accepted.
    a = factories.devis_envoye(date(2026, 1, 5), demande=d1, organisation=d1.organisation)
    enregistrer_reponse(a, decision="accepte", le=date(2026, 1, 10))
    # B: 1 000 € HT, Go and quote for d2 after 6 days, refused for its price.
    b = factories.devis_envoye(
        date(2026, 1, 12),
        demande=d2,
        organisation=d2.organisation,
        lignes=[("Entretiens", 2, "500.00")],
    )
    prix = MotifRefus.objects.get_or_create(libelle="Prix trop élevé")[0]
    enregistrer_reponse(b, decision="refuse", le=date(2026, 1, 20), motif_refus=prix)
    # C: relance on its due day, then « sans suite » a month after sending.
    c = factories.devis_envoye(date(2026, 2, 2))
    enregistrer_relance(c, mode="telephone", le=c.relance_due_le)
    classer_sans_suite(date(2026, 3, 2))
    # D: still waiting; its relance was done three days late.
    d = factories.devis_envoye(date(2026, 3, 20))
    enregistrer_relance(d, mode="telephone", le=d.relance_due_le + timedelta(days=3))
    # Not counted: a draft, and a quote of the quarter before (accepted).
    factories.DevisFactory()
    e = factories.devis_envoye(date(2025, 11, 10))
    enregistrer_reponse(e, decision="accepte", le=date(2025, 11, 20))

    # Complaints: one answered on time, one late, one not due yet at the end of the quarter.
    r1 = factories.reclamation_recue(date(2026, 1, 5), description="Retard")
    accuser_reception(r1, le=date(2026, 1, 6), mode="telephone")
    repondre(r1, le=date(2026, 1, 9), reponse="Excuses", envoyer_email=False)
    r2 = factories.reclamation_recue(date(2026, 2, 2), description="Erreur")
    accuser_reception(r2, le=date(2026, 2, 5), mode="telephone")
    repondre(r2, le=date(2026, 2, 12), reponse="Corrigé", envoyer_email=False)
    factories.reclamation_recue(date(2026, 3, 30), description="Oubli")

    # Satisfaction: one promoter satisfied, one detractor not.
    for note, reco in [(5, 10), (3, 5)]:
        enquete = creer_enquete(contact=factories.ContactFactory(), le=date(2026, 2, 1))
        repondre_enquete(
            enquete, le=date(2026, 2, 15), satisfaction=note, recommandation=reco, effort=4
        )
    return {"parrain": parrain}


def test_quote_figures_follow_the_quotes_sent_in_the_period(historique):
    i = selectors.indicateurs(DEBUT, FIN, le=date(2026, 4, 15))
    assert i.devis.envoyes == 4  # A, B, C, D
    assert i.devis.montant_envoye == Decimal("4600.00")
    assert i.devis.acceptes == 1
    assert i.devis.montant_accepte == Decimal("1200.00")
    assert i.devis.refuses == 1
    assert i.devis.sans_suite == 1
    assert i.devis.conversion_repondus == 50.0  # 1 accepted of 2 answered
    assert i.devis.conversion_envoyes == 25.0  # 1 accepted of 4 sent
    assert i.devis.taux_sans_suite == 25.0
    # Waiting on 31 March: D only (C was classed « sans suite » on 2 March).
    assert (i.pipeline.le, i.pipeline.nombre, i.pipeline.montant) == (
        FIN,
        1,
        Decimal("1200.00"),
    )
    assert i.motifs_refus == [{"motif": "Prix trop élevé", "nombre": 1}]


@pytest.mark.usefixtures("sans_exemple")
def test_delays_sources_and_no_go(historique, django_assert_max_num_queries):
    with django_assert_max_num_queries(11):
        i = selectors.indicateurs(DEBUT, FIN, le=date(2026, 4, 15))
    # Answer to a request: 3 days (d1, Go and quote the same day), 6 (d2, quote), 1 (d3, No Go).
    assert i.delais.demandes_repondues == 3
    assert i.delais.reponse_jours == 3.3
    # Sending a quote: A 3 days, B 6 days after its request (C and D answer no request).
    assert (i.delais.devis_envoyes, i.delais.envoi_devis_jours) == (2, 4.5)
    par_source = {s["source"]: s["nombre"] for s in i.sources}
    assert par_source == {
        "recommandation": 1,
        "reseau": 1,
        "email": 1,
        "telephone": 0,
        "site_web": 1,
        "autre": 0,
    }
    assert i.demandes == 4 and i.part_reseau == 50.0
    assert i.recommandeurs == [
        {
            "nom": "Cabinet Parrain",
            "organisation_id": historique["parrain"].pk,
            "nombre": 1,
        }
    ]
    f = i.faisabilite
    assert (f.revues, f.go, f.no_go, f.declinees, f.reorientees) == (3, 2, 1, 1, 0)
    assert f.sans_competence == 1 and f.taux_no_go == 33.3
    assert f.derniers_no_go[0]["motif"] == "Hors de notre champ de compétence."


def test_complaints_satisfaction_and_relances(historique):
    i = selectors.indicateurs(DEBUT, FIN, le=date(2026, 4, 15))
    r = i.reclamations
    assert (r.recues, r.accusees_a_temps, r.repondues, r.repondues_a_temps) == (3, 1, 2, 1)
    # The third one's deadline (4 April) had not come on 31 March: not counted as due.
    assert (r.echues, r.en_retard, r.taux_a_temps) == (2, 0, 50.0)
    assert i.satisfaction["nb_reponses"] == 2
    assert i.satisfaction["taux_satisfaction"] == 50.0
    assert i.satisfaction["nps"] == 0.0
    assert (i.discipline.relances_dues, i.discipline.faites, i.discipline.faites_a_temps) == (
        2,
        2,
        1,
    )
    assert i.discipline.taux_a_temps == 50.0


def test_previous_period_and_empty_period(historique):
    p = selectors.indicateurs(date(2025, 10, 1), date(2025, 12, 31))
    assert (p.devis.envoyes, p.devis.acceptes, p.devis.conversion_envoyes) == (1, 1, 100.0)
    vide = selectors.indicateurs(date(2020, 1, 1), date(2020, 3, 31))
    assert vide.devis.envoyes == 0
    assert vide.devis.conversion_repondus is None  # nothing to divide: « — », not 0 %
    assert vide.delais.reponse_jours is None
    assert vide.reclamations.taux_a_temps is None


@pytest.mark.usefixtures("sans_exemple")
def test_several_periods_cost_the_queries_of_one_and_give_the_same_figures(
    historique, django_assert_num_queries
):
    periodes = [
        (DEBUT, FIN),
        (date(2025, 10, 1), date(2025, 12, 31)),
        (date(2020, 1, 1), date(2020, 3, 31)),
    ]
    le = date(2026, 4, 15)
    seules = [selectors.indicateurs(debut, fin, le=le) for debut, fin in periodes]
    with django_assert_num_queries(11):
        ensemble = selectors.indicateurs_periodes(periodes, le=le)
    assert ensemble == seules
    assert ensemble[0].devis.envoyes and ensemble[1].devis.envoyes  # not two empty periods


def test_overlapping_or_inverted_periods_are_refused():
    with pytest.raises(ValueError, match="chevauchent"):
        selectors.indicateurs_periodes([(DEBUT, FIN), (FIN, FIN + timedelta(days=5))])
    with pytest.raises(ValueError, match="inversée"):
        selectors.indicateurs_periodes([(FIN, DEBUT)])


def test_dashboard_shows_both_periods_charts_data_and_links(client_gerant, historique):
    reponse = client_gerant.get(URL)
    assert reponse.status_code == 200
    html = reponse.content.decode()
    assert "4 600,00 €" in html  # amounts through the euros filter
    assert "50,0 %" in html
    assert "1 octobre 2025" in html  # the previous period beside
    # Every figure links to the list behind it.
    assert f'href="{reverse("devis:liste")}?statut=accepte"' in html
    assert f'href="{reverse("devis:liste")}?statut=sans_suite"' in html
    assert f'href="{reverse("crm:demandes")}?statut=declinee"' in html
    assert f'href="{reverse("crm:organisations")}?source=recommandation"' in html
    assert f'href="{reverse("reclamations:liste")}?statut=repondue"' in html
    assert f'href="{reverse("satisfaction:tableau")}"' in html
    # Charts: vendored Chart.js and a static script reading json_script data; no inline code.
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "js/pilotage.js" in html
    assert 'style="' not in html
    donnees = reponse.context["graphiques"]
    devis = next(g for g in donnees if g["id"] == "devis")
    assert devis["jeux"][0]["data"] == [4, 1, 1, 1]
    assert devis["jeux"][1]["data"] == [1, 1, 0, 0]
    assert '<script id="donnees-graphiques" type="application/json">' in html
    debut = html.index('id="donnees-graphiques"')
    json.loads(html[html.index(">", debut) + 1 : html.index("</script>", debut)])


def test_a_wrong_period_falls_back_to_the_default_with_an_error(client_gerant):
    reponse = client_gerant.get(reverse("pilotage:tableau") + "?debut=2026-03-31&fin=2026-01-01")
    assert reponse.status_code == 200
    assert "La fin de la période précède son début." in reponse.content.decode()


# --- Performance: constant number of queries ------------------------------------------------------


def _beaucoup_de_lignes(n: int) -> None:
    """``n`` rows of each kind, written with bulk_create (no service: only volume matters)."""
    orgs = Organisation.objects.bulk_create(
        Organisation(raison_sociale=f"Org {i}", source=["reseau", "email", "autre"][i % 3])
        for i in range(n // 10)
    )
    jours = [DEBUT + timedelta(days=i % 90) for i in range(n)]
    demandes = Demande.objects.bulk_create(
        Demande(
            organisation=orgs[i % len(orgs)],
            recue_le=jours[i],
            contexte="recrutement",
            type_prestation="evaluation",
            description="x",
        )
        for i in range(n)
    )
    RevueFaisabilite.objects.bulk_create(
        RevueFaisabilite(
            demande=demandes[i],
            competence=i % 2 == 0,
            disponibilite=True,
            independance=True,
            decision="go" if i % 2 == 0 else "no_go",
            suite="" if i % 2 == 0 else "decliner",
            decidee_le=jours[i],
        )
        for i in range(0, n, 2)
    )
    statuts = ["envoye", "accepte", "refuse", "sans_suite"]
    devis = Devis.objects.bulk_create(
        Devis(
            numero=f"DEV-2026-{i:05d}",
            organisation=orgs[i % len(orgs)],
            demande=demandes[i],
            objet="x",
            statut=statuts[i % 4],
            envoye_le=jours[i],
            reponse_le=jours[i] if statuts[i % 4] in ("accepte", "refuse") else None,
            classe_sans_suite_le=jours[i] if statuts[i % 4] == "sans_suite" else None,
        )
        for i in range(n)
    )
    LigneDevis.objects.bulk_create(
        LigneDevis(devis=d, designation="x", quantite=1, prix_unitaire_ht=100) for d in devis
    )
    Relance.objects.bulk_create(
        Relance(devis=d, due_le=d.envoye_le, faite_le=d.envoye_le, mode="email")
        for d in devis[: n // 2]
    )
    Reclamation.objects.bulk_create(
        Reclamation(
            numero=f"REC-2026-{i:05d}",
            organisation=orgs[i % len(orgs)],
            recue_le=jours[i],
            description="x",
            accuse_du_le=jours[i] + timedelta(days=2),
            reponse_due_le=jours[i] + timedelta(days=6),
        )
        for i in range(n // 2)
    )
    contact = factories.ContactFactory(organisation=orgs[0])
    enquetes = Enquete.objects.bulk_create(
        Enquete(
            contact=contact,
            creee_le=jours[i],
            expire_le=jours[i] + timedelta(days=30),
            jeton_empreinte=f"empreinte-{i}",
        )
        for i in range(n // 2)
    )
    Reponse.objects.bulk_create(
        Reponse(enquete=e, satisfaction=4, recommandation=9, effort=5, repondue_le=e.creee_le)
        for e in enquetes
    )


def test_dashboard_query_count_does_not_grow_with_the_history(
    client_gerant, django_assert_num_queries
):
    client_gerant.get(URL)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as peu:
        assert client_gerant.get(URL).status_code == 200
    assert len(peu.captured_queries) <= 15  # both periods' figures in the queries of one
    _beaucoup_de_lignes(3000)
    assert Devis.objects.count() == 3000
    with django_assert_num_queries(len(peu.captured_queries)):
        reponse = client_gerant.get(URL)
    assert reponse.status_code == 200
    assert reponse.context["c"].devis.envoyes == 3000


# --- Access ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "nom",
    [
        "pilotage:tableau",
        "pilotage:revue_direction",
        "pilotage:dossier_audit",
        "pilotage:import",
        "pilotage:import_apercu",
        "pilotage:exports",
    ],
)
def test_consultant_gets_403_on_gerant_pages(client_consultant, nom):
    assert client_consultant.get(reverse(nom)).status_code == 403


def test_consultant_gets_403_on_exports_and_client_file(client_consultant):
    org = factories.OrganisationFactory()
    assert (
        client_consultant.get(reverse("pilotage:export", args=["organisations"])).status_code == 403
    )
    assert (
        client_consultant.get(reverse("pilotage:dossier_client", args=[org.pk])).status_code == 403
    )
    assert client_consultant.post(reverse("pilotage:import_confirmer")).status_code == 403


def test_anonymous_is_sent_to_login(client):
    reponse = client.get(reverse("pilotage:tableau"))
    assert reponse.status_code == 302 and reverse("login") in reponse["Location"]
