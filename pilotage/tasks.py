"""Celery tasks of pilotage: thin callers of ``pilotage.travaux``, taking ids.

Safe twice and after downtime: ``executer`` claims its row by a conditional update, so a
redelivered message does nothing, and a row left by a killed worker is taken again.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(name="pilotage.tasks.executer_travail")
def executer_travail(travail_id: int) -> str:
    from pilotage.travaux import executer

    return executer(travail_id)
