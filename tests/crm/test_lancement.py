"""`make run`'s processes: whatever ends the runner ends the web server, the worker and its
beat, and a second beat refuses to run beside a live one. Real processes, real signals."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.outils import RACINE, attendre_port, port_libre

VERIFIER = [sys.executable, "-c", "from crm.verrou_beat import main; raise SystemExit(main())"]


def _env(dossier: Path, **extra: str) -> dict:
    return {
        **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "PORT"}},
        "DJANGO_SETTINGS_MODULE": "crm.settings",
        "DEBUG": "True",
        "CRM_VAR_DIR": str(dossier),
        "DATABASE_URL": f"sqlite:///{dossier / 'base.sqlite3'}",
        "EMAIL_URL": "memorymail://",
        **extra,
    }


def _processus_de(dossier: Path) -> set[int]:
    """Live (not zombie) processes started for this test: their environment names its folder."""
    marque = f"CRM_VAR_DIR={dossier}".encode()
    trouves = set()
    for entree in Path("/proc").iterdir():
        if not entree.name.isdigit():
            continue
        try:
            if marque not in (entree / "environ").read_bytes().split(b"\0"):
                continue
            etat = (entree / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if etat != "Z":
            trouves.add(int(entree.name))
    return trouves


def _verrou_tenu(chemin: Path) -> bool:
    if not chemin.exists():
        return False
    with open(chemin, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
        return False


def _attendre(condition, delai: float, message: str) -> None:
    fin = time.monotonic() + delai
    while time.monotonic() < fin:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(message)


def _nettoyer(dossier: Path) -> None:
    for pid in _processus_de(dossier):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_sigkill_of_the_runner_ends_web_worker_and_beat(tmp_path):
    port = port_libre()
    verrou = tmp_path / "celery" / "beat-schedule.verrou"
    lanceur = subprocess.Popen(
        ["bash", "scripts/lancer.sh"],
        cwd=RACINE,
        env=_env(tmp_path, CRM_PORT=str(port)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        attendre_port(port, 60)
        _attendre(lambda: _verrou_tenu(verrou), 60, "le beat n'a pas démarré")
        avant = _processus_de(tmp_path)
        assert len(avant) >= 5, avant  # honcho, two guards, runserver, worker, beat…

        os.kill(lanceur.pid, signal.SIGKILL)  # the runner (bash exec'd honcho)
        lanceur.wait(5)
        _attendre(
            lambda: not _processus_de(tmp_path),
            15,
            f"processus restés après la mort du lanceur : {_processus_de(tmp_path)}",
        )
        assert not _verrou_tenu(verrou)
    finally:
        _nettoyer(tmp_path)


def test_a_second_beat_refuses_to_run_beside_a_live_one(tmp_path):
    beat = [sys.executable, "-m", "celery", "-A", "crm", "beat", "--loglevel", "WARNING"]
    env = _env(tmp_path)
    premier = subprocess.Popen(
        beat, cwd=RACINE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _attendre(
            lambda: _verrou_tenu(tmp_path / "celery" / "beat-schedule.verrou"),
            60,
            "le premier beat n'a pas pris le verrou",
        )
        second = subprocess.run(
            beat, cwd=RACINE, env=env, capture_output=True, text=True, timeout=60
        )
        assert second.returncode != 0
        assert "Un beat Celery tourne déjà" in second.stderr
        # make run checks it before starting anything, with the same French message.
        verification = subprocess.run(
            VERIFIER,
            cwd=RACINE,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert verification.returncode == 1
        assert "arrêtez l'ancien « make run »" in verification.stderr
        assert premier.poll() is None  # the first one runs on
    finally:
        premier.kill()
        premier.wait(10)
        _nettoyer(tmp_path)

    # Once it is gone (even killed), the lock is free: no stale file to clean by hand.
    assert subprocess.run(VERIFIER, cwd=RACINE, env=env, timeout=60).returncode == 0


@pytest.mark.parametrize("signal_arret", [signal.SIGTERM, signal.SIGINT])
def test_guard_passes_the_stop_on_and_kills_what_is_left(tmp_path, signal_arret):
    """honcho's normal stop: the guard's process group goes, even a child ignoring SIGTERM."""
    enfant = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"
    garde = subprocess.Popen(
        [sys.executable, "scripts/garde.py", sys.executable, "-c", enfant],
        cwd=RACINE,
        env=_env(tmp_path, GARDE_DELAI="1"),
    )
    try:
        _attendre(lambda: len(_processus_de(tmp_path)) >= 2, 20, "l'enfant n'a pas démarré")
        garde.send_signal(signal_arret)
        garde.wait(10)
        _attendre(lambda: not _processus_de(tmp_path), 10, "l'enfant a survécu à la garde")
    finally:
        _nettoyer(tmp_path)
