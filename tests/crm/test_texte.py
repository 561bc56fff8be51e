"""The small text rules written once in crm.texte (and the year asked of a page)."""

from __future__ import annotations

import pytest

from crm.periodes import annee_choisie
from crm.texte import luhn_valide, sans_accents, sans_formule
from pilotage.exports import exporter, jeu


@pytest.mark.parametrize(
    "cellule",
    ["=1+1", "+33", "-2", "@SOMME(A1)", '＝HYPERLINK("x")', "＋1", "－1", "＠A1", "\t=1", "\r=1"],
)
def test_formula_guard_neutralises_every_formula_start_full_width_included(cellule):
    assert sans_formule(cellule) == "'" + cellule


def test_formula_guard_leaves_plain_text_and_numbers_alone():
    assert sans_formule("Dupont") == "Dupont"
    assert sans_formule(12) == 12
    assert sans_formule("") == ""


def test_exports_neutralise_a_full_width_formula_typed_by_a_client():
    contenu = exporter(jeu("t", ["a"], [["＝1+1"], [None]], format="csv"), "csv")
    assert "'＝1+1" in contenu.decode("utf-8")


def test_sans_accents_keeps_letters_and_drops_marks():
    assert sans_accents("Élodie Çà œuvre") == "Elodie Ca œuvre"
    assert sans_accents("Élodie Çà œuvre", ascii_seul=True) == "Elodie Ca uvre"


def test_luhn_checks_a_siren():
    assert luhn_valide("732829320")  # a real SIREN
    assert not luhn_valide("732829321")


@pytest.mark.parametrize(
    ("valeur", "annee"), [(None, 2026), ("2024", 2024), ("", 2026), ("abc", 2026), ("1999", 2026)]
)
def test_annee_choisie_falls_back_to_the_default(valeur, annee):
    assert annee_choisie(valeur, defaut=2026) == annee
