"""The registry (crm/extensions.py) and its proof (issue 17, « Done when »): the example app of
``tests/appli_exemple``, installed by the test settings alone, shows up in every reader without
a line of ``crm``, ``pilotage`` or ``rgpd`` naming it."""

from __future__ import annotations

import html
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from crm import extensions
from crm.digest import envoyer_digests
from crm.regles import appliquer
from tests.appli_exemple.extensions import TITRE
from tests.appli_exemple.models import Note
from tests.factories import ContactFactory, OrganisationFactory
from tests.outils import texte_pdf
from tests.pilotage.outils import contenu, suivre

LE = date(2026, 3, 10)
LIBELLE = "Notes d'exemple à relire"
TEXTE = "Préfère être appelée le matin"


def _note(le: date) -> Note:
    org = OrganisationFactory(raison_sociale="Exemplaire SA")
    contact = ContactFactory(organisation=org, prenom="Alice", nom="Exemple")
    return Note.objects.create(
        contact=contact, texte=TEXTE, ecrite_le=le - timedelta(days=10), a_relire_le=le
    )


def _page(client, url: str) -> str:
    reponse = client.get(url)
    assert reponse.status_code == 200, url
    return html.unescape(reponse.content.decode())


# --- The registry itself --------------------------------------------------------------------


@dataclass(frozen=True)
class Element:
    cle: str
    ordre: int = 100
    valeur: str = ""


def test_a_kind_reads_its_items_by_order_then_key():
    genre: extensions.Genre[Element] = extensions.Genre("essai")
    for element in (Element("b"), Element("a"), Element("z", ordre=1)):
        genre.ajouter(element)
    assert [e.cle for e in genre.tous()] == ["z", "a", "b"]
    assert "a" in genre and "inconnu" not in genre


def test_registering_a_key_again_replaces_the_item():
    genre: extensions.Genre[Element] = extensions.Genre("essai")
    genre.ajouter(Element("a", valeur="premier"))
    genre.ajouter(Element("a", valeur="second"))
    assert [e.valeur for e in genre.tous()] == ["second"]


def test_temporairement_restores_what_it_replaced_and_removes_what_it_added():
    genre: extensions.Genre[Element] = extensions.Genre("essai")
    genre.ajouter(Element("a", valeur="installé"))
    with genre.temporairement(Element("a", valeur="pour le test")):
        assert genre["a"].valeur == "pour le test"
    assert genre["a"].valeur == "installé"
    with genre.temporairement(Element("b")):
        assert "b" in genre
    assert "b" not in genre


# --- The example app in every reader ---------------------------------------------------------


@pytest.mark.django_db
def test_rules_report_the_app_key_even_when_nothing_is_due():
    assert appliquer(LE)["notes_a_relire"] == []
    note = _note(LE)
    assert appliquer(LE)["notes_a_relire"] == [str(note.pk)]
    assert appliquer(LE, simuler=True)["notes_a_relire"] == [str(note.pk)]


@pytest.mark.django_db
def test_proc020_prints_the_app_label():
    _note(LE)
    sortie = io.StringIO()
    call_command("proc020", "--date", LE.isoformat(), stdout=sortie)
    assert f"- {LIBELLE} : 1" in sortie.getvalue()


@pytest.mark.django_db(transaction=True)
def test_weekly_digest_holds_the_app_section(gerant):
    _note(LE)
    envoyer_digests(le=LE)
    (message,) = [m for m in mail.outbox if m.to == [gerant.email]]
    assert LIBELLE in message.body and "Alice Exemple" in message.body


@pytest.mark.django_db
def test_aujourdhui_shows_the_app_section_to_the_role_it_serves(client, gerant, consultant):
    _note(timezone.localdate() - timedelta(days=1))
    client.force_login(gerant)
    page = _page(client, "/")
    assert LIBELLE in page and "Alice Exemple" in page
    client.force_login(consultant)
    assert LIBELLE not in _page(client, "/")


