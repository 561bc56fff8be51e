"""What the CRM read in the firm's mailbox: one row per message, whatever happened to it.

``MessageRecu.cle`` (the Message-ID, or a hash of the message when it has none) is unique: the
database, not Python, guarantees each message is processed once, whichever worker reads it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from crm.models import chemin_aleatoire


class StatutMessage(models.TextChoices):
    RATTACHE = "rattache", "Rattaché"
    A_CLASSER = "a_classer", "À classer"
    AUTOMATIQUE = "automatique", "Réponse automatique"
    IGNORE = "ignore", "Ignoré"
    MALFORME = "malforme", "Illisible (mis de côté)"


class MessageRecu(models.Model):
    cle = models.CharField("clé d'unicité", max_length=255, unique=True)
    message_id = models.CharField("Message-ID", max_length=255, blank=True)
    statut = models.CharField("statut", max_length=12, choices=StatutMessage.choices)
    raison = models.CharField("raison", max_length=255, blank=True)
    expediteur = models.EmailField("expéditeur", max_length=254, blank=True)
    nom_expediteur = models.CharField("nom de l'expéditeur", max_length=200, blank=True)
    sujet = models.CharField("sujet", max_length=255, blank=True)
    texte = models.TextField("texte", blank=True)
    envoye_le = models.DateTimeField("envoyé le", null=True, blank=True)
    lu_le = models.DateTimeField("lu le", auto_now_add=True)
    # Out-of-office replies: the day the person says they are back, when one could be read.
    retour_le = models.DateField("de retour le", null=True, blank=True)
    organisation = models.ForeignKey(
        "crm.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contact = models.ForeignKey(
        "crm.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    interaction = models.OneToOneField(
        "crm.Interaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="message_recu",
    )
    devis = models.ForeignKey(
        "devis.Devis",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages_recus",
    )
    reclamation = models.ForeignKey(
        "reclamations.Reclamation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages_recus",
    )
    # Where it was read (for the record; the key, not the UID, decides what is new).
    dossier = models.CharField("dossier", max_length=200, blank=True)
    uid = models.PositiveBigIntegerField("UID", null=True, blank=True)
    taille = models.PositiveBigIntegerField("taille (octets)", default=0)
    traite_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "message reçu"
        verbose_name_plural = "messages reçus"
        ordering = ["-envoye_le", "-pk"]
        indexes = [models.Index(fields=["statut", "lu_le"])]

    def __str__(self) -> str:
        return f"{self.sujet or '(sans sujet)'} — {self.expediteur or 'expéditeur inconnu'}"


def _chemin_piece(instance: models.Model, filename: str) -> str:
    return chemin_aleatoire("courrier", filename)


class PieceJointeRecue(models.Model):
    """An attachment kept (checked by its content, size-limited) or refused with the reason."""

    message = models.ForeignKey(MessageRecu, on_delete=models.CASCADE, related_name="pieces")
    nom = models.CharField("nom", max_length=255)
    type_mime = models.CharField("type", max_length=100, blank=True)
    taille = models.PositiveBigIntegerField("taille (octets)", default=0)
    fichier = models.FileField(upload_to=_chemin_piece, blank=True, max_length=255)
    refus = models.CharField("non gardée parce que", max_length=255, blank=True)

    class Meta:
        verbose_name = "pièce jointe reçue"
        verbose_name_plural = "pièces jointes reçues"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.nom


class EtatBoite(models.Model):
    """Progress and health of reading one folder: the last UID read under its UIDVALIDITY, and
    the failures (retried with back-off, shown to the gérant after an hour)."""

    dossier = models.CharField("dossier", max_length=200, unique=True)
    uidvalidity = models.PositiveBigIntegerField(null=True, blank=True)
    dernier_uid = models.PositiveBigIntegerField(default=0)
    derniere_reussite = models.DateTimeField(null=True, blank=True)
    en_echec_depuis = models.DateTimeField(null=True, blank=True)
    echecs = models.PositiveIntegerField(default=0)
    erreur = models.TextField(blank=True)
    prochain_essai = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "état de la boîte mail"
        verbose_name_plural = "états de la boîte mail"

    def __str__(self) -> str:
        return self.dossier
