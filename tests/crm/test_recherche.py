"""The global search (issue 20): one box finding organisations, contacts, quotes, complaints
and requests, accents, case and phone spacing ignored, within the user's rights, through the
database's full-text index kept current by each app."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from crm.models import IndexRecherche
from crm.recherche import Termes, normaliser, rechercher
from rgpd.services import effacer_contact
from tests.factories import (
    ContactFactory,
    DemandeFactory,
    DevisFactory,
    OrganisationFactory,
    devis_envoye,
    reclamation_recue,
)

pytestmark = pytest.mark.django_db
URL = "/recherche/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _titres(user, saisie: str) -> dict[str, list[str]]:
    return {s.cle: [r.titre for r in res] for s, res in rechercher(user, saisie)}


def test_the_stored_text_and_the_typed_text_are_normalised_the_same_way():
    assert normaliser("Société GÉNÉRALE", telephones=["06.12.34.56.78"]) == (
        " societe generale 0612345678"
    )
    assert normaliser(telephones=["+33 6 12 34 56 78"]) == " 33612345678 0612345678"
    assert Termes.lire("06 12").mots == ("0612",)
    assert Termes.lire("  Société  Dupont ").mots == ("societe", "dupont")
    assert not Termes.lire("é")  # too short to be of use
    assert Termes.lire('x" OR genre : *').mots == ("x", "or", "genre")  # no query syntax


def test_accents_and_case_are_ignored(gerant):
    OrganisationFactory(raison_sociale="Société Générale des Eaux")
    assert _titres(gerant, "societe gene")["organisations"] == ["Société Générale des Eaux"]
    assert _titres(gerant, "SOCIÉTÉ")["organisations"] == ["Société Générale des Eaux"]
    assert "organisations" not in _titres(gerant, "generales")


def test_a_phone_is_found_whatever_its_spacing(gerant):
    ContactFactory(nom="Martin", telephone="06.12.34.56.78")
    for saisie in ("06 12", "0612", "06-12-34", "06.12.34.56.78", "+33 6 12 34"):
        assert _titres(gerant, saisie)["contacts"] == ["Mme Claire Martin"], saisie


def test_a_contact_is_found_by_name_and_email(gerant):
    ContactFactory(nom="Dupont", prenom="Hélène", email="h.dupont@acme.example")
    assert _titres(gerant, "helene dup")["contacts"] == ["Mme Hélène Dupont"]
    assert _titres(gerant, "h.dupont@acme")["contacts"] == ["Mme Hélène Dupont"]


def test_quotes_are_found_by_number_and_object_by_the_gerant_only(gerant, consultant):
    devis = devis_envoye(date(2026, 3, 2), objet="Évaluation du directeur financier")
    devis.refresh_from_db()
    assert devis.numero
    assert _titres(gerant, devis.numero)["devis"] == [f"{devis.reference} — {devis.objet}"]
    assert _titres(gerant, "evaluation directeur")["devis"]
    assert "devis" not in _titres(consultant, "evaluation directeur")
    assert "devis" not in _titres(consultant, devis.numero)


def test_a_consultant_finds_only_the_complaints_they_may_see(gerant, consultant):
    la_sienne = reclamation_recue(par=consultant)
    celle_d_un_autre = reclamation_recue(par=gerant)
    assert _titres(consultant, "REC")["reclamations"] == [
        f"{la_sienne.numero} — {la_sienne.organisation}"
    ]
    assert len(_titres(gerant, "REC")["reclamations"]) == 2
    assert celle_d_un_autre.numero not in str(_titres(consultant, celle_d_un_autre.numero))


def test_requests_are_found_by_organisation_and_description(gerant, consultant):
    DemandeFactory(organisation=OrganisationFactory(raison_sociale="Brasserie Ühl"))
    assert _titres(consultant, "brasserie uhl")["demandes"]
    assert _titres(gerant, "directeur financier")["demandes"]


def test_the_index_follows_an_organisation_created_renamed_and_archived(gerant):
    org = OrganisationFactory(raison_sociale="Ancien Nom")
    contact = ContactFactory(organisation=org, nom="Zébulon")
    DevisFactory(organisation=org, contact=contact, objet="Bilan")
    assert _titres(gerant, "ancien")["organisations"] == ["Ancien Nom"]

    org.raison_sociale = "Nouveau Nom"
    org.save()
    trouve = _titres(gerant, "nouveau")
    assert trouve["organisations"] == ["Nouveau Nom"]
    assert trouve["devis"]  # its quotes are found by its new name too
    assert _titres(gerant, "ancien") == {}

    org.archivee = True
    org.save(update_fields=["archivee"])
    assert _titres(gerant, "nouveau").get("organisations") is None
    assert _titres(gerant, "zebulon") == {}


def test_an_erased_person_leaves_the_search_index(gerant):
    contact = ContactFactory(nom="Krzyzanowski", prenom="Ophélie", telephone="06 98 76 54 32")
    DemandeFactory(
        organisation=contact.organisation,
        contact=contact,
        description="Appel d'Ophélie Krzyzanowski",
    )
    assert _titres(gerant, "krzyzanowski")
    effacer_contact(contact, le=date(2026, 3, 10))
    assert _titres(gerant, "krzyzanowski") == {}
    assert _titres(gerant, "06 98 76") == {}
    textes = " ".join(IndexRecherche.objects.values_list("texte", flat=True))
    assert "krzyzanowski" not in textes and "ophelie" not in textes and "0698765432" not in textes


def test_an_anonymised_prospect_leaves_no_name_in_the_search_index(gerant):
    from rgpd.services import anonymiser_organisation

    org = OrganisationFactory(raison_sociale="Tonnellerie Vasseur-Quintal")
    ContactFactory(organisation=org, prenom="Aurélien", nom="Quintal")
    assert _titres(gerant, "quintal")
    anonymiser_organisation(org, le=date(2026, 3, 10))
    assert _titres(gerant, "quintal") == {} and _titres(gerant, "tonnellerie") == {}
    textes = " ".join(IndexRecherche.objects.values_list("texte", flat=True))
    assert "quintal" not in textes and "tonnellerie" not in textes


def test_reindexer_rebuilds_the_index_from_the_apps_objects(gerant):
    OrganisationFactory(raison_sociale="Orfèvrerie Lenoir")
    IndexRecherche.objects.all().delete()
    assert _titres(gerant, "orfevrerie") == {}
    call_command("reindexer", stdout=io.StringIO())
    assert _titres(gerant, "orfevrerie")["organisations"] == ["Orfèvrerie Lenoir"]


def test_the_dropdown_fragment_lists_results_with_aria_roles(client_gerant):
    OrganisationFactory(raison_sociale="Société Dupont")
    reponse = client_gerant.get(URL, {"q": "dupont"}, **HTMX)
    html = reponse.content.decode()
    assert reponse.status_code == 200
    assert "<html" not in html
    assert 'role="listbox"' in html and 'role="option"' in html
    assert "Société Dupont" in html
    assert "Aucun résultat" in client_gerant.get(URL, {"q": "introuvable"}, **HTMX).content.decode()
    assert "au moins 2" in client_gerant.get(URL, {"q": "a"}, **HTMX).content.decode()


def test_the_full_page_works_without_javascript(client_gerant):
    org = OrganisationFactory(raison_sociale="Société Dupont")
    reponse = client_gerant.get(URL, {"q": "societe dupont"})
    html = reponse.content.decode()
    assert reponse.status_code == 200
    assert '<html lang="fr">' in html and reverse("crm:organisation", args=[org.pk]) in html
    assert client_gerant.get(URL).status_code == 200  # nothing typed yet


def test_every_signed_in_page_has_the_box_and_its_script(client_gerant):
    html = client_gerant.get(reverse("accueil")).content.decode()
    assert 'id="recherche-globale"' in html and 'role="search"' in html
    assert "js/recherche.js" in html
    assert 'hx-get="/recherche/"' in html


def test_the_search_runs_a_constant_number_of_queries(client_gerant, django_assert_max_num_queries):
    def mesurer() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client_gerant.get(URL, {"q": "societe"}, **HTMX).status_code == 200
        return len(ctx.captured_queries)

    OrganisationFactory()
    peu = mesurer()
    for _ in range(3):
        org = OrganisationFactory()
        ContactFactory.create_batch(3, organisation=org)
        DemandeFactory(organisation=org)
        DevisFactory(organisation=org)
        reclamation_recue(organisation=org)
    with django_assert_max_num_queries(peu):
        client_gerant.get(URL, {"q": "societe"}, **HTMX)
