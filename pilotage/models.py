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


class Travail(models.Model):
    """A heavy piece of work run by a Celery worker (an audit file, a management review, a large
    export or import) and the file it made, kept in a private folder until it expires.

    The row is the job's whole state: the worker claims it by a conditional update (``a_faire``
    → ``en_cours``), writes its progress in short transactions, and leaves it ``termine`` with
    the file or ``echoue`` with a French error. Only the user who asked (and the gérant) see it.
    """

    class Genre(models.TextChoices):
        DOSSIER_AUDIT = "dossier_audit", "Dossier d'audit"
        REVUE_DIRECTION = "revue_direction", "Revue de direction"
        EXPORT = "export", "Export de liste"
        IMPORT = "import", "Import de contacts"

    class Statut(models.TextChoices):
        A_FAIRE = "a_faire", "À faire"
        EN_COURS = "en_cours", "En cours"
        TERMINE = "termine", "Terminé"
        ECHOUE = "echoue", "Échoué"

    genre = models.CharField(max_length=20, choices=Genre.choices)
    titre = models.CharField(max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="demandé par",
        on_delete=models.CASCADE,
        related_name="travaux",
    )
    parametres = models.JSONField("paramètres", default=dict, blank=True)
    statut = models.CharField(max_length=10, choices=Statut.choices, default=Statut.A_FAIRE)
    progression = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=200, blank=True)
    # The stored file's random name in the private folder ("" before it is made or once expired)
    # and the name it is downloaded under.
    fichier = models.CharField(max_length=100, blank=True, editable=False)
    nom_fichier = models.CharField("nom du fichier", max_length=200, blank=True)
    type_mime = models.CharField(max_length=100, blank=True)
    resultat = models.JSONField("résultat", default=dict, blank=True)
    erreur = models.TextField(blank=True)
    cree_le = models.DateTimeField("demandé le", auto_now_add=True)
    commence_le = models.DateTimeField("commencé le", null=True, blank=True)
    termine_le = models.DateTimeField("terminé le", null=True, blank=True)
    expire_le = models.DateTimeField("fichier supprimé le", null=True, blank=True)

    class Meta:
        verbose_name = "fichier préparé"
        verbose_name_plural = "fichiers préparés"
        ordering = ["-cree_le", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progression__lte=100), name="travail_progression_0_100"
            ),
            models.CheckConstraint(
                condition=models.Q(statut__in=["a_faire", "en_cours", "termine", "echoue"]),
                name="travail_statut_valide",
            ),
        ]
        indexes = [models.Index(fields=["user", "-cree_le"])]

    def __str__(self) -> str:
        return f"{self.titre} ({self.get_statut_display().lower()})"

    def get_absolute_url(self) -> str:
        return reverse("pilotage:travail", args=[self.pk])

    @property
    def fini(self) -> bool:
        return self.statut in (self.Statut.TERMINE, self.Statut.ECHOUE)

    @property
    def palier(self) -> int:
        """The progress rounded down to a 5 % step: the CSS class of the bar (no inline style
        under the CSP)."""
        return min(100, max(0, self.progression)) // 5 * 5
