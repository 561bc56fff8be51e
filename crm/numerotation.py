"""Gap-free yearly numbering (DEV-AAAA-NNNN, REC-AAAA-NNNN)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from crm.models import Compteur


def prochain_numero(prefixe: str, annee: int) -> str:
    """Take the next number of ``prefixe`` for ``annee``.

    Must run inside the transaction that stores the number on its object: the counter's row
    stays locked (PostgreSQL row lock on UPDATE; SQLite's IMMEDIATE write lock) until that
    transaction commits, so concurrent callers queue and a rolled-back caller gives its number
    back. No gap, no duplicate.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("prochain_numero doit être appelé dans une transaction")
    compteur, _ = Compteur.objects.get_or_create(prefixe=prefixe, annee=annee)
    Compteur.objects.filter(pk=compteur.pk).update(dernier=F("dernier") + 1)
    dernier = Compteur.objects.values_list("dernier", flat=True).get(pk=compteur.pk)
    return f"{prefixe}-{annee}-{dernier:04d}"
