"""The global search's index: one row per thing to find, its text already normalised.

Each app keeps its own rows (``crm.recherche.reindexer``, called when its objects are saved);
the database searches them with its full-text features: an FTS5 table kept by triggers on
SQLite, a trigram GIN index on PostgreSQL (migration 0008)."""

from __future__ import annotations

from django.db import models


class IndexRecherche(models.Model):
    # The ``cle`` of the ``SourceRecherche`` the object belongs to.
    genre = models.CharField("genre", max_length=40)
    objet_id = models.PositiveBigIntegerField("objet")
    # Lower case, no accents, words separated by single spaces and led by one, phone numbers
    # as digits only: `` societe dupont 0612345678``.
    texte = models.TextField("texte")

    class Meta:
        verbose_name = "entrée de l'index de recherche"
        verbose_name_plural = "index de recherche"
        constraints = [
            models.UniqueConstraint(fields=["genre", "objet_id"], name="index_recherche_unique")
        ]

    def __str__(self) -> str:
        return f"{self.genre} {self.objet_id}"
