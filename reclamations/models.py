"""Complaints in six phases (course section C) and corrective / preventive actions (ISO §10.2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from crm.models import Horodate


class NatureReclamation(models.Model):
    """Nature of a complaint: a list the gérant can extend."""

    libelle = models.CharField("libellé", max_length=120, unique=True)
    actif = models.BooleanField("active", default=True)

    class Meta:
        verbose_name = "nature de réclamation"
        verbose_name_plural = "natures de réclamation"
        ordering = ["libelle"]

    def __str__(self) -> str:
        return self.libelle


class CanalReclamation(models.TextChoices):
    TELEPHONE = "telephone", "Téléphone"
    EMAIL = "email", "Email"
    COURRIER = "courrier", "Courrier"
    ORAL = "oral", "De vive voix (débrief, rendez-vous)"
    AUTRE = "autre", "Autre"


class Gravite(models.TextChoices):
    MINEURE = "mineure", "Mineure"
    MAJEURE = "majeure", "Majeure"
    CRITIQUE = "critique", "Critique"


class StatutReclamation(models.TextChoices):
    RECUE = "recue", "Reçue"
    ACCUSEE = "accusee", "Accusé de réception envoyé"
    EN_TRAITEMENT = "en_traitement", "En traitement"
    REPONDUE = "repondue", "Répondue"
    CLOSE = "close", "Close"


class Compensation(models.TextChoices):
    AUCUNE = "aucune", "Aucune"
    REMBOURSEMENT_PARTIEL = "remboursement_partiel", "Remboursement partiel"
    PRESTATION_SUPPLEMENTAIRE = "prestation_supplementaire", "Prestation supplémentaire"
    REMISE = "remise", "Remise"


class ModeAccuse(models.TextChoices):
    EMAIL = "email", "Email"
    TELEPHONE = "telephone", "Téléphone"


class ReclamationQuerySet(models.QuerySet):
    def ouvertes(self) -> ReclamationQuerySet:
        return self.exclude(statut=StatutReclamation.CLOSE)

    def en_retard(self, le) -> ReclamationQuerySet:
        """Overdue from the day after a deadline that was not met (DESIGN §5)."""
        non_accusee = Q(accuse_le__isnull=True, accuse_du_le__lt=le)
        non_repondue = Q(repondue_le__isnull=True, reponse_due_le__lt=le)
        return self.ouvertes().filter(non_accusee | non_repondue)


class Reclamation(Horodate):
    numero = models.CharField("numéro", max_length=20, unique=True)
    organisation = models.ForeignKey(
        "crm.Organisation",
        verbose_name="organisation",
        on_delete=models.PROTECT,
        related_name="reclamations",
    )
    contact = models.ForeignKey(
        "crm.Contact",
        verbose_name="contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reclamations",
    )
    mission = models.ForeignKey(
        "crm.Mission",
        verbose_name="mission",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reclamations",
    )
    devis = models.ForeignKey(
        "devis.Devis",
        verbose_name="devis",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reclamations",
    )
    recue_le = models.DateField("reçue le")
    canal = models.CharField(
        "canal", max_length=12, choices=CanalReclamation.choices, default=CanalReclamation.TELEPHONE
    )
    nature = models.ForeignKey(
        NatureReclamation,
        verbose_name="nature",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reclamations",
    )
    gravite = models.CharField(
        "gravité", max_length=10, choices=Gravite.choices, default=Gravite.MINEURE
    )
    description = models.TextField("description")
    statut = models.CharField(
        "statut", max_length=14, choices=StatutReclamation.choices, default=StatutReclamation.RECUE
    )
    accuse_du_le = models.DateField("accusé de réception dû le")
    accuse_le = models.DateField("accusé de réception le", null=True, blank=True)
    accuse_mode = models.CharField(
        "accusé de réception par", max_length=10, choices=ModeAccuse.choices, blank=True
    )
    reponse_due_le = models.DateField("réponse due le")
    repondue_le = models.DateField("répondue le", null=True, blank=True)
    close_le = models.DateField("close le", null=True, blank=True)
    fondee = models.BooleanField("fondée", null=True, blank=True)
    analyse = models.TextField("analyse des causes", blank=True)
    reponse = models.TextField("réponse au client", blank=True)
    compensation = models.CharField(
        "compensation",
        max_length=28,
        choices=Compensation.choices,
        default=Compensation.AUCUNE,
    )
    montant_compensation = models.DecimalField(
        "montant de la compensation (€)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    client_satisfait = models.BooleanField("client de nouveau satisfait", null=True, blank=True)
    verification_satisfaction = models.TextField(
        "comment la satisfaction a été vérifiée", blank=True
    )
    recue_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="reçue par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reclamations_recues",
    )
    responsable = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="responsable du traitement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reclamations_suivies",
    )
    history = HistoricalRecords()

    objects = ReclamationQuerySet.as_manager()

    class Meta:
        verbose_name = "réclamation"
        verbose_name_plural = "réclamations"
        ordering = ["-recue_le", "-pk"]
        indexes = [
            models.Index(fields=["statut", "accuse_du_le"]),
            models.Index(fields=["statut", "reponse_due_le"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(repondue_le__isnull=True) | Q(accuse_le__isnull=False),
                name="reclamation_repondue_apres_accuse",
            ),
            models.CheckConstraint(
                condition=Q(close_le__isnull=True) | Q(repondue_le__isnull=False),
                name="reclamation_close_apres_reponse",
            ),
            models.CheckConstraint(
                condition=Q(montant_compensation__isnull=True) | Q(montant_compensation__gte=0),
                name="reclamation_compensation_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.numero} — {self.organisation}"

    def get_absolute_url(self) -> str:
        return reverse("reclamations:detail", args=[self.pk])


class TypeAction(models.TextChoices):
    CORRECTIVE = "corrective", "Corrective"
    PREVENTIVE = "preventive", "Préventive"


class StatutAction(models.TextChoices):
    A_FAIRE = "a_faire", "À faire"
    EN_COURS = "en_cours", "En cours"
    FAITE = "faite", "Faite"
    ANNULEE = "annulee", "Annulée"


class Action(Horodate):
    """Corrective or preventive action (ISO 9001 §10.2), from a complaint or on its own."""

    reclamation = models.ForeignKey(
        Reclamation,
        verbose_name="réclamation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
    )
    type = models.CharField(
        "type", max_length=12, choices=TypeAction.choices, default=TypeAction.CORRECTIVE
    )
    description = models.TextField("description")
    responsable = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="responsable",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
    )
    echeance = models.DateField("échéance")
    statut = models.CharField(
        "statut", max_length=10, choices=StatutAction.choices, default=StatutAction.A_FAIRE
    )
    realisee_le = models.DateField("réalisée le", null=True, blank=True)
    efficacite_verifiee = models.BooleanField("efficacité vérifiée", null=True, blank=True)
    efficacite_commentaire = models.TextField("vérification de l'efficacité", blank=True)
    verifiee_le = models.DateField("vérifiée le", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "action corrective ou préventive"
        verbose_name_plural = "actions correctives et préventives"
        ordering = ["echeance", "pk"]

    def __str__(self) -> str:
        return f"Action {self.get_type_display().lower()} — {self.description[:60]}"
