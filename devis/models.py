"""Quotes (PROC-020 §3.3–3.5): devis and lines, the one relance, the client's agreement and
the revue de contrat, and the standard template."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.urls import reverse
from simple_history.models import HistoricalRecords

from crm.models import Horodate, chemin_aleatoire, par_qui

CENTIME = Decimal("0.01")


def arrondi(montant: Decimal) -> Decimal:
    return montant.quantize(CENTIME, rounding=ROUND_HALF_UP)


class StatutDevis(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    ENVOYE = "envoye", "Envoyé"
    ACCEPTE = "accepte", "Accepté"
    REFUSE = "refuse", "Refusé"
    SANS_SUITE = "sans_suite", "Sans suite"
    ANNULE = "annule", "Annulé"


STATUTS_EMIS = [
    StatutDevis.ENVOYE,
    StatutDevis.ACCEPTE,
    StatutDevis.REFUSE,
    StatutDevis.SANS_SUITE,
]


class Reponse(models.TextChoices):
    ACCEPTE = "accepte", "Accepté"
    REFUSE = "refuse", "Refusé"
    EN_DISCUSSION = "en_discussion", "En discussion"


class Unite(models.TextChoices):
    JOUR = "jour", "jour"
    DEMI_JOUR = "demi_jour", "demi-journée"
    HEURE = "heure", "heure"
    FORFAIT = "forfait", "forfait"
    PERSONNE = "personne", "personne"
    SESSION = "session", "session"


class MotifRefus(models.Model):
    """Why quotes are lost: a list the gérant can extend."""

    libelle = models.CharField("libellé", max_length=120, unique=True)
    actif = models.BooleanField("actif", default=True)

    class Meta:
        verbose_name = "motif de refus"
        verbose_name_plural = "motifs de refus"
        ordering = ["libelle"]

    def __str__(self) -> str:
        return self.libelle


class SectionsDevis(models.Model):
    """The sections of a quote's text and its validity: the template holds their defaults, each
    quote its own copy, taken from the template when drafted."""

    contexte = models.TextField("contexte", blank=True)
    methodologie = models.TextField("méthodologie", blank=True)
    tests = models.TextField("tests choisis", blank=True)
    delai = models.TextField("délai", blank=True)
    conditions = models.TextField("conditions", blank=True)
    validite_jours = models.PositiveIntegerField("validité (jours)", default=30)

    class Meta:
        abstract = True


class ModeleDevis(SectionsDevis):
    """« Modèle de devis IOD »: default text of each section and default lines (one row)."""

    nom = models.CharField("nom", max_length=120, default="Modèle de devis IOD")
    taux_tva = models.DecimalField("taux de TVA (%)", max_digits=5, decimal_places=2, default=20)
    email_sujet = models.CharField(
        "sujet de l'email d'envoi", max_length=200, default="Votre devis {numero} — {objet}"
    )
    email_corps = models.TextField("texte de l'email d'envoi", blank=True)
    relance_sujet = models.CharField(
        "sujet de l'email de relance", max_length=200, default="Relance — devis {numero}"
    )
    relance_corps = models.TextField("texte de l'email de relance", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "modèle de devis"
        verbose_name_plural = "modèle de devis"

    def __str__(self) -> str:
        return self.nom

    @classmethod
    def courant(cls) -> ModeleDevis:
        obj = cls.objects.order_by("pk").first()
        return obj if obj is not None else cls.objects.create()


class LigneModele(models.Model):
    modele = models.ForeignKey(ModeleDevis, on_delete=models.CASCADE, related_name="lignes")
    ordre = models.PositiveIntegerField("ordre", default=0)
    designation = models.CharField("désignation", max_length=255)
    quantite = models.DecimalField(
        "quantité", max_digits=10, decimal_places=2, default=1, validators=[MinValueValidator(0)]
    )
    unite = models.CharField("unité", max_length=12, choices=Unite.choices, default=Unite.JOUR)
    prix_unitaire_ht = models.DecimalField(
        "prix unitaire HT", max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = "ligne du modèle"
        verbose_name_plural = "lignes du modèle"
        ordering = ["ordre", "pk"]

    def __str__(self) -> str:
        return self.designation


class DevisQuerySet(models.QuerySet):
    def avec_totaux(self) -> DevisQuerySet:
        """Annotate ``total_ht_annote`` computed in the database (lists, dashboard).

        A correlated subquery rather than a JOIN + GROUP BY: a paginated list then computes
        the totals of its 25 rows only, whatever the size of the history.
        """
        total = (
            LigneDevis.objects.filter(devis=OuterRef("pk"))
            .order_by()
            .values("devis")
            .annotate(t=Sum(F("quantite") * F("prix_unitaire_ht")))
            .values("t")
        )
        return self.annotate(
            total_ht_annote=Subquery(
                total, output_field=models.DecimalField(max_digits=16, decimal_places=4)
            )
        )

    def en_attente(self) -> DevisQuerySet:
        return self.filter(statut=StatutDevis.ENVOYE, reponse_le__isnull=True)

    def horloge_en_marche(self) -> DevisQuerySet:
        """Waiting quotes whose clock runs: no reply read from the mailbox awaits qualifying."""
        return self.en_attente().filter(reponse_recue_le__isnull=True)

    def a_relancer_possible(self) -> DevisQuerySet:
        """Quotes whose client has not asked not to be canvassed (« ne pas prospecter »)."""
        return self.exclude(organisation__ne_pas_prospecter=True).exclude(
            contact__ne_pas_prospecter=True
        )


class Devis(Horodate, SectionsDevis):
    numero = models.CharField("numéro", max_length=20, null=True, blank=True, db_index=True)
    version = models.PositiveSmallIntegerField("version", default=1)
    remplace = models.OneToOneField(
        "self",
        verbose_name="remplace le devis",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="remplace_par",
    )
    demande = models.ForeignKey(
        "crm.Demande",
        verbose_name="demande",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="devis",
    )
    organisation = models.ForeignKey(
        "crm.Organisation",
        verbose_name="organisation",
        on_delete=models.PROTECT,
        related_name="devis",
    )
    contact = models.ForeignKey(
        "crm.Contact",
        verbose_name="contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="devis",
    )
    objet = models.CharField("objet", max_length=255)
    taux_tva = models.DecimalField(
        "taux de TVA (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("20.00"),
        validators=[MinValueValidator(0)],
    )
    statut = models.CharField(
        "statut", max_length=12, choices=StatutDevis.choices, default=StatutDevis.BROUILLON
    )
    envoye_le = models.DateField("envoyé le", null=True, blank=True)
    reponse_le = models.DateField("réponse le", null=True, blank=True)
    reponse = models.CharField(
        "dernière réponse du client", max_length=14, choices=Reponse.choices, blank=True
    )
    relance_due_le = models.DateField("relance due le", null=True, blank=True)
    # A reply read from the mailbox (courrier) stops R1 and R2 until the answer is recorded.
    reponse_recue_le = models.DateTimeField("réponse reçue (à qualifier)", null=True, blank=True)
    sans_suite_le = models.DateField("sans suite le", null=True, blank=True)
    classe_sans_suite_le = models.DateField("classé sans suite le", null=True, blank=True)
    # « En discussion »: the day the gérant recontacts the client (DESIGN §10). Set only while
    # the latest answer is « en discussion »: a final answer clears it.
    prochain_contact_le = models.DateField("prochain contact le", null=True, blank=True)
    motif_refus = models.ForeignKey(
        MotifRefus,
        verbose_name="motif du refus",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="devis",
    )
    commentaire_reponse = models.TextField("commentaire sur la réponse", blank=True)
    # Public acceptance link: the token is derived from this nonce with the SECRET_KEY
    # (crm.jetons) and only its SHA-256 is stored, so a database dump reveals no link.
    jeton_nonce = models.CharField(max_length=32, default="", blank=True, editable=False)
    jeton_empreinte = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    cree_par = par_qui("rédigé par")
    history = HistoricalRecords()

    objects = DevisQuerySet.as_manager()

    class Meta:
        verbose_name = "devis"
        verbose_name_plural = "devis"
        ordering = ["-cree_le", "-pk"]
        indexes = [
            models.Index(fields=["statut", "relance_due_le"]),
            models.Index(fields=["statut", "sans_suite_le"]),
            models.Index(fields=["statut", "envoye_le"]),
            models.Index(fields=["classe_sans_suite_le"]),
            # The quotes the daily rules and the to-do page look at: waiting for an answer.
            models.Index(
                fields=["relance_due_le"],
                condition=Q(statut=StatutDevis.ENVOYE, reponse_le__isnull=True),
                name="devis_en_attente_relance_idx",
            ),
            # The quotes « à recontacter »: sent, answered « en discussion ».
            models.Index(
                fields=["prochain_contact_le"],
                condition=Q(statut=StatutDevis.ENVOYE, reponse=Reponse.EN_DISCUSSION),
                name="devis_en_discussion_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["numero", "version"], name="devis_numero_version_unique"
            ),
            models.CheckConstraint(
                condition=~Q(statut__in=STATUTS_EMIS)
                | Q(numero__isnull=False, envoye_le__isnull=False),
                name="devis_emis_numerote_et_date",
            ),
            models.CheckConstraint(
                condition=Q(reponse_le__isnull=True)
                | Q(envoye_le__isnull=False, reponse_le__gte=F("envoye_le")),
                name="devis_reponse_apres_envoi",
            ),
            models.CheckConstraint(
                condition=Q(prochain_contact_le__isnull=True) | Q(reponse=Reponse.EN_DISCUSSION),
                name="devis_prochain_contact_en_discussion",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.numero or 'Brouillon'} — {self.objet}"

    def get_absolute_url(self) -> str:
        return reverse("devis:detail", args=[self.pk])

    @property
    def reference(self) -> str:
        if not self.numero:
            return f"Brouillon n° {self.pk}"
        return self.numero if self.version == 1 else f"{self.numero} v{self.version}"

    # Totals: computed from the lines with Decimal, rounded to the cent (half up) per total.
    @property
    def total_ht(self) -> Decimal:
        if hasattr(self, "total_ht_annote"):
            return arrondi(self.total_ht_annote or Decimal(0))
        # Same formula as the database annotation: sum of quantity × price, rounded once.
        return arrondi(
            sum(
                (
                    (ligne.quantite or Decimal(0)) * (ligne.prix_unitaire_ht or Decimal(0))
                    for ligne in self.lignes.all()
                ),
                Decimal(0),
            )
        )

    @property
    def total_tva(self) -> Decimal:
        return arrondi(self.total_ht * self.taux_tva / Decimal(100))

    @property
    def total_ttc(self) -> Decimal:
        return self.total_ht + self.total_tva

    @property
    def date_validite(self) -> date | None:
        if not self.envoye_le:
            return None
        # Validity is counted in calendar days, as written on the quote.
        return self.envoye_le + timedelta(days=self.validite_jours)

    def nouveau_nonce(self) -> None:
        self.jeton_nonce = secrets.token_hex(16)


class LigneDevis(models.Model):
    devis = models.ForeignKey(Devis, on_delete=models.CASCADE, related_name="lignes")
    ordre = models.PositiveIntegerField("ordre", default=0)
    designation = models.CharField("désignation", max_length=255)
    quantite = models.DecimalField(
        "quantité", max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    unite = models.CharField("unité", max_length=12, choices=Unite.choices, default=Unite.JOUR)
    prix_unitaire_ht = models.DecimalField(
        "prix unitaire HT", max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "ligne de devis"
        verbose_name_plural = "lignes de devis"
        ordering = ["ordre", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantite__gte=0), name="ligne_quantite_positive"),
            models.CheckConstraint(condition=Q(prix_unitaire_ht__gte=0), name="ligne_prix_positif"),
        ]

    def __str__(self) -> str:
        return self.designation

    @property
    def montant_ht(self) -> Decimal:
        return arrondi((self.quantite or Decimal(0)) * (self.prix_unitaire_ht or Decimal(0)))


class ModeRelance(models.TextChoices):
    EMAIL = "email", "Email"
    TELEPHONE = "telephone", "Téléphone"


class Relance(Horodate):
    """The one follow-up of a devis (PROC-020 §3.4). One per devis, by a unique constraint."""

    devis = models.OneToOneField(
        Devis, verbose_name="devis", on_delete=models.PROTECT, related_name="relance"
    )
    due_le = models.DateField("due le")
    faite_le = models.DateField("faite le", null=True, blank=True)
    mode = models.CharField("mode", max_length=10, choices=ModeRelance.choices, blank=True)
    note = models.TextField("note", blank=True)
    par = par_qui("faite par")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "relance"
        verbose_name_plural = "relances"
        ordering = ["due_le", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(faite_le__isnull=True) | ~Q(mode=""), name="relance_faite_avec_mode"
            ),
        ]

    def __str__(self) -> str:
        return f"Relance {self.devis.numero} (due le {self.due_le:%d/%m/%Y})"


class TypeAccord(models.TextChoices):
    BON_COMMANDE = "bon_commande", "Bon de commande"
    MAIL_VALIDATION = "mail_validation", "Mail de validation"
    DEVIS_SIGNE = "devis_signe", "Devis signé"
    ACCEPTATION_EN_LIGNE = "acceptation_en_ligne", "Acceptation en ligne"


def _chemin_accord(instance: Accord, filename: str) -> str:
    return chemin_aleatoire("accords", filename)


class Accord(Horodate):
    """The client's agreement and the revue de contrat (PROC-020 §3.5, ISO 9001 §8.2.3)."""

    devis = models.OneToOneField(
        Devis, verbose_name="devis", on_delete=models.PROTECT, related_name="accord"
    )
    type = models.CharField("type d'accord", max_length=24, choices=TypeAccord.choices)
    recu_le = models.DateField("reçu le")
    document = models.FileField("document", upload_to=_chemin_accord, blank=True, max_length=255)
    document_nom = models.CharField("nom du document", max_length=255, blank=True)
    reference_client = models.CharField(
        "référence client (n° de commande)", max_length=100, blank=True
    )
    # Revue de contrat: does the agreement match the quote?
    prix_conforme = models.BooleanField("le prix correspond au devis", null=True, blank=True)
    conditions_conformes = models.BooleanField(
        "les conditions correspondent au devis", null=True, blank=True
    )
    ecarts = models.TextField("écarts constatés", blank=True)
    resolution_ecarts = models.TextField("résolution des écarts", blank=True)
    revue_le = models.DateField("revue de contrat faite le", null=True, blank=True)
    revue_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="revue faite par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Evidence of an online acceptance (issue « Bon pour accord »).
    signataire_nom = models.CharField("nom du signataire", max_length=150, blank=True)
    signataire_fonction = models.CharField("fonction du signataire", max_length=150, blank=True)
    ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    navigateur = models.TextField("navigateur", blank=True)
    empreinte_pdf = models.CharField("SHA-256 du PDF accepté", max_length=64, blank=True)
    horodatage = models.DateTimeField("accepté en ligne à", null=True, blank=True)
    # The drawn signature, as the PNG data URL the browser produced (optional).
    signature = models.TextField("signature dessinée (PNG)", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "accord client"
        verbose_name_plural = "accords clients"

    def __str__(self) -> str:
        return f"Accord {self.get_type_display()} — {self.devis}"

    @property
    def revue_conforme(self) -> bool:
        return bool(self.prix_conforme and self.conditions_conformes)

    @property
    def revue_faite(self) -> bool:
        return self.revue_le is not None

    @property
    def pret_pour_lancement(self) -> bool:
        """Launch only after the review: conforming, or gaps recorded with their settlement."""
        if not self.revue_faite:
            return False
        return self.revue_conforme or bool(self.ecarts.strip() and self.resolution_ecarts.strip())


class QuestionClient(Horodate):
    """A question the client asked from the quote's public page, kept with the quote."""

    devis = models.ForeignKey(
        Devis, verbose_name="devis", on_delete=models.PROTECT, related_name="questions"
    )
    posee_le = models.DateField("posée le")
    nom = models.CharField("nom indiqué", max_length=150, blank=True)
    message = models.TextField("question")
    ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    navigateur = models.TextField("navigateur", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "question du client"
        verbose_name_plural = "questions des clients"
        ordering = ["-cree_le", "-pk"]
        indexes = [models.Index(fields=["posee_le"])]

    def __str__(self) -> str:
        return f"Question sur {self.devis} ({self.posee_le:%d/%m/%Y})"
