from __future__ import annotations

from django.db import models


class Note(models.Model):
    """A note about a person: personal text, so the RGPD export and erasure must reach it."""

    contact = models.ForeignKey(
        "crm.Contact", verbose_name="contact", on_delete=models.CASCADE, related_name="+"
    )
    texte = models.TextField("texte")
    ecrite_le = models.DateField("écrite le")
    # To be re-read from that day (the daily rule reports it); empty once read.
    a_relire_le = models.DateField("à relire le", null=True, blank=True)

    class Meta:
        verbose_name = "note"
        ordering = ["-ecrite_le", "-pk"]

    def __str__(self) -> str:
        return f"Note du {self.ecrite_le:%d/%m/%Y}"
