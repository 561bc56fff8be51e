from __future__ import annotations


class RefusMetier(Exception):
    """A business rule refuses the action; the message is French and meant for the user."""

    def __init__(self, message: str, *, lien: str = "", lien_texte: str = ""):
        super().__init__(message)
        self.message = message
        self.lien = lien
        self.lien_texte = lien_texte


class EnvoiEchoue(RefusMetier):
    """An email could not be sent (quote, relance, survey…). The email's record keeps the
    transport's error; the message says what became of the action that needed it."""


def message_refus(exc: RefusMetier) -> str:
    """The refusal as a flash message, with its link when the service gave one."""
    from django.utils.html import format_html

    if exc.lien:
        return format_html(
            '{} <a href="{}" class="alert-link">{}</a>',
            exc.message,
            exc.lien,
            exc.lien_texte or "Voir",
        )
    return exc.message
