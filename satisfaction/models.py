"""Listening to the client: the consultant's debrief and the survey by token link."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from crm import jetons
from crm.models import Horodate


class Attentes(models.TextChoices):
    OUI = "oui", "Oui"
    PARTIELLEMENT = "partiellement", "Partiellement"
    NON = "non", "Non"


class Debrief(Horodate):
    """« Cela correspondait-il à vos attentes ? » — one per mission (PROC-020 §3.6)."""

    mission = models.OneToOneField(
        "crm.Mission", verbose_name="mission", on_delete=models.PROTECT, related_name="debrief"
    )
    le = models.DateField("date du débrief")
    reponse = models.CharField(
        "cela correspondait-il à vos attentes ?", max_length=14, choices=Attentes.choices
    )
    verbatim = models.TextField("les mots du client", blank=True)
    signaux_faibles = models.TextField("signaux faibles", blank=True)
    besoins_futurs = models.TextField("besoins futurs", blank=True)
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="consultant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="debriefs",
    )
    demande_creee = models.ForeignKey(
        "crm.Demande",
        verbose_name="demande ouverte depuis ce débrief",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "débrief de mission"
        verbose_name_plural = "débriefs de mission"
        ordering = ["-le", "-pk"]

    def __str__(self) -> str:
        return f"Débrief — {self.mission}"

    @property
    def insatisfait(self) -> bool:
        """« Non » at the debrief: the client's words are a complaint to record."""
        return self.reponse == Attentes.NON


class Enquete(Horodate):
    """A survey sent to a contact after a mission, answerable once through a token link."""

    USAGE_JETON = "enquete"

    mission = models.ForeignKey(
        "crm.Mission",
        verbose_name="mission",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enquetes",
    )
    contact = models.ForeignKey(
        "crm.Contact", verbose_name="contact", on_delete=models.PROTECT, related_name="enquetes"
    )
    creee_le = models.DateField("créée le")
    envoyee_le = models.DateField("envoyée le", null=True, blank=True)
    relancee_le = models.DateField("relancée le", null=True, blank=True)
    expire_le = models.DateField("expire le")
    jeton_nonce = models.CharField(max_length=32, default=jetons.nouveau_nonce, editable=False)
    jeton_empreinte = models.CharField(max_length=64, unique=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "enquête de satisfaction"
        verbose_name_plural = "enquêtes de satisfaction"
        ordering = ["-creee_le", "-pk"]

    def __str__(self) -> str:
        return f"Enquête du {self.creee_le:%d/%m/%Y} — {self.contact}"

    def save(self, *args, **kwargs):
        # The digest of the token is derived data of the nonce, kept in step here so that an
        # Enquete created anywhere (service, admin, factory) has a working link.
        self.jeton_empreinte = jetons.empreinte(self.jeton)
        super().save(*args, **kwargs)

    @property
    def jeton(self) -> str:
        return jetons.jeton(self.USAGE_JETON, self.jeton_nonce)

    def get_absolute_url(self) -> str:
        return reverse("satisfaction:enquete_publique", args=[self.jeton])

    @property
    def repondue(self) -> bool:
        return hasattr(self, "reponse")


class Reponse(models.Model):
    enquete = models.OneToOneField(
        Enquete, verbose_name="enquête", on_delete=models.PROTECT, related_name="reponse"
    )
    satisfaction = models.PositiveSmallIntegerField(
        "satisfaction globale (1 à 5)", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    recommandation = models.PositiveSmallIntegerField(
        "probabilité de nous recommander (0 à 10)",
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    effort = models.PositiveSmallIntegerField(
        "facilité (1 à 7)", validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    commentaire = models.TextField("commentaire", blank=True)
    consentement_citation = models.BooleanField("accepte d'être cité", default=False)
    repondue_le = models.DateField("répondue le")
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "réponse à l'enquête"
        verbose_name_plural = "réponses aux enquêtes"
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__gte=1, satisfaction__lte=5),
                name="reponse_satisfaction_1_5",
            ),
            models.CheckConstraint(
                condition=Q(recommandation__gte=0, recommandation__lte=10),
                name="reponse_recommandation_0_10",
            ),
            models.CheckConstraint(
                condition=Q(effort__gte=1, effort__lte=7), name="reponse_effort_1_7"
            ),
        ]

    def __str__(self) -> str:
        return f"Réponse à {self.enquete}"
