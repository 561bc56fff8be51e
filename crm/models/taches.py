"""Tasks (DESIGN §10, « Suivi sans trou »): a dated next step for one person, optionally linked
to an object of any app that registered its model as a task target (``crm.extensions
.CibleTache``): the core keeps a generic link and never names the apps."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from crm.models.socle import Horodate


class TacheQuerySet(models.QuerySet["Tache"]):
    def ouvertes(self) -> TacheQuerySet:
        return self.filter(faite_le__isnull=True)


class Tache(Horodate):
    titre = models.CharField("titre", max_length=200)
    echeance = models.DateField("échéance")
    responsable = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="responsable",
        on_delete=models.PROTECT,
        related_name="taches",
    )
    # A meeting booked with the organisation the task is linked to: it counts for the
    # key-client rule (booked until its date passes, the last meeting once done).
    rendez_vous = models.BooleanField("rendez-vous client", default=False)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name="type de l'objet lié",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    objet_id = models.PositiveBigIntegerField("objet lié", null=True, blank=True)
    objet = GenericForeignKey("content_type", "objet_id")
    faite_le = models.DateField("faite le", null=True, blank=True)
    creee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    objects = TacheQuerySet.as_manager()

    class Meta:
        verbose_name = "tâche"
        verbose_name_plural = "tâches"
        ordering = ["echeance", "pk"]
        indexes = [
            # Open tasks by due date (rules, digest, « Aujourd'hui »), and an object's tasks.
            models.Index(fields=["faite_le", "echeance"]),
            models.Index(fields=["content_type", "objet_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__isnull=True, objet_id__isnull=True)
                | Q(content_type__isnull=False, objet_id__isnull=False),
                name="tache_objet_complet_ou_absent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.titre} (pour le {self.echeance:%d/%m/%Y})"

    def en_retard(self, le: date) -> bool:
        return self.faite_le is None and self.echeance < le
