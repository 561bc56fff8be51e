"""Import of organisations and contacts from messy real-world files: Outlook's French export in
Windows-1252 with « ; », an English one with « , », an Excel file, a bad row (nothing written),
duplicates detected; preview before anything is written, then all or nothing."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from crm.models import Contact, Organisation
from pilotage import importation
from pilotage.tasks import executer_travail
from tests.factories import ContactFactory, OrganisationFactory
from tests.pilotage.outils import id_du_travail

pytestmark = pytest.mark.django_db

# Outlook (French) « Valeurs séparées par des points-virgules (Windows) »: every field quoted,
# many empty columns, Windows-1252 accents.
OUTLOOK_FR = (
    '"Titre";"Prénom";"Deuxième prénom";"Nom";"Suffixe";"Société";"Service";"Fonction";'
    '"Rue (bureau)";"Ville (bureau)";"Code postal (bureau)";"Pays/Région (bureau)";'
    '"Téléphone (bureau)";"Tél. mobile";"Adresse de messagerie";"Notes"\r\n'
    '"Mme";"Hélène";"";"Lefèvre";"";"Société Générale d\'Évaluation";"RH";"Directrice des '
    'ressources humaines";"12 rue de la Paix";"Lyon";"69002";"France";"04 72 00 00 01";'
    '"06 12 34 56 78";"helene.lefevre@sge.example";"Rencontrée au petit-déjeuner"\r\n'
    '"M.";"Jérôme";"";"Müller";"";"Société Générale d\'Évaluation";"";"DAF";"";"Lyon";'
    '"69002";"";"04 72 00 00 02";"";"jerome.muller@sge.example";""\r\n'
    '"";"François";"";"Dupré";"";"Crèche Les Étoiles";"";"Gérant";"";"Villeurbanne";"69100";'
    '"";"";"";"francois@etoiles.example";""\r\n'
)

OUTLOOK_EN = (
    "First Name,Middle Name,Last Name,Title,Company,Job Title,Business Street,Business City,"
    "Business Postal Code,Business Phone,Mobile Phone,E-mail Address,SIRET\r\n"
    "Alice,,Martin,Ms.,Acme Consulting,CEO,1 Main Street,Paris,75001,01 40 00 00 00,,"
    "alice@acme.example,732 829 320 00074\r\n"
    'Bob,,Smith,Mr.,"Widgets, Inc.",CTO,,London,,,+44 20 7946 0958,bob@widgets.example,\r\n'
)


def test_outlook_french_export_in_windows_1252_with_semicolons():
    analyse = importation.analyser(OUTLOOK_FR.encode("cp1252"), "contacts.CSV")
    assert analyse.importable, [ligne.erreurs for ligne in analyse.lignes]
    assert [ligne.numero for ligne in analyse.lignes] == [2, 3, 4]
    premiere = analyse.lignes[0]
    assert premiere.organisation["raison_sociale"] == "Société Générale d'Évaluation"
    assert premiere.contact == {
        "civilite": "Mme",
        "prenom": "Hélène",
        "nom": "Lefèvre",
        "fonction": "Directrice des ressources humaines",
        "email": "helene.lefevre@sge.example",
        "telephone": "04 72 00 00 01",
        "mobile": "06 12 34 56 78",
    }
    assert ("Adresse de messagerie", "Email") in analyse.colonnes
    assert "Notes" in analyse.colonnes_ignorees
    # Two rows of one company: one organisation.
    assert (analyse.organisations_a_creer, analyse.contacts_a_creer) == (2, 3)

    rapport = importation.importer(OUTLOOK_FR.encode("cp1252"), "contacts.CSV")
    assert (rapport.organisations_creees, rapport.contacts_crees) == (2, 3)
    sge = Organisation.objects.get(raison_sociale="Société Générale d'Évaluation")
    assert (sge.ville, sge.code_postal, sge.adresse, sge.source) == (
        "Lyon",
        "69002",
        "12 rue de la Paix",
        "autre",
    )
    assert sorted(sge.contacts.values_list("nom", flat=True)) == ["Lefèvre", "Müller"]
    assert sge.history.first().history_change_reason == "Import depuis contacts.CSV"


def test_english_export_with_commas_utf8_bom_and_siret():
    contenu = ("\ufeff" + OUTLOOK_EN).encode("utf-8")
    analyse = importation.analyser(contenu, "export.csv")
    assert analyse.importable, [ligne.erreurs for ligne in analyse.lignes]
    alice, bob = analyse.lignes
    assert alice.organisation["siret"] == "73282932000074"  # spaces removed
    assert alice.contact["civilite"] == "Mme" and bob.contact["civilite"] == "M."
    assert bob.organisation["raison_sociale"] == "Widgets, Inc."  # quoted separator
    importation.importer(contenu, "export.csv")
    acme = Organisation.objects.get(siret="73282932000074")
    assert acme.contacts.get().email == "alice@acme.example"


def test_excel_file_made_with_openpyxl():
    classeur = Workbook()
    feuille = classeur.active
    feuille.append(
        [
            "Société",
            "Prénom",
            "Nom",
            "Adresse de messagerie",
            "Téléphone (bureau)",
            "Code postal (bureau)",
        ]
    )
    # Excel turned the phone and the postcode into numbers: leading zeros lost.
    feuille.append(["Boulangerie À l'Épi d'Or", "Zoé", "Noël", "zoe@epi.example", 472000003, 1000])
    feuille.append([None, None, None, None, None, None])  # empty rows are skipped
    tampon = io.BytesIO()
    classeur.save(tampon)
    analyse = importation.analyser(tampon.getvalue(), "contacts.xlsx")
    assert analyse.importable, [ligne.erreurs for ligne in analyse.lignes]
    (ligne,) = analyse.lignes
    assert ligne.contact["telephone"] == "0472000003"
    assert ligne.organisation["code_postal"] == "01000"
    importation.importer(tampon.getvalue(), "contacts.xlsx")
    assert Contact.objects.get(email="zoe@epi.example").organisation.raison_sociale == (
        "Boulangerie À l'Épi d'Or"
    )


def test_a_bad_row_shows_every_error_and_nothing_is_written():
    contenu = (
        "Société;Nom;Adresse de messagerie;SIRET;Téléphone (bureau)\n"
        "Bonne Entreprise;Durand;durand@bonne.example;;01 02 03 04 05\n"
        "Mauvaise SIRET;Petit;pas-un-email;12345678901234;appelez-moi\n"
        ";Orphelin;orphelin@example.com;;\n"
        "Sans Nom;;quelquun@example.com;;\n"
    ).encode()
    analyse = importation.analyser(contenu, "mauvais.csv")
    assert not analyse.importable
    erreurs = {ligne.numero: ligne.erreurs for ligne in analyse.lignes}
    assert erreurs[2] == []
    assert "Siret : Ce SIRET est invalide (clé de contrôle)." in erreurs[3]
    assert any(e.startswith("Email : ") for e in erreurs[3])
    assert any(e.startswith("Téléphone : ") for e in erreurs[3])
    assert erreurs[4] == ["Société manquante."]
    assert erreurs[5] == ["Nom du contact manquant."]
    with pytest.raises(importation.ImportRefuse):
        importation.importer(contenu, "mauvais.csv")
    assert not Organisation.objects.exists()
    assert not Contact.objects.exists()


def test_duplicates_same_siret_same_email_near_identical_name():
    siret = OrganisationFactory(raison_sociale="Alpha Conseil", siret="73282932000074")
    proche = OrganisationFactory(raison_sociale="Société Bêta Industries SAS")
    ContactFactory(organisation=proche, email="deja@beta.example", nom="Déjà", prenom="Paul")
    contenu = (
        "Company,First Name,Last Name,E-mail Address,SIRET\n"
        "Alpha Conseil Lyon,Anne,Roux,anne@alpha.example,73282932000074\n"  # same SIRET
        "societe beta industries,Paul,Déjà,DEJA@beta.example,\n"  # same email, name unaccented
        "Beta Industrie,Marc,Neuf,marc@beta.example,\n"  # near-identical name (≥ 0.9)
        "Gamma,Léa,Nouvelle,lea@gamma.example,\n"
        "Gamma,Léa,Nouvelle,lea@gamma.example,\n"  # twice in the file
    ).encode()
    analyse = importation.analyser(contenu, "doublons.csv")
    assert analyse.importable
    l2, l3, l4, l5, l6 = analyse.lignes
    assert l2.organisation_existante == siret and "même SIRET" in l2.doublons[0]
    assert l3.organisation_existante == proche and not l3.contact_a_creer
    assert any("deja@beta.example" in d for d in l3.doublons)
    assert l4.organisation_existante == proche and l4.contact_a_creer
    assert l5.organisation_existante is None and l5.contact_a_creer
    assert not l6.premiere_du_groupe and not l6.contact_a_creer
    rapport = importation.importer(contenu, "doublons.csv")
    assert (rapport.organisations_creees, rapport.organisations_rattachees) == (1, 2)
    assert (rapport.contacts_crees, rapport.contacts_ignores) == (3, 2)
    assert Organisation.objects.count() == 3
    assert sorted(proche.contacts.values_list("nom", flat=True)) == ["Déjà", "Neuf"]


def test_near_identical_names():
    assert importation.noms_proches("Société Générale", "SOCIETE GENERALE")
    assert importation.noms_proches("Acme Consulting SARL", "Acme Consulting")
    assert importation.noms_proches("Cabinet Durand & Associés", "Cabinet Durand et Associes")
    assert not importation.noms_proches("Acme", "Apex")
    assert not importation.noms_proches("Crèche Les Étoiles", "Crèche Les Lutins")


def test_unreadable_files_are_refused_with_a_french_message():
    with pytest.raises(importation.ErreurFichier, match="Société"):
        importation.analyser(b"Nom;Email\nDurand;d@example.com\n", "sans_societe.csv")
    with pytest.raises(importation.ErreurFichier, match="illisible"):
        importation.analyser(b"pas un classeur", "faux.xlsx")
    with pytest.raises(importation.ErreurFichier, match="vide"):
        importation.analyser(b"", "vide.csv")


# --- What django-import-export now does: preview rolled back, all or nothing, French report ---


def test_the_preview_writes_nothing_not_even_history():
    existante = OrganisationFactory(raison_sociale="Alpha Conseil")
    ContactFactory(organisation=existante, email="deja@alpha.example")
    avant = (
        Organisation.objects.count(),
        Contact.objects.count(),
        Organisation.history.count(),
        Contact.history.count(),
    )
    analyse = importation.analyser(OUTLOOK_FR.encode("cp1252"), "contacts.csv")
    assert analyse.importable and analyse.contacts_a_creer == 3
    apres = (
        Organisation.objects.count(),
        Contact.objects.count(),
        Organisation.history.count(),
        Contact.history.count(),
    )
    assert apres == avant
    # Previewing twice shows the same thing: nothing of the first preview was kept.
    again = importation.analyser(OUTLOOK_FR.encode("cp1252"), "contacts.csv")
    assert [ligne.action_organisation for ligne in again.lignes] == [
        ligne.action_organisation for ligne in analyse.lignes
    ]


def test_one_bad_contact_on_the_last_row_leaves_no_organisation_either():
    contenu = (
        "Société;Nom;Adresse de messagerie\n"
        "Alpha;Durand;durand@alpha.example\n"
        "Beta;Martin;martin@beta.example\n"
        "Gamma;Petit;pas-un-email\n"
    ).encode()
    with pytest.raises(importation.ImportRefuse) as refus:
        importation.importer(contenu, "dernier.csv")
    # The organisations were written before the contacts were checked: all rolled back.
    assert not Organisation.objects.exists() and not Organisation.history.exists()
    assert not Contact.objects.exists()
    analyse = refus.value.args[0]
    assert [ligne.numero for ligne in analyse.lignes_en_erreur] == [4]


def test_the_row_report_is_in_french_and_names_the_field():
    contenu = (
        "Société;Nom;Adresse de messagerie;Code postal\n"
        f"{'A' * 201};Durand;durand@example.com;69002\n"
        "Beta;Martin;martin@;12345678901\n"
        "Gamma;Petit;petit@example.com;69002;en trop\n"
    ).encode()
    erreurs = {
        ligne.numero: ligne.erreurs for ligne in importation.analyser(contenu, "fr.csv").lignes
    }
    assert erreurs[2] == [
        "Raison sociale : Assurez-vous que cette valeur comporte au plus 200 caractères "
        "(actuellement 201)."
    ]
    assert "Email : Saisissez une adresse de courriel valide." in erreurs[3]
    assert any(e.startswith("Code postal : Assurez-vous") for e in erreurs[3])
    assert erreurs[4] == [
        "5 colonnes au lieu de 4 (un séparateur dans une valeur sans guillemets ?)"
    ]


def test_an_existing_organisation_is_left_as_it_is():
    existante = OrganisationFactory(
        raison_sociale="Alpha Conseil", siret="73282932000074", ville="Paris"
    )
    contenu = ("Société;SIRET;Ville;Nom\nAlpha Conseil Lyon;73282932000074;Lyon;Durand\n").encode()
    rapport = importation.importer(contenu, "alpha.csv")
    assert (rapport.organisations_creees, rapport.organisations_rattachees) == (0, 1)
    existante.refresh_from_db()
    assert (existante.raison_sociale, existante.ville) == ("Alpha Conseil", "Paris")
    assert existante.contacts.get().nom == "Durand"


# --- Through the pages: upload → preview → confirm → report ------------------------------------


def _envoyer(client, contenu: bytes, nom: str = "contacts.csv"):
    return client.post(
        reverse("pilotage:import"), {"fichier": SimpleUploadedFile(nom, contenu, "text/csv")}
    )


def test_upload_preview_then_confirm_writes_and_reports(client_gerant, settings):
    reponse = _envoyer(client_gerant, OUTLOOK_FR.encode("cp1252"))
    assert reponse.status_code == 302 and reponse["Location"] == reverse("pilotage:import_apercu")
    fichiers = list((settings.MEDIA_ROOT / "imports").iterdir())
    assert len(fichiers) == 1 and fichiers[0].name != "contacts.csv"  # a random name
    apercu = client_gerant.get(reverse("pilotage:import_apercu"))
    html = apercu.content.decode()
    assert "Hélène" in html and "Confirmer l'import" in html
    assert not Organisation.objects.exists()  # nothing written by the preview
    confirme = client_gerant.post(reverse("pilotage:import_confirmer"))
    assert executer_travail(id_du_travail(confirme)) == "termine"
    assert Organisation.objects.count() == 2 and Contact.objects.count() == 3
    rapport = client_gerant.get(confirme["Location"]).content.decode()
    assert "Contacts créés" in rapport and "100 %" in rapport
    assert not list((settings.MEDIA_ROOT / "imports").iterdir())  # the file is gone


def test_preview_of_a_bad_file_offers_no_confirmation_and_confirm_writes_nothing(client_gerant):
    _envoyer(client_gerant, "Société;Nom;Adresse de messagerie\nX;Y;pas-un-email\n".encode())
    html = client_gerant.get(reverse("pilotage:import_apercu")).content.decode()
    assert "Confirmer l'import" not in html
    assert "rien ne sera enregistré" in html
    reponse = client_gerant.post(reverse("pilotage:import_confirmer"))
    assert executer_travail(id_du_travail(reponse)) == "echoue"
    assert not Organisation.objects.exists()
    page = client_gerant.get(reponse["Location"]).content.decode()
    assert "rien n&#x27;a été enregistré" in page and 'role="alert"' in page


def test_upload_refuses_big_or_foreign_files(client_gerant):
    reponse = _envoyer(client_gerant, b"x" * (5 * 1024 * 1024 + 1))
    assert "Le fichier dépasse 5 Mo." in reponse.content.decode()
    reponse = _envoyer(client_gerant, b"MZ...", nom="virus.exe")
    assert "Choisissez un fichier .csv ou .xlsx." in reponse.content.decode()
