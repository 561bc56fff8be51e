"""The core and ``pilotage`` name no app (DESIGN §2, §10, issue 17): every app contributes
through ``crm.extensions``, so an app can be removed without touching them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parents[2]
APPS = ("devis", "reclamations", "satisfaction", "rgpd")
# Places still importing an app, to be moved into that app (empty: keep it so).
PERMIS: set[tuple[str, str]] = set()


def _imports(fichier: Path) -> list[str]:
    arbre = ast.parse(fichier.read_text(encoding="utf-8"), filename=str(fichier))
    noms = []
    for noeud in ast.walk(arbre):
        if isinstance(noeud, ast.Import):
            noms += [alias.name for alias in noeud.names]
        elif isinstance(noeud, ast.ImportFrom) and noeud.level == 0 and noeud.module:
            noms.append(noeud.module)
    return noms


def _sources(paquet: str) -> list[Path]:
    return sorted(
        f
        for f in (RACINE / paquet).rglob("*.py")
        if "migrations" not in f.relative_to(RACINE).parts
    )


@pytest.mark.parametrize("paquet", ["crm", "pilotage"])
def test_core_and_pilotage_import_no_app(paquet):
    fichiers = _sources(paquet)
    assert fichiers, f"aucun module dans {paquet}"
    fautes = []
    for fichier in fichiers:
        chemin = str(fichier.relative_to(RACINE))
        for nom in _imports(fichier):
            app = nom.split(".")[0]
            if app in APPS and (chemin, app) not in PERMIS:
                fautes.append(f"{chemin} importe {nom}")
    assert not fautes, "\n".join(fautes)


def test_the_walk_sees_an_import_of_an_app(tmp_path):
    """The check itself finds an import, however written (not a test that cannot fail)."""
    module = tmp_path / "m.py"
    module.write_text("import devis.models\nfrom reclamations import services\n")
    assert _imports(module) == ["devis.models", "reclamations"]


def test_pilotage_and_pdf_frames_link_to_no_app_page():
    """A panel or section linking to an app's page lives in that app's own template (issue 17):
    the frames of ``pilotage`` and of the PDFs reverse no app's URL."""
    apps = "|".join((*APPS, "appli_exemple"))
    motif = re.compile(r"\{%\s*url\s+[\"'](" + apps + "):")
    fautes = [
        f"{gabarit.relative_to(RACINE)} : {ligne.strip()}"
        for dossier in ("templates/pilotage", "templates/pdf")
        for gabarit in sorted((RACINE / dossier).glob("*.html"))
        for ligne in gabarit.read_text(encoding="utf-8").splitlines()
        if motif.search(ligne)
    ]
    assert not fautes, "\n".join(fautes)


# No room grows past this (issue 17); migrations are generated and the demo data is one long list.
LIGNES_MAX = 500
HORS_TAILLE = {"demonstration/management/commands/demo.py"}


def _modules_du_projet() -> list[Path]:
    return sorted(
        f
        for f in RACINE.rglob("*.py")
        if not {".venv", "migrations", "var", "node_modules"} & set(f.relative_to(RACINE).parts)
        and str(f.relative_to(RACINE)) not in HORS_TAILLE
    )


def test_no_python_module_passes_five_hundred_lines():
    modules = _modules_du_projet()
    assert any(f.name == "test_independance.py" for f in modules), "le parcours ne voit rien"
    trop_longs = [
        f"{f.relative_to(RACINE)} : {n} lignes"
        for f in modules
        if (n := len(f.read_text(encoding="utf-8").splitlines())) > LIGNES_MAX
    ]
    assert not trop_longs, "\n".join(trop_longs)
