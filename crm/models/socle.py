"""What every record of the core rests on: the firm's identity, timestamps, SIRET and phone
validation, random upload paths."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from crm.texte import luhn_valide

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def valider_siret(valeur: str) -> None:
    """A SIRET is 14 digits with a Luhn checksum (La Poste's SIRETs excepted, by INSEE rule)."""
    chiffres = valeur.replace(" ", "")
    if not (len(chiffres) == 14 and chiffres.isdigit()):
        raise ValidationError("Un SIRET compte 14 chiffres.", code="siret_format")
    if chiffres.startswith("356000000"):  # La Poste: sum of digits divisible by 5
        if sum(int(c) for c in chiffres) % 5 == 0:
            return
        raise ValidationError("Ce SIRET est invalide (clé de contrôle).", code="siret_cle")
    if not luhn_valide(chiffres):
        raise ValidationError("Ce SIRET est invalide (clé de contrôle).", code="siret_cle")


telephone_validator = RegexValidator(
    r"^[0-9+().\s-]{6,25}$",
    "Numéro de téléphone invalide : chiffres, espaces, + . - ( ) seulement.",
)


def par_qui(verbose_name: str) -> models.ForeignKey[User | None, User | None]:
    """Who did it: a user kept as NULL when the account is deleted (the record and its history
    stay), with no reverse accessor on the user."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )


class Horodate(models.Model):
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        abstract = True


# --- Firm identity -----------------------------------------------------------------------------


class Entreprise(models.Model):
    """The firm's own identity, printed on quotes and emails (one row, edited by the gérant)."""

    raison_sociale = models.CharField("raison sociale", max_length=200, default="IOD")
    forme_juridique = models.CharField("forme juridique", max_length=60, blank=True, default="SARL")
    capital = models.CharField("capital", max_length=60, blank=True)
    adresse = models.CharField("adresse", max_length=255, blank=True)
    code_postal = models.CharField("code postal", max_length=10, blank=True)
    ville = models.CharField("ville", max_length=100, blank=True)
    siret = models.CharField("SIRET", max_length=17, blank=True, validators=[valider_siret])
    tva_intracommunautaire = models.CharField(
        "n° TVA intracommunautaire", max_length=20, blank=True
    )
    telephone = models.CharField("téléphone", max_length=25, blank=True)
    email = models.EmailField("email", blank=True)
    site_web = models.URLField("site web", blank=True)
    logo = models.ImageField("logo", upload_to="identite/", blank=True)
    signataire = models.CharField("signataire des devis", max_length=120, blank=True)
    mentions = models.TextField("mentions de pied de page", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "identité de l'entreprise"
        verbose_name_plural = "identité de l'entreprise"

    def __str__(self) -> str:
        return self.raison_sociale

    @classmethod
    def courante(cls) -> Entreprise:
        obj = cls.objects.order_by("pk").first()
        if obj is None:
            obj = cls.objects.create()
        return obj


# --- Organisations and people -----------------------------------------------------------------


def chemin_aleatoire(dossier: str, filename: str) -> str:
    """Where an upload is stored: a random name, so an upload's own name never reaches the
    filesystem (only its extension is kept, for the download's type)."""
    extension = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"{dossier}/{secrets.token_hex(16)}.{extension}"
