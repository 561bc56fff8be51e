"""The beat task reading the mailbox every five minutes (scheduled only when IMAP_URL is set).

Safe twice and after downtime: each message is recorded once under its unique key, and a run
after a pause simply reads everything new since the last UID (``courrier.services``). A server
that cannot be reached is not retried here: the service stores the failure and its own
back-off, and the next beat tick tries again when it has elapsed.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(name="courrier.tasks.relever")
def relever() -> dict[str, Any]:
    from courrier.services import relever as relever_boite

    return relever_boite().en_dict()
