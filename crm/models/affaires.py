"""The affairs of PROC-020 in the core: requests at J0, feasibility reviews, missions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from crm.models.relations import Organisation, contact_facultatif
from crm.models.socle import Horodate, chemin_aleatoire

if TYPE_CHECKING:
    from crm.extensions import Utilisateur


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


def _chemin_fiche(instance: Demande, filename: str) -> str:
    return chemin_aleatoire("demandes", filename)


class Demande(Horodate):
    organisation = models.ForeignKey(
        Organisation, verbose_name="organisation", on_delete=models.PROTECT, related_name="demandes"
    )
    contact = contact_facultatif(related_name="demandes")
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


class MissionQuerySet(models.QuerySet["Mission"]):
    def pour_utilisateur(self, user: Utilisateur) -> MissionQuerySet:
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
