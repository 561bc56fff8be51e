"""Logging filter that keeps public-link tokens out of the logs.

``django.request`` logs the path of every 4xx (« Not Found: /devis/client/<jeton>/ »): a log
file read by whoever runs the server would otherwise hold working links to clients' quotes,
surveys and calendar feeds. Imported by the LOGGING setting before the apps are loaded, so it
imports nothing of the project.
"""

from __future__ import annotations

import logging
import re

MARQUE = "[jeton]"
# A path segment of 22 URL-safe characters or more (the public links' tokens are 43; the
# password-reset token is caught too). Ordinary segments are words, ids and slugs, far shorter.
_JETON = re.compile(r"(?<=/)[A-Za-z0-9_-]{22,}(?=[/?#.\s\"']|$)")


def masquer_jetons(texte: str) -> str:
    return _JETON.sub(MARQUE, texte)


class MasqueJetons(logging.Filter):
    """Rewrite a record's message with its tokens masked (the record is kept)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masque = masquer_jetons(message)
        if masque != message:
            record.msg, record.args = masque, ()
        return True
