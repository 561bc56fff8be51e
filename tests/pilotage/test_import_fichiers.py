"""Hostile spreadsheets: an .xlsx of a few kilobytes whose sheet declares a million rows by
16 384 columns, a sheet that inflates far beyond its size, a row of millions of cells. Each is
refused quickly, with a French message, under a memory limit, before openpyxl builds it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from crm.models import Organisation
from pilotage import importation
from pilotage.importation import lecture

EN_TETE_FEUILLE = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _classeur() -> bytes:
    classeur = Workbook()
    feuille = classeur.active
    feuille.append(["Société", "Nom", "Adresse de messagerie"])
    feuille.append(["Acme", "Durand", "durand@acme.example"])
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


def _avec_feuille(xml: bytes, *, en_plus: dict[str, bytes] | None = None) -> bytes:
    """A real workbook whose first sheet is replaced by ``xml``."""
    source = zipfile.ZipFile(io.BytesIO(_classeur()))
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as cible:
        for membre in source.infolist():
            donnees = source.read(membre.filename)
            if membre.filename == "xl/worksheets/sheet1.xml":
                donnees = xml
            cible.writestr(membre.filename, donnees)
        for nom, donnees in (en_plus or {}).items():
            cible.writestr(nom, donnees)
    return tampon.getvalue()


def bombe_dimension() -> bytes:
    """4.7 kB: the whole sheet declared, one cell in its last row and last column."""
    return _avec_feuille(
        (
            EN_TETE_FEUILLE + '<dimension ref="A1:XFD1048576"/><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>Société</t></is></c></row>'
            '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
            "</sheetData></worksheet>"
        ).encode()
    )


def _analyser_sous_limite(tmp_path: Path, contenu: bytes, nom: str) -> tuple[str, float]:
    """``importation.analyser`` in a child process limited to 512 MB of address space: what it
    printed and how long it took."""
    fichier = tmp_path / nom
    fichier.write_bytes(contenu)
    script = textwrap.dedent(
        f"""
        import resource, django
        django.setup()
        from pilotage import importation
        contenu = open({str(fichier)!r}, "rb").read()
        resource.setrlimit(resource.RLIMIT_AS, (512 * 2**20, 512 * 2**20))
        try:
            importation.analyser(contenu, {nom!r})
            print("ACCEPTE")
        except importation.ErreurFichier as exc:
            print("REFUSE", exc)
        """
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "crm.settings", "DEBUG": "True"}
    debut = time.monotonic()
    fini = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    duree = time.monotonic() - debut
    assert fini.returncode == 0, fini.stderr[-2000:]
    return fini.stdout.strip(), duree


def test_xlsx_declaring_the_whole_sheet_is_refused_quickly_under_a_memory_limit(tmp_path):
    bombe = bombe_dimension()
    assert len(bombe) < 6000
    sortie, duree = _analyser_sous_limite(tmp_path, bombe, "bombe.xlsx")
    assert sortie == "REFUSE Le fichier compte plus de 5000 lignes : découpez-le."
    assert duree < 20  # the child starts Django (about 2 s); the old reader took 11 s, then failed


def test_xlsx_inflating_far_beyond_its_size_is_refused_before_parsing():
    # 20 MB once inflated from about 20 kB: a ratio no real workbook has.
    feuille = EN_TETE_FEUILLE + "<sheetData>" + " " * 20_000_000 + "</sheetData></worksheet>"
    bombe = _avec_feuille(feuille.encode())
    assert len(bombe) < 100_000
    with pytest.raises(importation.ErreurFichier, match="anormalement volumineux"):
        lecture.verifier_archive(bombe)
    with pytest.raises(importation.ErreurFichier, match="anormalement volumineux"):
        importation.analyser(bombe, "gonfle.xlsx")


def test_xlsx_over_50_mb_once_inflated_is_refused_even_with_an_ordinary_ratio():
    remplissage = os.urandom(600_000)  # incompressible, so the overall ratio stays below 100
    feuille = (EN_TETE_FEUILLE + "<sheetData></sheetData></worksheet>").encode()
    bombe = _avec_feuille(feuille + b" " * (51 * 1024 * 1024), en_plus={"x/r.bin": remplissage})
    with pytest.raises(importation.ErreurFichier, match="anormalement volumineux"):
        importation.analyser(bombe, "gros.xlsx")


def test_xlsx_row_of_millions_of_cells_is_refused_before_openpyxl_builds_it(tmp_path):
    feuille = (
        EN_TETE_FEUILLE + '<sheetData><row r="1">' + "<c/>" * 4_000_000 + "</row></sheetData>"
        "</worksheet>"
    ).encode()
    # Padding brings the compression ratio down to an ordinary one: only the row scan stops it.
    bombe = _avec_feuille(feuille, en_plus={"x/r.bin": os.urandom(1_000_000)})
    lecture.verifier_archive(bombe)  # passes the archive checks
    sortie, duree = _analyser_sous_limite(tmp_path, bombe, "ligne.xlsx")
    assert sortie.startswith("REFUSE La ligne 1 de ce classeur Excel est anormalement longue")
    assert duree < 20


def test_xlsx_with_too_many_members_is_refused():
    membres = {f"x/{i}.bin": b"" for i in range(lecture.MEMBRES_MAX)}
    bombe = _avec_feuille((EN_TETE_FEUILLE + "<sheetData/></worksheet>").encode(), en_plus=membres)
    with pytest.raises(importation.ErreurFichier, match="trop d'éléments"):
        importation.analyser(bombe, "membres.xlsx")


def test_a_file_over_the_upload_limit_is_refused_before_reading():
    with pytest.raises(importation.ErreurFichier, match="dépasse 5 Mo"):
        importation.analyser(b"Soci\xe9t\xe9\n" + b"x" * (5 * 1024 * 1024), "gros.csv")


def test_csv_of_more_rows_than_the_limit_is_refused():
    contenu = ("Société\n" + "Acme\n" * (lecture.LIGNES_MAX + 1)).encode()
    with pytest.raises(importation.ErreurFichier, match="plus de 5000 lignes"):
        importation.analyser(contenu, "long.csv")


@pytest.mark.django_db
def test_an_ordinary_workbook_still_imports():
    importation.importer(_classeur(), "contacts.xlsx")
    assert Organisation.objects.get().contacts.get().email == "durand@acme.example"


def test_a_workbook_of_exactly_the_row_limit_is_read_whole():
    classeur = Workbook()
    feuille = classeur.active
    feuille.append(["Société", "Nom"])
    for i in range(lecture.LIGNES_MAX):
        feuille.append([f"Entreprise {i}", f"Nom {i}"])
    tampon = io.BytesIO()
    classeur.save(tampon)
    lignes = lecture.lire(tampon.getvalue(), "limite.xlsx")
    assert len(lignes) == lecture.LIGNES_MAX + 1 and lignes[-1] == ["Entreprise 4999", "Nom 4999"]


def test_xlsx_sheet_of_more_row_elements_than_the_limit_is_refused_before_openpyxl():
    # Without <dimension>, openpyxl would parse the whole sheet when it opens the workbook.
    feuille = EN_TETE_FEUILLE + "<sheetData>" + "<row/>" * (lecture.LIGNES_MAX + 2) + "</sheetData>"
    bombe = _avec_feuille((feuille + "</worksheet>").encode())
    with pytest.raises(importation.ErreurFichier, match="plus de 5000 lignes"):
        importation.analyser(bombe, "lignes.xlsx")


def test_xlsx_sheet_stored_outside_xl_worksheets_is_scanned_too():
    feuille = EN_TETE_FEUILLE + "<cols>" + "<col/>" * (lecture.ELEMENTS_MAX + 1) + "</cols>"
    bombe = _avec_feuille(
        (EN_TETE_FEUILLE + "<sheetData/></worksheet>").encode(),
        en_plus={
            "xl/ailleurs.xml": (feuille + "</worksheet>").encode(),
            "x/r.bin": os.urandom(200_000),  # an ordinary compression ratio overall
        },
    )
    with pytest.raises(importation.ErreurFichier, match="anormalement beaucoup d'éléments"):
        lecture.lire(bombe, "ailleurs.xlsx")
