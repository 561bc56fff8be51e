"""The client's address, read one way by everything that keys on it (login lockout, rate
limits, the acceptance record)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _adresse(texte: str | None) -> str | None:
    texte = (texte or "").strip()
    try:
        return str(ipaddress.ip_address(texte))
    except ValueError:
        return None


def adresse_client(request: HttpRequest) -> str | None:
    """The address of the client that sent ``request``, or None when none is readable.

    Without a trusted proxy (``PROXY_DE_CONFIANCE=False``, the default) it is ``REMOTE_ADDR``:
    an ``X-Forwarded-For`` header is then the client's own words and is ignored. Behind the
    trusted proxy every request comes from the proxy, which appends the address it saw to
    ``X-Forwarded-For``: the right-most entry is the one the proxy wrote, anything to its left
    may have been typed by the client and is never read. When that entry is missing or is not
    an address, ``REMOTE_ADDR`` (the proxy's) is used: such requests share one bucket rather
    than let a client choose theirs.
    """
    if getattr(settings, "PROXY_DE_CONFIANCE", False):
        adresse = _adresse(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1])
        if adresse is not None:
            return adresse
    return _adresse(request.META.get("REMOTE_ADDR"))