@pytest.mark.django_db
def test_organisation_page_shows_the_app_timeline_event_action_and_panel(client, gerant):
    note = _note(LE)
    org = note.contact.organisation
    client.force_login(gerant)
    page = _page(client, org.get_absolute_url())
    assert "Note d'exemple" in page and TEXTE in page  # timeline
    assert f'action="/appli_exemple/organisations/{org.pk}/relire/"' in page  # action (POST)
    assert 'name="csrfmiddlewaretoken"' in page.split("/relire/", 1)[1][:200]
    assert "1 note sur les contacts de Exemplaire SA" in page  # panel

    reponse = client.post(f"/appli_exemple/organisations/{org.pk}/relire/")
    assert reponse.status_code == 302
    note.refresh_from_db()
    assert note.a_relire_le is None


@pytest.mark.django_db
def test_consultant_sees_none_of_what_the_app_keeps_for_the_gerant(client, consultant):
    org = _note(LE).contact.organisation
    client.force_login(consultant)
    page = _page(client, org.get_absolute_url())
    assert TEXTE not in page
    assert "/relire/" not in page
    assert "sur les contacts de" not in page


@pytest.mark.django_db
def test_menu_shows_the_app_entry_to_the_role_it_allows(client, gerant, consultant):
    client.force_login(gerant)
    assert 'href="/appli_exemple/"' in _page(client, "/organisations/")
    assert client.get("/appli_exemple/").status_code == 200
    client.force_login(consultant)
    assert 'href="/appli_exemple/"' not in _page(client, "/organisations/")


# --- The kinds whose readers other helpers are moving onto the registry right now -------------


@pytest.mark.django_db
def test_dashboard_and_review_show_the_app_figures_computed_in_one_query(
    client_gerant, django_assert_num_queries
):
    _note(LE)  # written on LE - 10
    periodes = [(LE - timedelta(days=14), LE), (LE - timedelta(days=28), LE - timedelta(days=15))]
    figures = extensions.indicateurs["appli_exemple"]
    with django_assert_num_queries(1):
        assert figures.calculer(periodes, le=LE) == [{"notes_exemple": 1}, {"notes_exemple": 0}]
    page = _page(client_gerant, reverse("pilotage:tableau") + "?debut=2026-02-01&fin=2026-03-31")
    assert TITRE in page and "Notes écrites" in page
    from pilotage.revue import contexte_revue

    contexte = contexte_revue(date(2026, 2, 1), date(2026, 3, 31), le=LE)
    assert contexte["notes_exemple_revue"] == 1


@pytest.mark.django_db
def test_review_pdf_holds_the_app_row_and_numbers_its_section_where_it_lands():
    """The frame names no app: the example's synthesis row and its section (ordre 45, between
    the firm's complaints and follow-up discipline) come from its own templates, and the
    stylesheet's counter numbers it and the sections after it."""
    from pilotage.revue import revue_direction_pdf

    _note(LE)
    t = texte_pdf(revue_direction_pdf(date(2026, 2, 1), date(2026, 3, 31), le=LE))
    assert "Notes d'exemple écrites" in t  # its row of the synthesis
    assert "1 note d'exemple écrite sur la période (période précédente : 0)" in t
    titres = [
        "1. Synthèse",
        "2. Activité commerciale",
        "5. Réclamations et actions correctives",
        "6. Notes d'exemple de la période",
        "7. Discipline de suivi des devis",
        "8. Décisions et actions de la direction",
    ]
    positions = [t.index(titre) for titre in titres]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_dashboard_shows_the_app_panel_with_its_own_link(client_gerant):
    _note(LE)
    page = _page(client_gerant, reverse("pilotage:tableau") + "?debut=2026-02-01&fin=2026-03-31")
    assert "Notes d'exemple à suivre" in page
    assert "1 note écrite sur la période" in page
    assert f'href="{reverse("appli_exemple:notes")}"' in page
    # After the firm's panels, in their order.
    ids = ["titre-sources", "titre-pertes", "titre-no-go", "titre-tableau-notes-exemple"]
    positions = [page.index(f'id="{i}"') for i in ids]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_audit_file_holds_the_app_piece(client_gerant):
    _note(LE)
    reponse = suivre(
        client_gerant,
        client_gerant.post(
            reverse("pilotage:dossier_audit"), {"debut": "2026-02-01", "fin": "2026-03-31"}
        ),
    )
    assert reponse.status_code == 200
    with zipfile.ZipFile(io.BytesIO(contenu(reponse))) as archive:
        assert TEXTE in archive.read("appli_exemple/notes.csv").decode("utf-8-sig")
    assert TITRE in _page(client_gerant, reverse("pilotage:dossier_audit"))


