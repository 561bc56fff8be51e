"""Unguessable public links (survey, online acceptance).

A link's token is an HMAC-SHA256 of a random per-object nonce under the SECRET_KEY (256 bits,
43 URL-safe characters). Only the token's SHA-256 is stored, indexed, to find the object: a
database dump alone reveals no working link, and ``get_absolute_url`` can still rebuild it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings


def nouveau_nonce() -> str:
    return secrets.token_hex(16)


def jeton(usage: str, nonce: str) -> str:
    mac = hmac.new(
        settings.SECRET_KEY.encode(), f"{usage}:{nonce}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def empreinte(jeton_clair: str) -> str:
    return hashlib.sha256(jeton_clair.encode()).hexdigest()
