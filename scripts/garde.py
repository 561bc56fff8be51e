#!/usr/bin/env python3
"""Runs one command of the Procfile so that it never outlives ``make run``.

Usage (a Procfile line): ``exec python scripts/garde.py COMMANDE [ARGS…]``.

The command runs in its own process group (a Celery worker, its embedded beat and its pool
processes all in it), and the whole group is ended:
- when this guard gets SIGINT or SIGTERM (honcho's normal stop): the signal is passed on, then
  the group is killed if it is still there after ``GARDE_DELAI`` seconds (before honcho's own
  5-second kill, which would otherwise hit this guard alone);
- when the runner dies, even by SIGKILL, which gives nobody a chance to stop the others: the
  runner's pid is in ``CRM_LANCEUR_PID`` (scripts/lancer.sh) and is polled twice a second, and
  this guard's parent too (via ``PR_SET_PDEATHSIG`` and a change of ``getppid()``).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time

DELAI = float(os.environ.get("GARDE_DELAI", "4"))
PR_SET_PDEATHSIG = 1


def vivant(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def tuer_groupe(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def arreter(enfant: subprocess.Popen, sig: int) -> int:
    tuer_groupe(enfant.pid, sig)
    with contextlib.suppress(subprocess.TimeoutExpired):
        enfant.wait(DELAI)
    # The leader may be gone while its children (the embedded beat) are not: kill the group.
    tuer_groupe(enfant.pid, signal.SIGKILL)
    try:
        return enfant.wait(5)
    except subprocess.TimeoutExpired:
        return 1


def main(commande: list[str]) -> int:
    if not commande:
        sys.stderr.write("Usage : garde.py COMMANDE [ARGUMENTS…]\n")
        return 2
    parent = os.getppid()
    lanceur = int(os.environ.get("CRM_LANCEUR_PID") or 0)
    with contextlib.suppress(OSError, AttributeError):  # Linux: SIGTERM when the parent dies
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    recu: list[int] = []
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda numero, _frame: recu.append(numero))
    # The Procfile's own command (argv, no shell), in a new session: its own process group.
    enfant = subprocess.Popen(commande, start_new_session=True)
    while True:
        code = enfant.poll()
        if code is not None:
            tuer_groupe(enfant.pid, signal.SIGKILL)  # what the leader left behind
            return code
        if recu:
            return arreter(enfant, signal.SIGTERM if recu[0] == signal.SIGHUP else recu[0])
        if os.getppid() != parent or (lanceur and not vivant(lanceur)):
            return arreter(enfant, signal.SIGTERM)
        time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
