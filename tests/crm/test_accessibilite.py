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

from tests.crm import test_acces
from tests.crm.test_acces import ACCES, _kwargs, vues_du_projet
from tests.outils import RACINE, connexion, pas_de_defilement_horizontal

AXE = RACINE / "node_modules" / "axe-core" / "axe.min.js"
VNU = RACINE / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# The matrix's world (one object of each kind), reused as this module's fixture.
monde = test_acces.monde

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


# --- In Chromium: axe-core, the phone width, the keyboard ---------------------------------------

AUDIT_AXE = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return r.violations.map(v => ({
    regle: v.id, impact: v.impact,
    cibles: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " — " + (n.failureSummary || "").split("\\n").slice(1, 2).join("")),
    nombre: v.nodes.length,
  }));
}"""


def _violations_axe(onglet, base: str, role: str, urls: list[str]) -> list[str]:
    constats = []
    for url in urls:
        onglet.goto(f"{base}{url}")
        onglet.add_script_tag(path=str(_outil(AXE)))
        for v in onglet.evaluate(AUDIT_AXE, WCAG_21_AA):
            constats.append(
                f"{role} {url} : {v['regle']} ({v['impact']}, {v['nombre']} élément(s)) "
                + " | ".join(v["cibles"])
            )
    return constats


def _urls_html(monde, utilisateurs) -> dict[str, list[str]]:
    urls: dict[str, list[str]] = {}
    for role, url in pages_html(monde, utilisateurs):
        urls.setdefault(role, []).append(url)
    return urls


def test_no_page_has_an_axe_violation_of_wcag_21_aa(live_server, navigateur, monde, utilisateurs):
    """One browser session per role walks every page; axe runs in each (the CSP forbids
    injected scripts, hence a context that bypasses it, for the audit only)."""
    urls = _urls_html(monde, utilisateurs)
    constats = []
    for role in ("anonyme", "gerant", "consultant"):
        contexte = navigateur.new_context(locale="fr-FR", bypass_csp=True)
        onglet = contexte.new_page()
        if role != "anonyme":
            connexion(onglet, live_server.url, utilisateurs[role].username)
        constats += _violations_axe(onglet, live_server.url, role, urls[role])
        contexte.close()
    assert not constats, f"{len(constats)} violation(s) axe :\n" + "\n".join(constats)


def test_consultant_pages_do_not_scroll_sideways_on_a_phone(
    live_server, telephone, monde, utilisateurs
):
    urls = _urls_html(monde, utilisateurs)["consultant"]
    connexion(telephone, live_server.url, utilisateurs["consultant"].username)
    debordements = []
    for url in urls:
        telephone.goto(f"{live_server.url}{url}")
        try:
            pas_de_defilement_horizontal(telephone)
        except AssertionError as e:
            debordements.append(f"{url} : {e}")
    assert not debordements, "\n".join(debordements)


# The ring of the focused element: an outline of 2 px or more, not « none ».
ANNEAU = """() => {
  let e = document.activeElement;
  if (!e || e === document.body) return null;
  if (e.classList.contains("btn-check")) e = e.nextElementSibling;
  const s = getComputedStyle(e);
  return {nom: e.outerHTML.slice(0, 120), style: s.outlineStyle, largeur: parseFloat(s.outlineWidth)};
}"""


@pytest.mark.parametrize("role", ["gerant", "consultant"])
def test_every_tab_stop_shows_a_focus_ring(live_server, page, monde, utilisateurs, role):
    """Tab through the busiest pages: every stop is visible (the skip link and the menu too)."""
    objets = monde.objets
    urls = ["/", objets["mission"].get_absolute_url(), objets["reclamation"].get_absolute_url()]
    if role == "gerant":
        urls += [objets["devis"].get_absolute_url(), reverse("pilotage:tableau")]
    connexion(page, live_server.url, utilisateurs[role].username)
    sans_anneau = []
    for url in urls:
        page.goto(f"{live_server.url}{url}")
        for _ in range(60):
            page.keyboard.press("Tab")
            anneau = page.evaluate(ANNEAU)
            if anneau and (anneau["style"] == "none" or anneau["largeur"] < 2):
                sans_anneau.append(f"{url} : {anneau['nom']}")
    assert not sans_anneau, "focus invisible :\n" + "\n".join(sans_anneau)


@pytest.mark.django_db
def test_overdue_is_said_in_words_not_only_in_red(monde, utilisateurs):
    """« en retard » rows (pink, red border) also carry the words, for who does not see colours."""
    client = Client()
    client.force_login(utilisateurs["gerant"])
    for url in ("/", reverse("reclamations:liste"), reverse("reclamations:actions")):
        html = client.get(url).content.decode()
        assert html.count('class="list-group-item list-group-item-danger en-retard"') + html.count(
            "en-retard table-danger"
        ) <= html.count("en retard</span>"), url


@pytest.mark.django_db
def test_dashboard_charts_have_their_figures_in_a_table(client_gerant):
    html = client_gerant.get(reverse("pilotage:tableau")).content.decode()
    assert html.count("<canvas") == html.count("Les chiffres en tableau") > 0
