"""Pilotage owns one table: the private token of each user's calendar feed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from crm import jetons


class JetonCalendrier(models.Model):
    """The private link of a user's iCalendar feed (« Mon agenda »).

    As for the survey and acceptance links (``crm.jetons``), the token is an HMAC of a random
    nonce under the SECRET_KEY and only its SHA-256 is stored: a database dump reveals no feed.
    A new nonce revokes the old link.
    """

    USAGE_JETON = "agenda"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="utilisateur",
        on_delete=models.CASCADE,
        related_name="jeton_calendrier",
    )
    nonce = models.CharField(max_length=32, default=jetons.nouveau_nonce, editable=False)
    empreinte = models.CharField(max_length=64, unique=True, editable=False)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "lien d'agenda"
        verbose_name_plural = "liens d'agenda"

    def __str__(self) -> str:
        return f"Agenda de {self.user}"

    def save(self, *args, **kwargs):
        # The digest is derived from the nonce: kept in step wherever the row is saved.
        self.empreinte = jetons.empreinte(self.jeton)
        super().save(*args, **kwargs)

    @property
    def jeton(self) -> str:
        return jetons.jeton(self.USAGE_JETON, self.nonce)

    def get_absolute_url(self) -> str:
        return reverse("pilotage:agenda_ics", args=[self.jeton])
