"""The technical records every app uses: numbering counters, emails sent, weekly digests."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Compteur(models.Model):
    """Last number given per prefix and year: gap-free numbering (DEV-AAAA-NNNN, REC-…)."""

    prefixe = models.CharField(max_length=10)
    annee = models.PositiveIntegerField()
    dernier = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "compteur de numérotation"
        constraints = [
            models.UniqueConstraint(fields=["prefixe", "annee"], name="compteur_unique_par_annee")
        ]

    def __str__(self) -> str:
        return f"{self.prefixe}-{self.annee}: {self.dernier}"


class StatutEmail(models.TextChoices):
    A_ENVOYER = "a_envoyer", "À envoyer"
    EN_COURS = "en_cours", "En cours d'envoi"
    ENVOYE = "envoye", "Envoyé"
    ECHEC = "echec", "Échec"
    ABANDONNE = "abandonne", "Abandonné"


class EmailEnvoye(models.Model):
    """Every email the app sends, kept for the ISO 9001 records (PROC-020 §4).

    The rendered message and its attachments are stored, so a failed email can be retried
    exactly as it was meant to be sent.
    """

    motif = models.CharField("motif", max_length=60)
    destinataires = models.TextField("destinataires")
    copie = models.TextField("copie", blank=True)
    sujet = models.CharField("sujet", max_length=255)
    corps_texte = models.TextField("texte")
    corps_html = models.TextField("HTML", blank=True)
    pieces_jointes = models.JSONField("pièces jointes", default=list, blank=True)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.SET_NULL, null=True, blank=True
    )
    object_id = models.CharField(max_length=40, blank=True)
    statut = models.CharField(
        "statut", max_length=12, choices=StatutEmail.choices, default=StatutEmail.A_ENVOYER
    )
    tentatives = models.PositiveSmallIntegerField("tentatives", default=0)
    erreur = models.TextField("dernière erreur", blank=True)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    envoye_le = models.DateTimeField("envoyé le", null=True, blank=True)
    prochain_essai_le = models.DateTimeField("prochain essai", null=True, blank=True)
    # The Message-ID header (angle brackets included), fixed when the email is recorded and
    # reused on every retry: the client's reply quotes it (In-Reply-To), which threads the
    # answer back to this email. Null for emails recorded before it existed.
    message_id = models.CharField("Message-ID", max_length=255, null=True, blank=True, unique=True)
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="envoyé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "email envoyé"
        verbose_name_plural = "emails envoyés"
        ordering = ["-cree_le"]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["statut", "prochain_essai_le"]),
        ]

    def __str__(self) -> str:
        return f"{self.sujet} → {self.destinataires}"


class StatutDigest(models.TextChoices):
    EN_COURS = "en_cours", "En cours d'envoi"
    ENVOYE = "envoye", "Envoyé"
    VIDE = "vide", "Rien à relancer"
    ECHEC = "echec", "Échec"


class DigestHebdo(models.Model):
    """Marker of the weekly digest for one user and one ISO week: at most one, by the database."""

    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests"
    )
    annee_iso = models.PositiveIntegerField()
    semaine_iso = models.PositiveSmallIntegerField()
    statut = models.CharField(max_length=10, choices=StatutDigest.choices)
    email = models.ForeignKey(EmailEnvoye, on_delete=models.SET_NULL, null=True, blank=True)
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "digest hebdomadaire"
        verbose_name_plural = "digests hebdomadaires"
        constraints = [
            models.UniqueConstraint(
                fields=["utilisateur", "annee_iso", "semaine_iso"], name="un_digest_par_semaine"
            )
        ]

    def __str__(self) -> str:
        return f"Digest {self.annee_iso}-S{self.semaine_iso:02d} — {self.utilisateur}"
