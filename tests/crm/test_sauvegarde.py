"""Backups: ``manage.py sauvegarde`` then ``manage.py restauration`` give back the same database
and the same uploaded files (on SQLite, and on PostgreSQL when the suite runs on it)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from crm.models import Demande, Organisation
from devis.models import Devis
from tests.factories import DemandeFactory, devis_envoye
from tests.outils import PDF


def _fichiers_media() -> dict[str, str]:
    media = Path(settings.MEDIA_ROOT)
    return {
        p.relative_to(media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in media.rglob("*")
        if p.is_file()
    }


def _etat() -> dict:
    return {
        "organisations": sorted(Organisation.objects.values_list("pk", "raison_sociale")),
        "devis": sorted(Devis.objects.values_list("pk", "numero", "statut", "objet")),
        "demandes": sorted(Demande.objects.values_list("pk", "fiche_de_poste")),
        "historique_devis": Devis.history.count(),
        "media": _fichiers_media(),
    }


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_gives_back_the_same_data_and_files(tmp_path):
    from datetime import date

    demande = DemandeFactory(fiche_de_poste=SimpleUploadedFile("fiche.pdf", PDF))
    devis_envoye(date(2026, 3, 2), organisation=demande.organisation)
    avant = _etat()
    assert avant["media"], "la fiche de poste doit être dans MEDIA_ROOT"

    dossier = tmp_path / "sauvegarde"
    call_command("sauvegarde", str(dossier))
    manifeste = json.loads((dossier / "manifeste.json").read_text())
    assert set(manifeste["media"]) == set(avant["media"])
    for nom, empreinte in manifeste["fichiers"].items():
        assert hashlib.sha256((dossier / nom).read_bytes()).hexdigest() == empreinte
    if connection.vendor == "sqlite":
        copie = sqlite3.connect(dossier / "base.sqlite3")
        assert copie.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        copie.close()

    # Life goes on: changes, new rows, a lost file, a new file.
    Organisation.objects.filter(pk=demande.organisation_id).update(raison_sociale="Modifiée")
    Organisation.objects.create(raison_sociale="Créée après la sauvegarde")
    Devis.objects.update(objet="Écrasé")
    Path(demande.fiche_de_poste.path).unlink()
    (Path(settings.MEDIA_ROOT) / "intrus.txt").write_text("après")
    assert _etat() != avant

    call_command("restauration", str(dossier), oui=True)
    assert _etat() == avant


@pytest.mark.django_db(transaction=True)
def test_a_tampered_backup_is_refused_before_anything_changes(tmp_path):
    DemandeFactory(fiche_de_poste=SimpleUploadedFile("fiche.pdf", PDF))
    dossier = tmp_path / "sauvegarde"
    call_command("sauvegarde", str(dossier))
    Organisation.objects.create(raison_sociale="Après")
    avant = _etat()
    archive = dossier / "fichiers.tar"
    donnees = bytearray(archive.read_bytes())
    donnees[600] ^= 0xFF
    archive.write_bytes(bytes(donnees))
    with pytest.raises(CommandError, match="altérée"):
        call_command("restauration", str(dossier), oui=True)
    assert _etat() == avant


def test_backup_refuses_a_folder_that_is_not_empty(tmp_path, db):
    (tmp_path / "autre.txt").write_text("x")
    with pytest.raises(CommandError, match="pas vide"):
        call_command("sauvegarde", str(tmp_path))


def test_restore_without_confirmation_is_refused_when_not_interactive(tmp_path, db):
    dossier = tmp_path / "s"
    call_command("sauvegarde", str(dossier))
    with pytest.raises(CommandError, match="--oui"):
        call_command("restauration", str(dossier))
