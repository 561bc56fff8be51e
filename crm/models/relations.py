"""The firm's relations: organisations (prospects and clients), their contacts, and every
exchange with them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from crm.models.socle import Horodate, telephone_validator, valider_siret


class Source(models.TextChoices):
    RECOMMANDATION = "recommandation", "Recommandation"
    RESEAU = "reseau", "Réseau / petit-déjeuner"
    EMAIL = "email", "Email"
    TELEPHONE = "telephone", "Téléphone"
    SITE_WEB = "site_web", "Site web"
    AUTRE = "autre", "Autre"


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def avec_statut(self) -> OrganisationQuerySet:
        """Annotate ``est_client_annote``: client = has an accepted devis (derived, not typed)."""
        from django.apps import apps

        Devis = apps.get_model("devis", "Devis")
        return self.annotate(
            est_client_annote=Exists(
                Devis.objects.filter(organisation=OuterRef("pk"), statut="accepte")
            )
        )

    def actives(self) -> OrganisationQuerySet:
        return self.filter(archivee=False)


# The organisation's identity and contact details, in the order every form, admin page and import
# shows them: one list so they cannot drift apart.
IDENTITE_ORGANISATION = ("raison_sociale", "siret", "secteur")
COORDONNEES_ORGANISATION = (
    "adresse",
    "complement_adresse",
    "code_postal",
    "ville",
    "pays",
    "telephone",
    "site_web",
)


class Organisation(Horodate):
    raison_sociale = models.CharField("raison sociale", max_length=200)
    siret = models.CharField(
        "SIRET", max_length=17, blank=True, validators=[valider_siret], db_index=True
    )
    secteur = models.CharField("secteur d'activité", max_length=120, blank=True)
    adresse = models.CharField("adresse", max_length=255, blank=True)
    complement_adresse = models.CharField("complément d'adresse", max_length=255, blank=True)
    code_postal = models.CharField("code postal", max_length=10, blank=True)
    ville = models.CharField("ville", max_length=100, blank=True, db_index=True)
    pays = models.CharField("pays", max_length=60, blank=True, default="France")
    telephone = models.CharField(
        "téléphone", max_length=25, blank=True, validators=[telephone_validator]
    )
    site_web = models.URLField("site web", blank=True)
    source = models.CharField(
        "source", max_length=20, choices=Source.choices, default=Source.RECOMMANDATION
    )
    recommande_par = models.ForeignKey(
        "self",
        verbose_name="recommandée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommandations",
    )
    recommande_par_personne = models.CharField(
        "recommandée par (personne)", max_length=150, blank=True
    )
    cle = models.BooleanField("client clé", default=False)
    frequence_point_jours = models.PositiveIntegerField(
        "fréquence des points (jours)",
        null=True,
        blank=True,
        help_text="Pour un client clé : nombre de jours maximum entre deux rendez-vous.",
    )
    responsable = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="responsable",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organisations",
    )
    ne_pas_prospecter = models.BooleanField("ne pas prospecter", default=False)
    notes = models.TextField("notes", blank=True)
    archivee = models.BooleanField("archivée", default=False)
    history = HistoricalRecords()

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = "organisation"
        verbose_name_plural = "organisations"
        ordering = ["raison_sociale"]
        constraints = [
            models.CheckConstraint(
                condition=Q(frequence_point_jours__isnull=True) | Q(frequence_point_jours__gt=0),
                name="organisation_frequence_positive",
            )
        ]
        indexes = [models.Index(fields=["raison_sociale"])]

    def __str__(self) -> str:
        return self.raison_sociale

    def get_absolute_url(self) -> str:
        return reverse("crm:organisation", args=[self.pk])

    @property
    def est_client(self) -> bool:
        if hasattr(self, "est_client_annote"):
            return bool(self.est_client_annote)
        return self.devis.filter(statut="accepte").exists()

    @property
    def statut_commercial(self) -> str:
        return "Client" if self.est_client else "Prospect"


class Civilite(models.TextChoices):
    MADAME = "Mme", "Madame"
    MONSIEUR = "M.", "Monsieur"


class Contact(Horodate):
    organisation = models.ForeignKey(
        Organisation, verbose_name="organisation", on_delete=models.PROTECT, related_name="contacts"
    )
    civilite = models.CharField("civilité", max_length=4, choices=Civilite.choices, blank=True)
    prenom = models.CharField("prénom", max_length=100, blank=True)
    nom = models.CharField("nom", max_length=100)
    fonction = models.CharField("fonction", max_length=150, blank=True)
    email = models.EmailField("email", blank=True, db_index=True)
    telephone = models.CharField(
        "téléphone", max_length=25, blank=True, validators=[telephone_validator]
    )
    mobile = models.CharField("mobile", max_length=25, blank=True, validators=[telephone_validator])
    ne_pas_prospecter = models.BooleanField("ne pas prospecter", default=False)
    archive = models.BooleanField("archivé", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "contact"
        verbose_name_plural = "contacts"
        ordering = ["nom", "prenom"]

    def __str__(self) -> str:
        return self.nom_complet

    @property
    def nom_complet(self) -> str:
        return " ".join(p for p in (self.civilite, self.prenom, self.nom) if p)

    @property
    def telephone_principal(self) -> str:
        return self.telephone or self.mobile

    def get_absolute_url(self) -> str:
        return reverse("crm:organisation", args=[self.organisation_id]) + f"#contact-{self.pk}"


def contact_facultatif(*, related_name: str) -> models.ForeignKey[Contact | None, Contact | None]:
    """The person the exchange was with, when known: kept as NULL when the contact is erased
    (RGPD), so the organisation's record of the exchange stays."""
    return models.ForeignKey(
        Contact,
        verbose_name="contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name=related_name,
    )


class TypeInteraction(models.TextChoices):
    APPEL = "appel", "Appel"
    EMAIL = "email", "Email"
    REUNION = "reunion", "Rendez-vous"
    DEJEUNER = "dejeuner", "Déjeuner"
    PETIT_DEJEUNER = "petit_dejeuner", "Petit-déjeuner réseau"
    VISIO = "visio", "Visioconférence"


class SensInteraction(models.TextChoices):
    SORTANT = "sortant", "Sortant"
    ENTRANT = "entrant", "Entrant"


# Interactions that count as a « point » with a key client (PROC-020 §3.6 Fidélisation).
TYPES_RENCONTRE = [
    TypeInteraction.REUNION,
    TypeInteraction.DEJEUNER,
    TypeInteraction.PETIT_DEJEUNER,
    TypeInteraction.VISIO,
]


class Interaction(Horodate):
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="organisation",
        on_delete=models.PROTECT,
        related_name="interactions",
    )
    contact = contact_facultatif(related_name="interactions")
    type = models.CharField("type", max_length=20, choices=TypeInteraction.choices)
    # Who started the exchange; blank when not said (a meeting). An email read from the firm's
    # mailbox is « entrant ».
    sens = models.CharField("sens", max_length=10, choices=SensInteraction.choices, blank=True)
    date = models.DateField("date")
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interactions",
    )
    resume = models.TextField("résumé")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "interaction"
        verbose_name_plural = "interactions"
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["organisation", "type", "date"])]

    def __str__(self) -> str:
        return f"{self.get_type_display()} du {self.date:%d/%m/%Y} — {self.organisation}"


# --- Demandes (J0) and feasibility --------------------------------------------------------------
