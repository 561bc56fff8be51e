"""Heavy documents as background jobs (issue 20 item 4, issue 16): a real worker builds the
audit file while the page shows its bar; the job's rights, its claim, its failures in French,
its private file and its expiry."""

from __future__ import annotations

import io
import stat
import time
import zipfile
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from crm.regles import appliquer
from pilotage.audit import construire_dossier_audit
from pilotage.models import Travail
from pilotage.tasks import executer_travail
from pilotage.travaux import chemin_fichier, dossier, executer
from tests.factories import devis_envoye
from tests.pilotage.outils import contenu, id_du_travail, travail_termine

pytestmark = pytest.mark.django_db

PERIODE = {"debut": "2026-01-01", "fin": "2026-06-30"}


@pytest.mark.redis
def test_a_real_worker_builds_the_audit_file_and_the_page_offers_it(celery_reel, gerant):
    """The POST only starts the job; a real Celery worker (real Redis) builds the ZIP while
    the page, polled as htmx does, moves to 100 % and offers the download."""
    devis = devis_envoye(date(2026, 3, 2))
    client = Client()
    client.force_login(gerant)
    reponse = client.post(reverse("pilotage:dossier_audit"), PERIODE)
    pk = id_du_travail(reponse)
    limite = time.monotonic() + 90
    while time.monotonic() < limite:
        fragment = client.get(reponse["Location"], headers={"HX-Request": "true"})
        if "Terminé" in fragment.content.decode() or "Échec" in fragment.content.decode():
            break
        time.sleep(0.5)
    html = fragment.content.decode()
    assert 'aria-valuenow="100"' in html and "100 %" in html, html
    assert "hx-trigger" not in html  # polling stops once done
    lien = reverse("pilotage:travail_fichier", args=[pk])
    assert lien in client.get(reverse("pilotage:travaux")).content.decode()
    telechargement = client.get(lien)
    assert telechargement["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(contenu(telechargement)))
    assert any(devis.numero in nom for nom in archive.namelist())
    assert "index.csv" in archive.namelist()


def test_the_audit_builder_tells_its_progress_piece_by_piece():
    etapes: list[tuple[int, str]] = []
    construire_dossier_audit(
        date(2026, 1, 1),
        date(2026, 6, 30),
        io.BytesIO(),
        le=date(2026, 7, 1),
        progres=lambda p, m: etapes.append((p, m)),
    )
    pourcentages = [p for p, _ in etapes]
    assert pourcentages == sorted(pourcentages) and pourcentages[0] == 0
    assert etapes[-1] == (95, "Index des pièces") and len(etapes) > 2


def test_a_running_job_page_polls_with_an_accessible_bar(client_gerant, gerant):
    travail = Travail.objects.create(
        genre=Travail.Genre.DOSSIER_AUDIT,
        titre="Dossier d'audit",
        user=gerant,
        statut=Travail.Statut.EN_COURS,
        progression=47,
        message="Devis émis",
    )
    html = client_gerant.get(travail.get_absolute_url()).content.decode()
    assert 'role="progressbar"' in html and 'aria-valuenow="47"' in html
    assert "47 %" in html and "Devis émis" in html
    assert "progression-45" in html and "style=" not in html.split("<main", 1)[-1]
    assert 'hx-trigger="every 2s"' in html
    assert "Vous pouvez quitter cette page" in html


def test_a_job_is_built_once_even_if_its_message_comes_twice(gerant):
    travail = Travail.objects.create(
        genre=Travail.Genre.REVUE_DIRECTION,
        titre="Revue",
        user=gerant,
        parametres={**PERIODE, "le": "2026-07-01"},
    )
    assert executer_travail(travail.pk) == "termine"
    travail.refresh_from_db()
    premier = travail.fichier
    assert executer_travail(travail.pk) == ""  # the second delivery finds it done
    travail.refresh_from_db()
    assert travail.fichier == premier and travail.progression == 100


def test_a_row_left_by_a_killed_worker_is_taken_again(gerant):
    travail = Travail.objects.create(
        genre=Travail.Genre.REVUE_DIRECTION,
        titre="Revue",
        user=gerant,
        parametres={**PERIODE, "le": "2026-07-01"},
        statut=Travail.Statut.EN_COURS,
    )
    Travail.objects.filter(pk=travail.pk).update(commence_le=timezone.now() - timedelta(hours=1))
    assert executer(travail.pk) == "termine"


def test_the_file_is_private_to_the_app_user(gerant):
    travail = Travail.objects.create(
        genre=Travail.Genre.REVUE_DIRECTION,
        titre="Revue",
        user=gerant,
        parametres={**PERIODE, "le": "2026-07-01"},
    )
    executer(travail.pk)
    travail.refresh_from_db()
    chemin = chemin_fichier(travail)
    assert stat.S_IMODE(chemin.stat().st_mode) == 0o600
    assert stat.S_IMODE(dossier().stat().st_mode) == 0o700
    assert chemin.read_bytes().startswith(b"%PDF")


def test_a_failure_is_stored_and_shown_in_french(client_gerant, gerant):
    inconnue = Travail.objects.create(
        genre=Travail.Genre.EXPORT,
        titre="Export",
        user=gerant,
        parametres={"liste": "utilisateurs", "format": "csv", "le": "2026-07-01"},
    )
    assert executer(inconnue.pk) == "echoue"
    html = client_gerant.get(inconnue.get_absolute_url()).content.decode()
    assert "Échec." in html and "pas (ou plus) exportable" in html
    casse = Travail.objects.create(
        genre=Travail.Genre.DOSSIER_AUDIT, titre="Audit", user=gerant, parametres={"debut": "x"}
    )
    assert executer(casse.pk) == "echoue"
    casse.refresh_from_db()
    assert "erreur inattendue" in casse.erreur and casse.fichier == ""
    assert not list(dossier().iterdir())  # no half-written file left


def test_only_the_one_who_asked_and_the_gerant_see_a_job(
    client, consultant, autre_consultant, gerant
):
    travail = travail_termine(consultant)
    pages = [travail.get_absolute_url(), reverse("pilotage:travail_fichier", args=[travail.pk])]
    client.force_login(autre_consultant)
    assert [client.get(url).status_code for url in pages] == [404, 404]
    assert "Revue de direction" not in client.get(reverse("pilotage:travaux")).content.decode()
    for user in (consultant, gerant):
        client.force_login(user)
        assert [client.get(url).status_code for url in pages] == [200, 200]


def test_expired_files_are_deleted_by_the_daily_rule_once(settings, gerant):
    settings.CRM_TRAVAUX_JOURS = 7
    travail = travail_termine(gerant)
    fait_le = timezone.localdate()
    Travail.objects.filter(pk=travail.pk).update(termine_le=timezone.now())
    chemin = chemin_fichier(travail)
    assert appliquer(fait_le + timedelta(days=6))["fichiers_expires"] == []
    assert chemin.exists()
    assert appliquer(fait_le + timedelta(days=7))["fichiers_expires"] == [
        f"#{travail.pk} Revue de direction"
    ]
    assert not chemin.exists()
    assert appliquer(fait_le + timedelta(days=8))["fichiers_expires"] == []
    travail.refresh_from_db()
    assert travail.fichier == "" and travail.expire_le is not None
