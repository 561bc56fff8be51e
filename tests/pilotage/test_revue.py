"""Revue de direction (ISO 9001 §9.3) as a PDF read back with pdftotext, the same file from the
command line, and the audit file (ZIP of the PROC-020 §4 records with its index)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from devis.models import MotifRefus
from devis.services import (
    enregistrer_accord,
    enregistrer_relance,
    enregistrer_reponse,
)
from pilotage.revue import revue_direction_pdf
from reclamations.services import creer_action, enregistrer_reclamation
from satisfaction.services import creer_enquete, repondre_enquete
from tests.factories import (
    ContactFactory,
    OrganisationFactory,
    demande_avec_revue,
    devis_envoye,
)
from tests.outils import texte_pdf as texte
from tests.pilotage.outils import contenu, suivre

pytestmark = pytest.mark.django_db

DEBUT, FIN = date(2026, 1, 1), date(2026, 6, 30)


@pytest.fixture
def semestre():
    demande_avec_revue(
        "no_go",
        le=date(2026, 2, 3),
        organisation=OrganisationFactory(raison_sociale="Conflit SA"),
    )
    accepte = devis_envoye(
        date(2026, 2, 10), organisation=OrganisationFactory(raison_sociale="Gagné SARL")
    )
    accord = enregistrer_accord(
        accepte,
        type="bon_commande",
        recu_le=date(2026, 2, 20),
        document=ContentFile(b"%PDF-1.4 bon de commande", name="bc.pdf"),
        document_nom="Bon de commande 4521.pdf",
    )
    perdu = devis_envoye(date(2026, 3, 2))
    enregistrer_reponse(
        perdu,
        decision="refuse",
        le=date(2026, 3, 9),
        motif_refus=MotifRefus.objects.get_or_create(libelle="Budget gelé")[0],
    )
    attente = devis_envoye(date(2026, 4, 1))
    enregistrer_relance(attente, mode="telephone", le=attente.relance_due_le)
    for commentaire, consentement in [
        ("Une écoute remarquable du début à la fin.", True),
        ("Ne me citez pas, merci.", False),
    ]:
        enquete = creer_enquete(contact=ContactFactory(), le=date(2026, 3, 1))
        repondre_enquete(
            enquete,
            le=date(2026, 3, 5),
            satisfaction=5,
            recommandation=10,
            effort=6,
            commentaire=commentaire,
            consentement_citation=consentement,
        )
    reclamation = enregistrer_reclamation(
        organisation=OrganisationFactory(raison_sociale="Mécontent SAS"),
        recue_le=date(2026, 4, 14),
        description="Rapport remis en retard.",
    )
    creer_action(
        description="Planifier la rédaction du rapport dès le lancement.",
        echeance=date(2026, 5, 15),
        reclamation=reclamation,
    )
    return {"accord": accord, "reclamation": reclamation}


def test_report_text_holds_every_input_of_the_review(semestre):
    t = texte(revue_direction_pdf(DEBUT, FIN, le=date(2026, 7, 3)))
    assert "Revue de direction" in t
    assert "du 01/01/2026 au 30/06/2026" in t
    assert "01/07/2025 – 31/12/2025" in t  # the previous period beside
    # Commercial activity, with amounts in French.
    assert "Devis envoyés" in t
    assert "3 600,00 €" in t  # three quotes of 1 200 € HT
    assert "Budget gelé" in t
    # Feasibility reviews and No Go.
    assert "Conflit SA" in t
    assert "Hors de notre champ de compétence." in t
    # Satisfaction and feedback: only the words of clients who agreed to be quoted.
    assert "Une écoute remarquable" in t
    assert "Ne me citez pas" not in t
    # Complaints and actions.
    assert semestre["reclamation"].numero in t
    assert "Mécontent SAS" in t
    assert "Planifier la rédaction du rapport" in t
    # Follow-up discipline: the one relance due was done on its due day.
    assert "Relances dues sur la période : 1 ; faites : 1" in t
    assert "100,0 %" in t


def test_report_page_downloads_the_pdf(client_gerant, semestre):
    url = reverse("pilotage:revue_direction")
    page = client_gerant.get(url)
    assert page.status_code == 200
    assert "revue_direction --debut" in page.content.decode()
    reponse = suivre(
        client_gerant, client_gerant.post(url, {"debut": "2026-01-01", "fin": "2026-06-30"})
    )
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    assert "revue-de-direction-2026-01-01-2026-06-30.pdf" in reponse["Content-Disposition"]
    assert "Conflit SA" in texte(contenu(reponse))


def test_command_writes_the_same_report(semestre, tmp_path):
    fichier = tmp_path / "revue.pdf"
    call_command(
        "revue_direction", "--debut", "2026-01-01", "--fin", "2026-06-30", "--pdf", str(fichier)
    )
    t = texte(fichier.read_bytes())
    assert "Revue de direction" in t and "Conflit SA" in t and "Budget gelé" in t


def test_command_refuses_a_bad_date(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="AAAA-MM-JJ"):
        call_command(
            "revue_direction",
            "--debut",
            "01/01/2026",
            "--fin",
            "2026-06-30",
            "--pdf",
            str(tmp_path / "x.pdf"),
        )


def test_audit_file_holds_the_records_and_an_index_of_every_file(client_gerant, semestre):
    reponse = suivre(
        client_gerant,
        client_gerant.post(
            reverse("pilotage:dossier_audit"), {"debut": "2026-01-01", "fin": "2026-06-30"}
        ),
    )
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/zip"
    assert "dossier-audit-2026-01-01-2026-06-30.zip" in reponse["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(reponse.streaming_content)))
    noms = set(archive.namelist())
    devis_pdf = sorted(n for n in noms if n.startswith("devis/") and n.endswith(".pdf"))
    assert len(devis_pdf) == 3
    assert all(archive.read(n).startswith(b"%PDF") for n in devis_pdf)
    accord = semestre["accord"]
    document = next(n for n in noms if n.startswith("accords/") and n.endswith(".pdf"))
    assert archive.read(document) == b"%PDF-1.4 bon de commande"
    assert accord.devis.numero in document
    for attendu in (
        "revues_de_faisabilite.csv",
        "reclamations.csv",
        "actions_correctives_preventives.csv",
        "accords/accords_et_revues_de_contrat.csv",
        "index.csv",
        "index.html",
    ):
        assert attendu in noms
    revues = archive.read("revues_de_faisabilite.csv").decode("utf-8-sig")
    assert "Conflit SA" in revues and "No Go" in revues
    assert semestre["reclamation"].numero in archive.read("reclamations.csv").decode("utf-8-sig")
    index = list(
        csv.reader(io.StringIO(archive.read("index.csv").decode("utf-8-sig")), delimiter=";")
    )
    assert {ligne[0] for ligne in index[1:]} == noms  # every file, the index itself included
    html = archive.read("index.html").decode()
    assert all(n in html for n in noms)


def test_audit_tables_guard_formulas_and_hold_the_whole_complaint_record(gerant):
    """The audit file's CSVs are written by the exports' code: a cell a client or a user typed
    as a formula is neutralised, and a complaint carries the same columns as its export."""
    from pilotage.audit import construire_dossier_audit
    from reclamations.exports import ENTETES_RECLAMATIONS

    r = enregistrer_reclamation(
        organisation=OrganisationFactory(raison_sociale="Piège SA"),
        recue_le=date(2026, 3, 2),
        description='=HYPERLINK("http://exemple.invalid","clic")',
    )
    fichier = io.BytesIO()
    construire_dossier_audit(date(2026, 1, 1), date(2026, 6, 30), fichier, le=date(2026, 7, 1))
    archive = zipfile.ZipFile(fichier)
    lignes = list(
        csv.reader(io.StringIO(archive.read("reclamations.csv").decode("utf-8-sig")), delimiter=";")
    )
    assert lignes[0] == ENTETES_RECLAMATIONS
    ligne = dict(zip(lignes[0], lignes[1], strict=True))
    assert ligne["Numéro"] == r.numero and ligne["Reçue le"] == "02/03/2026"
    assert ligne["Description"] == "'" + r.description


def test_audit_page_without_download_shows_the_period(client_gerant, semestre):
    reponse = client_gerant.get(
        reverse("pilotage:dossier_audit"), {"debut": "2026-01-01", "fin": "2026-06-30"}
    )
    assert reponse.status_code == 200
    assert "3 devis émis" in reponse.content.decode()


@pytest.mark.parametrize("vue", ["pilotage:revue_direction", "pilotage:dossier_audit"])
def test_heavy_documents_are_made_only_by_post_for_three_years_at_most(client_gerant, vue):
    """Issue 16: a GET (a link, an image planted elsewhere) only shows the form; a POST over
    more than three years is refused with a French message, nothing is built."""
    url = reverse(vue)
    page = client_gerant.get(url, {"debut": "2026-01-01", "fin": "2026-06-30", "telecharger": 1})
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert 'method="post"' in page.content.decode()
    trop = client_gerant.post(url, {"debut": "2022-01-01", "fin": "2026-06-30"})
    assert trop.status_code == 200 and trop["Content-Type"].startswith("text/html")
    assert "3 ans au plus" in trop.content.decode()


def test_heavy_documents_need_the_csrf_token(gerant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(gerant)
    for vue in ("pilotage:revue_direction", "pilotage:dossier_audit"):
        reponse = client.post(reverse(vue), {"debut": "2026-01-01", "fin": "2026-06-30"})
        assert reponse.status_code == 403
