"""The benchmark entry point works and prints the documented JSON (on a small history: the
figures themselves are measured by `make bench`, not asserted here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.outils import RACINE


def test_bench_prints_one_json_object_with_the_documented_keys(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env["CRM_VAR_DIR"] = str(tmp_path / "var")
    sortie = subprocess.run(
        [sys.executable, "manage.py", "bench", "--json", "--devis", "300"],
        cwd=RACINE,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert sortie.returncode == 0, sortie.stderr[-3000:]
    resultat = json.loads(sortie.stdout.strip().splitlines()[-1])
    assert resultat["taille"]["devis"] >= 300
    for page in (
        "organisations",
        "devis",
        "reclamations",
        "aujourdhui",
        "tableau_de_bord",
        "organisation",
        "devis_profonde",
    ):
        mesure = resultat["pages"][page]
        assert set(mesure) == {"p50_ms", "p95_ms", "requetes", "requetes_petit"}, page
        assert mesure["requetes"] == mesure["requetes_petit"], page
    assert set(resultat["regles"]) == {"s", "devis_traites"}
    assert resultat["regles"]["devis_traites"] > 0
    assert "s" in resultat["digest"]
    assert set(resultat["pdf"]) >= {"p50_ms", "p95_ms"}
    assert "Banc d'essai" in sortie.stderr
