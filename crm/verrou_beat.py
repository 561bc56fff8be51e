"""One beat at a time: a live beat holds an exclusive lock on a file beside its schedule.

The lock is the kernel's (``flock``): it dies with the process that holds it, so a killed beat
leaves no stale lock behind, and a beat that is still running (an old ``make run`` whose worker
survived) makes a new one refuse to start. ``crm.verrou_beat.main()`` checks it before
``make run`` starts anything.
"""

from __future__ import annotations

import fcntl
import os
import signal
import sys
from pathlib import Path
from typing import Any, TextIO

from billiard import current_process
from celery.signals import beat_init

MESSAGE = (
    "Un beat Celery tourne déjà sur ce dossier ({chemin}) : arrêtez l'ancien « make run » "
    "(ou son worker) avant d'en lancer un nouveau."
)
_tenu: TextIO | None = None  # the open lock file of this process's beat, kept open for its lifetime


def chemin_verrou() -> Path:
    from django.conf import settings

    return Path(f"{settings.CELERY_BEAT_SCHEDULE_FILENAME}.verrou")


def prendre() -> TextIO | None:
    """The open, locked file, or None when another live process holds the lock."""
    chemin = chemin_verrou()
    chemin.parent.mkdir(parents=True, exist_ok=True)
    fichier = open(chemin, "a+")  # noqa: SIM115 - held open on purpose: the lock lives with it
    try:
        fcntl.flock(fichier, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fichier.close()
        return None
    fichier.seek(0)
    fichier.truncate()
    fichier.write(f"{os.getpid()}\n")
    fichier.flush()
    return fichier


def _refuser() -> None:
    sys.stderr.write(MESSAGE.format(chemin=chemin_verrou()) + "\n")
    sys.stderr.flush()


@beat_init.connect
def _un_seul_beat(sender: object = None, **kwargs: Any) -> None:
    """Sent in the beat's process, standalone or embedded in a worker (then in a child process
    named « Beat »): refusing there stops the worker too, so that the runner stops and says
    why instead of running a worker without its beat."""
    global _tenu
    if _tenu is not None:
        return
    _tenu = prendre()
    if _tenu is None:
        _refuser()
        if current_process().name == "Beat":
            os.kill(os.getppid(), signal.SIGTERM)
        raise SystemExit(1)


def main() -> int:
    fichier = prendre()
    if fichier is None:
        _refuser()
        return 1
    fichier.close()
    return 0
