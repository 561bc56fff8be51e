"""Small rules on typed text, each written once: accents, check digits, spreadsheet formulas."""

from __future__ import annotations

import unicodedata
from typing import Any

# A cell starting with one of these runs as a formula in a spreadsheet (CSV injection, OWASP):
# the ASCII signs, their full-width forms (Excel and LibreOffice read ＝ as =), and the tab and
# carriage return that some readers skip before a sign.
DEBUTS_DE_FORMULE = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\t", "\r")


def sans_accents(texte: str, *, ascii_seul: bool = False) -> str:
    """``texte`` without its accents (é → e, Ç → C). With ``ascii_seul``, every other non-ASCII
    character is dropped too (œ, ß, emoji): for e-mail local parts and URL slugs."""
    decompose = unicodedata.normalize("NFKD", texte)
    if ascii_seul:
        return decompose.encode("ascii", "ignore").decode()
    return "".join(c for c in decompose if not unicodedata.combining(c))


def luhn_valide(chiffres: str) -> bool:
    """The Luhn checksum of a string of digits (SIREN, SIRET): every second digit from the
    right doubled (minus 9 above 9), the sum a multiple of 10."""
    total = 0
    for i, c in enumerate(reversed(chiffres)):
        n = int(c) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def sans_formule(valeur: Any) -> Any:
    """A value safe for a spreadsheet cell: text that would start a formula gets a leading
    apostrophe (shown as text by every spreadsheet); other values are returned as they are."""
    if isinstance(valeur, str) and valeur.startswith(DEBUTS_DE_FORMULE):
        return "'" + valeur
    return valeur
