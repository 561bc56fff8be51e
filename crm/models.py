"""The shared core: organisations, contacts, interactions, demandes, feasibility reviews,
missions, plus the technical records every app uses (numbering, emails sent, digests)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from crm.texte import luhn_valide


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


class Source(models.TextChoices):
    RECOMMANDATION = "recommandation", "Recommandation"
    RESEAU = "reseau", "Réseau / petit-déjeuner"
    EMAIL = "email", "Email"
    TELEPHONE = "telephone", "Téléphone"
    SITE_WEB = "site_web", "Site web"
    AUTRE = "autre", "Autre"


class OrganisationQuerySet(models.QuerySet):
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
            return self.est_client_annote
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


class TypeInteraction(models.TextChoices):
    APPEL = "appel", "Appel"
    EMAIL = "email", "Email"
    REUNION = "reunion", "Rendez-vous"
    DEJEUNER = "dejeuner", "Déjeuner"
    PETIT_DEJEUNER = "petit_dejeuner", "Petit-déjeuner réseau"
    VISIO = "visio", "Visioconférence"


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
    contact = models.ForeignKey(
        Contact,
        verbose_name="contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
    )
    type = models.CharField("type", max_length=20, choices=TypeInteraction.choices)
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


class Canal(models.TextChoices):
    EMAIL = "email", "Email"
    TELEPHONE = "telephone", "Téléphone"
    RESEAU = "reseau", "Événement réseau / petit-déjeuner"
    RECOMMANDATION = "recommandation", "Recommandation"
    SITE_WEB = "site_web", "Site web"
    AUTRE = "autre", "Autre"


class Contexte(models.TextChoices):
    RECRUTEMENT = "recrutement", "Recrutement"
    MOBILITE = "mobilite", "Mobilité"
    CRISE = "crise", "Crise"
    AUTRE = "autre", "Autre"


class TypePrestation(models.TextChoices):
    EVALUATION = "evaluation", "Évaluation"
    CONSEIL = "conseil", "Conseil"
    FORMATION = "formation", "Formation"


class StatutDemande(models.TextChoices):
    NOUVELLE = "nouvelle", "Nouvelle"
    QUALIFIEE = "qualifiee", "Qualifiée"
    GO = "go", "Go"
    DECLINEE = "declinee", "Déclinée"
    REORIENTEE = "reorientee", "Réorientée"


def chemin_aleatoire(dossier: str, filename: str) -> str:
    """Where an upload is stored: a random name, so an upload's own name never reaches the
    filesystem (only its extension is kept, for the download's type)."""
    extension = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"{dossier}/{secrets.token_hex(16)}.{extension}"


def _chemin_fiche(instance: Demande, filename: str) -> str:
    return chemin_aleatoire("demandes", filename)


class Demande(Horodate):
    organisation = models.ForeignKey(
        Organisation, verbose_name="organisation", on_delete=models.PROTECT, related_name="demandes"
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name="contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="demandes",
    )
    recue_le = models.DateField("reçue le")
    canal = models.CharField("canal", max_length=20, choices=Canal.choices, default=Canal.TELEPHONE)
    contexte = models.CharField("contexte", max_length=20, choices=Contexte.choices)
    type_prestation = models.CharField(
        "type de prestation", max_length=20, choices=TypePrestation.choices
    )
    description = models.TextField("description du besoin")
    profil_attendu = models.TextField("profil attendu", blank=True)
    delai_souhaite = models.CharField("délai souhaité", max_length=120, blank=True)
    fiche_de_poste = models.FileField(
        "fiche de poste", upload_to=_chemin_fiche, blank=True, max_length=255
    )
    fiche_de_poste_nom = models.CharField("nom du fichier", max_length=255, blank=True)
    statut = models.CharField(
        "statut", max_length=20, choices=StatutDemande.choices, default=StatutDemande.NOUVELLE
    )
    qualifiee_le = models.DateField("qualifiée le", null=True, blank=True)
    responsable = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="reçue par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="demandes",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "demande"
        verbose_name_plural = "demandes"
        ordering = ["-recue_le", "-pk"]
        # By status for the to-do lists; by day alone for the dashboard's periods.
        indexes = [models.Index(fields=["statut", "recue_le"]), models.Index(fields=["recue_le"])]

    def __str__(self) -> str:
        return f"Demande du {self.recue_le:%d/%m/%Y} — {self.organisation}"

    def get_absolute_url(self) -> str:
        return reverse("crm:demande", args=[self.pk])


class Decision(models.TextChoices):
    GO = "go", "Go"
    NO_GO = "no_go", "No Go"


class SuiteNoGo(models.TextChoices):
    DECLINER = "decliner", "Décliner"
    REORIENTER = "reorienter", "Réorienter vers un partenaire"


class RevueFaisabilite(Horodate):
    """ISO 9001 §8.2.3 record: can we do it (competence, availability, independence)?"""

    demande = models.OneToOneField(
        Demande, verbose_name="demande", on_delete=models.PROTECT, related_name="revue"
    )
    competence = models.BooleanField("compétence : avons-nous l'expertise requise ?")
    competence_commentaire = models.TextField("commentaire compétence", blank=True)
    disponibilite = models.BooleanField("disponibilité : pouvons-nous tenir les délais (24–48 h) ?")
    disponibilite_commentaire = models.TextField("commentaire disponibilité", blank=True)
    independance = models.BooleanField(
        "indépendance : aucun conflit d'intérêts (REF-001) ?",
    )
    independance_commentaire = models.TextField("commentaire indépendance", blank=True)
    decision = models.CharField("décision", max_length=10, choices=Decision.choices)
    suite = models.CharField(
        "suite donnée (No Go)", max_length=12, choices=SuiteNoGo.choices, blank=True
    )
    partenaire = models.CharField("partenaire", max_length=200, blank=True)
    motif = models.TextField("motif de la décision", blank=True)
    decidee_le = models.DateField("décidée le")
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="décidée par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "revue de faisabilité"
        verbose_name_plural = "revues de faisabilité"
        constraints = [
            models.CheckConstraint(
                condition=Q(decision=Decision.GO, suite="")
                | Q(decision=Decision.NO_GO) & ~Q(suite=""),
                name="revue_suite_seulement_pour_no_go",
            ),
            models.CheckConstraint(
                condition=~Q(suite=SuiteNoGo.REORIENTER) | ~Q(partenaire=""),
                name="revue_partenaire_si_reorientation",
            ),
        ]

    def __str__(self) -> str:
        return f"Revue de faisabilité — {self.demande}"


# --- Missions ------------------------------------------------------------------------------------


class StatutMission(models.TextChoices):
    PLANIFIEE = "planifiee", "Planifiée"
    EN_COURS = "en_cours", "En cours"
    TERMINEE = "terminee", "Terminée"
    ANNULEE = "annulee", "Annulée"


class MissionQuerySet(models.QuerySet):
    def pour_utilisateur(self, user) -> MissionQuerySet:
        from crm.roles import est_gerant

        if est_gerant(user):
            return self
        return self.filter(consultants=user)


class Mission(Horodate):
    """The launched work after an accepted devis (PROC-020 §3.5 « Lancement »)."""

    devis = models.OneToOneField(
        "devis.Devis", verbose_name="devis", on_delete=models.PROTECT, related_name="mission"
    )
    consultants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="consultants", related_name="missions", blank=True
    )
    debut = models.DateField("début")
    fin = models.DateField("fin", null=True, blank=True)
    statut = models.CharField(
        "statut", max_length=12, choices=StatutMission.choices, default=StatutMission.PLANIFIEE
    )
    notes = models.TextField("notes de lancement", blank=True)
    history = HistoricalRecords(m2m_fields=[consultants])

    objects = MissionQuerySet.as_manager()

    class Meta:
        verbose_name = "mission"
        verbose_name_plural = "missions"
        ordering = ["-debut", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fin__isnull=True) | Q(fin__gte=models.F("debut")),
                name="mission_fin_apres_debut",
            )
        ]

    def __str__(self) -> str:
        return f"Mission {self.devis.objet} — {self.organisation}"

    @property
    def organisation(self) -> Organisation:
        return self.devis.organisation

    def get_absolute_url(self) -> str:
        return reverse("crm:mission", args=[self.pk])


# --- Technical records --------------------------------------------------------------------------


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
