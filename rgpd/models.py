"""Personal data records (CNIL référentiel « gestion commerciale »): the inactive prospects
flagged before anonymisation, and the log of every RGPD action (who, when, what, on whom)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class StatutSignalement(models.TextChoices):
    SIGNALE = "signale", "Signalé au gérant"
    LEVE = "leve", "Levé (nouveau contact)"
    ANONYMISE = "anonymise", "Anonymisé"


class Signalement(models.Model):
    """A prospect with no contact for 3 years, announced to the gérant before anonymisation.

    At most one open flag per organisation (a database constraint). The rule anonymises it only
    once a gérant's digest has gone out after the flag was raised and the notice period has run.
    """

    organisation = models.ForeignKey(
        "crm.Organisation",
        verbose_name="organisation",
        on_delete=models.PROTECT,
        related_name="signalements_rgpd",
    )
    signale_le = models.DateField("signalé le")
    dernier_contact_le = models.DateField("dernier contact le")
    statut = models.CharField(
        "statut",
        max_length=10,
        choices=StatutSignalement.choices,
        default=StatutSignalement.SIGNALE,
    )
    clos_le = models.DateField("levé ou anonymisé le", null=True, blank=True)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "signalement RGPD"
        verbose_name_plural = "signalements RGPD"
        ordering = ["signale_le", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(statut=StatutSignalement.SIGNALE),
                name="un_signalement_ouvert_par_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"Signalement du {self.signale_le:%d/%m/%Y} — organisation {self.organisation_id}"


class ActionRGPD(models.TextChoices):
    SIGNALEMENT = "signalement", "Prospect inactif signalé"
    LEVEE = "levee", "Signalement levé"
    ANONYMISATION = "anonymisation", "Prospect anonymisé"
    EXPORT = "export", "Export des données d'une personne"
    EFFACEMENT = "effacement", "Effacement d'un contact"
    OPPOSITION = "opposition", "« Ne pas prospecter » modifié"


class JournalRGPD(models.Model):
    """One line per RGPD action. It names its target by type and id only: the log itself must
    not keep the personal data an erasure removed."""

    le = models.DateTimeField("le", auto_now_add=True)
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Vide : action de la règle quotidienne.",
    )
    action = models.CharField("action", max_length=20, choices=ActionRGPD.choices)
    cible_type = models.CharField("type de la cible", max_length=40)
    cible_id = models.PositiveBigIntegerField("id de la cible")
    detail = models.TextField("détail", blank=True)

    class Meta:
        verbose_name = "entrée du journal RGPD"
        verbose_name_plural = "journal RGPD"
        ordering = ["-le", "-pk"]
        indexes = [models.Index(fields=["cible_type", "cible_id"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.cible_type} {self.cible_id}"
