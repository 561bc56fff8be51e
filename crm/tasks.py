"""Celery tasks of the core: thin callers of the services, taking ISO dates.

Why they are safe to run twice and after downtime: the rules and the digest are idempotent by
construction (database constraints and conditional updates, see ``crm.regles`` and
``crm.digest``), and every rule acts on all that is due at or before the date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from celery import shared_task
from django.utils import timezone


def _date(date_iso: str | None) -> date:
    return date.fromisoformat(date_iso) if date_iso else timezone.localdate()


@shared_task(
    name="crm.tasks.appliquer_regles", autoretry_for=(Exception,), retry_backoff=60, max_retries=5
)
def appliquer_regles(date_iso: str | None = None) -> dict[str, Any]:
    from crm.regles import appliquer

    return appliquer(_date(date_iso))


@shared_task(
    name="crm.tasks.envoyer_digests_hebdo",
    autoretry_for=(Exception,),
    retry_backoff=60,
    max_retries=5,
)
def envoyer_digests_hebdo(date_iso: str | None = None) -> int:
    from crm.digest import envoyer_digests

    return envoyer_digests(le=_date(date_iso))


@shared_task(name="crm.tasks.reessayer_emails")
def reessayer_emails() -> int:
    from crm.emails import reessayer_en_echec

    return reessayer_en_echec()
