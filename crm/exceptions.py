from __future__ import annotations


class RefusMetier(Exception):
    """A business rule refuses the action; the message is French and meant for the user."""

    def __init__(self, message: str, *, lien: str = "", lien_texte: str = ""):
        super().__init__(message)
        self.message = message
        self.lien = lien
        self.lien_texte = lien_texte