@pytest.mark.django_db
def test_exports_and_calendar_feed_hold_the_app_entries(client_gerant, gerant, consultant):
    note = _note(LE)
    export = extensions.exports["appli_exemple"]
    assert export.visible(gerant) and not export.visible(consultant)
    assert TITRE in _page(client_gerant, reverse("pilotage:exports"))
    reponse = suivre(
        client_gerant,
        client_gerant.post(reverse("pilotage:export", args=["appli_exemple"]), {"format": "csv"}),
    )
    assert reponse.status_code == 200 and TEXTE in contenu(reponse).decode("utf-8-sig")
    dossier = client_gerant.get(
        reverse("pilotage:dossier_client", args=[note.contact.organisation.pk])
    )
    assert dossier.status_code == 200
    from pilotage import agenda

    aujourdhui = timezone.localdate()
    Note.objects.filter(pk=note.pk).update(a_relire_le=aujourdhui)
    flux = client_gerant.get(agenda.jeton_de(gerant).get_absolute_url())
    assert f"UID:appli-exemple-{note.pk}" in flux.content.decode()
    assert not extensions.sources_agenda["appli_exemple"].fonction(
        consultant, le=aujourdhui, horizon=aujourdhui
    )


@pytest.mark.django_db
def test_personal_data_of_the_app_are_exported_and_erased_by_rgpd():
    """rgpd names no app: its export and its erasure reach the example app's notes."""
    from rgpd.services import effacer_contact, exporter_contact

    note = _note(LE)
    contact = note.contact
    assert extensions.donnees_personnelles["appli_exemple"].exporter(contact) == {
        "notes": [{"ecrite_le": note.ecrite_le.isoformat(), "texte": TEXTE}]
    }
    donnees = exporter_contact(contact, format="json")
    assert json.dumps(donnees, ensure_ascii=False, default=str).count(TEXTE) == 1
    effacer_contact(contact, le=LE)
    assert not Note.objects.filter(contact=contact).exists()


@pytest.mark.django_db
def test_task_target_of_the_app_is_registered(gerant, consultant):
    note = _note(LE)
    cible = extensions.cibles_taches["appli_exemple"]
    assert cible.modele == "appli_exemple.Note"
    assert list(cible.visibles(gerant)) == [note]
    assert not cible.visibles(consultant).exists()
    from crm.selectors import taches_visibles
    from crm.services import creer_tache

    for user in (gerant, consultant):
        creer_tache(titre="Relire la note", echeance=LE, responsable=user, objet=note)
    assert [t.objet for t in taches_visibles(gerant)] == [note, note]
    assert not taches_visibles(consultant).exists()


@pytest.mark.django_db
def test_global_search_finds_the_app_notes_for_the_role_it_allows(client, gerant, consultant):
    _note(LE)
    client.force_login(gerant)
    page = _page(client, reverse("crm:recherche") + "?q=prefere matin")
    assert TITRE in page and "Préfère être appelée" in page
    client.force_login(consultant)
    assert TITRE not in _page(client, reverse("crm:recherche") + "?q=prefere matin")
