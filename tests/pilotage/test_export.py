"""Exports of the lists to CSV and Excel with their filters, and a client's whole file."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from crm.models import Interaction
from devis.services import enregistrer_reponse
from pilotage.tasks import executer_travail
from reclamations.services import enregistrer_reclamation
from tests.factories import (
    ContactFactory,
    DemandeFactory,
    OrganisationFactory,
    devis_envoye,
)
from tests.pilotage.outils import contenu, id_du_travail, suivre

pytestmark = pytest.mark.django_db


def _csv(reponse) -> list[list[str]]:
    texte = contenu(reponse).decode("utf-8")
    assert texte.startswith("\ufeff")  # Excel opens UTF-8 with a BOM
    return list(csv.reader(io.StringIO(texte[1:]), delimiter=";"))


def _xlsx(contenu: bytes):
    return load_workbook(io.BytesIO(contenu))


def test_organisations_csv_applies_the_list_filters(client_gerant):
    OrganisationFactory(raison_sociale="Recommandée SA", source="recommandation")
    OrganisationFactory(raison_sociale="Du Web SAS", source="site_web")
    OrganisationFactory(raison_sociale='=HYPERLIEN("x")', source="recommandation")
    url = reverse("pilotage:export", args=["organisations"])
    reponse = suivre(
        client_gerant, client_gerant.post(url, {"format": "csv", "source": "recommandation"})
    )
    assert reponse.status_code == 200
    assert reponse["Content-Type"].startswith("text/csv")
    assert 'filename="organisations-' in reponse["Content-Disposition"]
    lignes = _csv(reponse)
    assert lignes[0][:2] == ["Raison sociale", "Statut"]
    noms = [ligne[0] for ligne in lignes[1:]]
    assert "Recommandée SA" in noms and "Du Web SAS" not in noms
    assert '\'=HYPERLIEN("x")' in noms  # a formula is never run by the spreadsheet


def test_demandes_and_complaints_exports(client_gerant):
    DemandeFactory(recue_le=date(2026, 3, 2), description="Évaluer un DAF")
    DemandeFactory(recue_le=date(2026, 3, 3), description="Former des managers", statut="go")
    reponse = suivre(
        client_gerant,
        client_gerant.post(
            reverse("pilotage:export", args=["demandes"]), {"format": "csv", "statut": "go"}
        ),
    )
    lignes = _csv(reponse)
    assert len(lignes) == 2 and lignes[1][0] == "03/03/2026"
    assert "Former des managers" in lignes[1]
    r = enregistrer_reclamation(
        organisation=OrganisationFactory(), recue_le=date(2026, 3, 2), description="Retard"
    )
    classeur = _xlsx(
        contenu(
            suivre(
                client_gerant,
                client_gerant.post(
                    reverse("pilotage:export", args=["reclamations"]),
                    {"format": "xlsx", "statut": "recue"},
                ),
            )
        )
    )
    feuille = classeur.active
    assert feuille["A1"].value == "Numéro" and feuille["A2"].value == r.numero
    assert feuille["B2"].value.date() == date(2026, 3, 2)  # a real date in Excel
    assert feuille.max_row == 2


def test_devis_xlsx_with_statut_and_search(client_gerant):
    a = devis_envoye(date(2026, 3, 2), objet="Bilan de compétences")
    enregistrer_reponse(a, decision="accepte", le=date(2026, 3, 5))
    devis_envoye(date(2026, 3, 2), objet="Autre chose")
    reponse = suivre(
        client_gerant,
        client_gerant.post(
            reverse("pilotage:export", args=["devis"]),
            {"format": "xlsx", "statut": "accepte", "q": "Bilan"},
        ),
    )
    assert reponse["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    feuille = _xlsx(contenu(reponse)).active
    assert feuille.max_row == 2
    assert feuille["A2"].value == a.numero
    assert feuille["F1"].value == "Total HT (€)" and float(feuille["F2"].value) == 1200.0


def test_export_query_count_does_not_grow(client_gerant, django_assert_max_num_queries):
    for i in range(30):
        devis_envoye(date(2026, 3, 2), objet=f"Devis {i}")
    reponse = client_gerant.post(reverse("pilotage:export", args=["devis"]), {"format": "csv"})
    # The worker's run: the list's queries plus the job's claim, progress and end.
    with django_assert_max_num_queries(13):
        executer_travail(id_du_travail(reponse))


def test_unknown_list_is_404(client_gerant):
    assert client_gerant.get(reverse("pilotage:export", args=["utilisateurs"])).status_code == 404


@pytest.mark.usefixtures("sans_exemple")
def test_client_file_has_one_sheet_per_kind(client_gerant, gerant):
    org = OrganisationFactory(raison_sociale="Client Complet SAS")
    contact = ContactFactory(organisation=org, nom="Durand")
    Interaction.objects.create(
        organisation=org,
        contact=contact,
        type="reunion",
        date=date(2026, 2, 1),
        resume="Point annuel",
    )
    DemandeFactory(organisation=org, description="Recrutement d'un DRH")
    devis_envoye(date(2026, 3, 2), organisation=org, objet="Évaluation DRH")
    enregistrer_reclamation(
        organisation=org, recue_le=date(2026, 3, 10), description="Retard du rapport"
    )
    reponse = client_gerant.get(reverse("pilotage:dossier_client", args=[org.pk]))
    assert reponse.status_code == 200
    assert "dossier-client-complet-sas" in reponse["Content-Disposition"]
    classeur = _xlsx(reponse.content)
    assert classeur.sheetnames == [
        "Organisation",
        "Contacts",
        "Échanges",
        "Demandes",
        "Devis",
        "Missions",
        "Réclamations",
    ]
    assert classeur["Organisation"]["B2"].value == "Client Complet SAS"
    assert "Durand" in [c.value for c in classeur["Contacts"]["C"]]
    assert classeur["Échanges"]["E2"].value == "Point annuel"
    assert classeur["Demandes"]["D2"].value == "Recrutement d'un DRH"
    assert classeur["Devis"]["D2"].value == "Évaluation DRH"
    assert classeur["Réclamations"]["H2"].value == "Retard du rapport"


def test_exports_page_finds_a_client(client_gerant):
    org = OrganisationFactory(raison_sociale="Trouvable SARL")
    html = client_gerant.get(reverse("pilotage:exports"), {"q": "trouv"}).content.decode()
    assert reverse("pilotage:dossier_client", args=[org.pk]) in html
    assert reverse("pilotage:export", args=["devis"]) + "?format=xlsx" in html


def test_a_list_link_shows_a_form_and_only_its_post_makes_the_file(client_gerant):
    """The lists' links (GET, with their filters) lead to a CSRF-protected form: a link or an
    image planted elsewhere never starts an unbounded export."""
    OrganisationFactory(raison_sociale="Recommandée SA", source="recommandation")
    url = reverse("pilotage:export", args=["organisations"])
    page = client_gerant.get(url, {"format": "xlsx", "source": "recommandation"})
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<input type="hidden" name="source" value="recommandation">' in html
    gardien = Client(enforce_csrf_checks=True)
    gardien.force_login(page.wsgi_request.user)
    assert gardien.post(url, {"format": "csv"}).status_code == 403  # no CSRF token
