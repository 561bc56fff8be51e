"""Bounded pagination (performance issue #9): lists count at most CRM_PAGINATION_LIMITE + 1 rows
in SQL, serve the last reachable page past the end, and say plainly when rows lie beyond."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from crm.models import Organisation
from crm.pagination import PaginateurBorne, paginer
from devis.models import Devis
from rgpd.models import ActionRGPD, JournalRGPD

pytestmark = pytest.mark.django_db

LIMITE = 50
MESSAGE = (
    "Plus de 50 résultats : seuls les 50 premiers sont parcourables ; "
    "affinez la recherche ou les filtres."
)


@pytest.fixture(autouse=True)
def limite(settings):
    settings.CRM_PAGINATION_LIMITE = LIMITE


def _organisations(n: int) -> None:
    Organisation.objects.bulk_create(
        Organisation(raison_sociale=f"Société {i:04d} SAS") for i in range(n)
    )


def _devis(n: int) -> None:
    org = Organisation.objects.create(raison_sociale="Cliente SA")
    Devis.objects.bulk_create(Devis(organisation=org, objet=f"Mission {i}") for i in range(n))


def _requetes(client, url: str) -> tuple[object, list[str]]:
    client.get(url)  # warm-up (session, caches)
    with CaptureQueriesContext(connection) as ctx:
        reponse = client.get(url)
    assert reponse.status_code == 200, url
    return reponse, [q["sql"] for q in ctx.captured_queries]


def _requete_de_compte(requetes: list[str]) -> str:
    comptes = [sql for sql in requetes if "COUNT(" in sql.upper()]
    assert len(comptes) == 1, comptes
    return comptes[0]


# --- The helper ----------------------------------------------------------------------------------


def test_helper_counts_at_most_the_limit_in_one_limited_query():
    _organisations(LIMITE + 10)
    paginateur = PaginateurBorne(Organisation.objects.order_by("pk"), 25, limite=LIMITE)
    with CaptureQueriesContext(connection) as ctx:
        assert paginateur.count == LIMITE
        assert paginateur.limite_depassee
    assert len(ctx.captured_queries) == 1
    sql = ctx.captured_queries[0]["sql"].upper()
    assert "COUNT(" in sql and f"LIMIT {LIMITE + 1}" in sql, sql
    assert "ORDER BY" not in sql, sql
    assert paginateur.num_pages == 2
    assert paginateur.total_affiche == "50+"


def test_helper_gives_the_exact_total_at_or_under_the_limit():
    _organisations(LIMITE)
    paginateur = PaginateurBorne(Organisation.objects.order_by("pk"), 25, limite=LIMITE)
    assert paginateur.count == LIMITE
    assert not paginateur.limite_depassee
    assert paginateur.total_affiche == "50"


def test_helper_falls_back_like_get_page_on_a_bad_or_too_large_number():
    _organisations(LIMITE + 10)
    qs = Organisation.objects.order_by("pk")
    premiers = list(qs.values_list("pk", flat=True)[:LIMITE])
    for numero, attendu in [("abc", 1), ("", 1), ("2", 2), ("3", 2), ("99999", 2)]:
        page = paginer(RequestFactory().get("/", {"page": numero}), qs)
        assert page.number == attendu, numero
    derniere = paginer(RequestFactory().get("/", {"page": "99999"}), qs)
    # The last reachable page ends at the limit: rows beyond it are never served.
    assert [o.pk for o in derniere] == premiers[25:LIMITE]


def test_helper_groups_the_limit_by_thousands():
    assert PaginateurBorne([], 25, limite=2000).limite_affichee == "2\N{NO-BREAK SPACE}000"


# --- The lists -----------------------------------------------------------------------------------


def test_organisation_list_beyond_the_limit_shows_50_plus_and_says_why(client_gerant):
    _organisations(LIMITE + 10)
    reponse, requetes = _requetes(client_gerant, "/organisations/")
    contenu = reponse.content.decode()
    assert "50+ organisations" in contenu
    assert "1–25 sur 50+" in contenu
    assert MESSAGE in contenu
    assert f"LIMIT {LIMITE + 1}" in _requete_de_compte(requetes).upper()


def test_organisation_list_pages_cost_the_same_queries_first_and_last(client_gerant):
    _organisations(LIMITE + 10)
    _, premiere = _requetes(client_gerant, "/organisations/")
    reponse, derniere = _requetes(client_gerant, "/organisations/?page=99999")
    assert reponse.context["page"].number == 2
    assert len(premiere) == len(derniere)


def test_devis_list_serves_its_last_reachable_page_for_a_too_large_number(client_gerant):
    _devis(LIMITE + 30)
    reponse, requetes = _requetes(client_gerant, "/devis/?page=99999")
    page = reponse.context["page"]
    assert page.number == 2
    assert len(page.object_list) == 25
    contenu = reponse.content.decode()
    assert "50+ devis" in contenu
    assert "26–50 sur 50+" in contenu
    assert MESSAGE in contenu
    compte = _requete_de_compte(requetes).upper()
    assert f"LIMIT {LIMITE + 1}" in compte, compte
    # The per-quote total (a subquery on the lines) is not computed to count.
    assert "PRIX_UNITAIRE_HT" not in compte, compte


def test_devis_list_query_count_is_the_same_on_the_first_and_last_page(client_gerant):
    _devis(LIMITE + 30)
    _, premiere = _requetes(client_gerant, "/devis/")
    _, derniere = _requetes(client_gerant, "/devis/?page=99999")
    assert len(premiere) == len(derniere)


def test_devis_list_query_count_does_not_depend_on_the_number_of_quotes(client_gerant):
    _devis(10)
    _, petit = _requetes(client_gerant, "/devis/?page=99999")
    _devis(LIMITE * 3)
    _, grand = _requetes(client_gerant, "/devis/?page=99999")
    assert len(petit) == len(grand)


def test_devis_list_not_a_number_serves_the_first_page(client_gerant):
    _devis(LIMITE + 30)
    reponse = client_gerant.get("/devis/?page=derniere")
    assert reponse.status_code == 200
    assert reponse.context["page"].number == 1


def test_devis_list_under_the_limit_shows_the_exact_total_and_no_message(client_gerant):
    _devis(LIMITE - 20)
    reponse = client_gerant.get("/devis/?page=2")
    contenu = reponse.content.decode()
    assert "30 devis" in contenu
    assert "26–30 sur 30" in contenu
    assert "Plus de" not in contenu
    assert "50+" not in contenu


def test_devis_list_page_links_keep_the_filters(client_gerant):
    _devis(LIMITE + 30)
    reponse = client_gerant.get("/devis/?statut=brouillon&q=Mission")
    contenu = reponse.content.decode()
    assert "statut=brouillon&amp;q=Mission&amp;page=2" in contenu
    assert MESSAGE in contenu


def test_rgpd_journal_beyond_the_limit_says_where_to_read_the_rest(client_gerant):
    JournalRGPD.objects.bulk_create(
        JournalRGPD(action=ActionRGPD.EXPORT, cible_type="contact", cible_id=i)
        for i in range(LIMITE + 5)
    )
    contenu = client_gerant.get("/rgpd/").content.decode()
    # 50 lines a page: a single reachable page, but the note still shows.
    assert "1–50 sur 50+" in contenu
    assert (
        "seuls les 50 premiers sont parcourables ; "
        "le journal complet se consulte dans l'administration." in contenu
    )
