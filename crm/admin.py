"""Admin of the core (DESIGN §7–8): the gérant's escape hatch, in French.

Nothing is hard-deleted here (archive instead, PROC-020 §4 records); models with a history are
shown through ``SimpleHistoryAdmin`` so each change can be read with who and when. Workflow
fields (statuses, dates set by the services) are read-only: transitions go through the app's
pages, which call the services and their rules.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from crm.models import (
    COORDONNEES_ORGANISATION,
    Compteur,
    Contact,
    Demande,
    DigestHebdo,
    EmailEnvoye,
    Entreprise,
    Interaction,
    Mission,
    Organisation,
    RevueFaisabilite,
    Tache,
)


class SansSuppression:
    """Nothing is deleted through the admin: records are archived (PROC-020 §4, DESIGN §8)."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class LectureSeule(SansSuppression):
    """Technical records written by the app only (numbering, emails sent, digests)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# Addresses typed without a scheme are websites of today: https (Django 6 default, no warning).
URL_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class LigneUnique(SansSuppression):
    """Single-row settings (the firm's identity, the quote template): no second row."""

    model: type[models.Model]  # given by the ModelAdmin this mixes into

    def has_add_permission(self, request) -> bool:
        return not self.model._default_manager.exists()


# --- Firm identity -------------------------------------------------------------------------------


@admin.register(Entreprise)
class EntrepriseAdmin(LigneUnique, SimpleHistoryAdmin):
    formfield_overrides = URL_HTTPS
    list_display = ["raison_sociale", "forme_juridique", "ville", "siret", "email", "telephone"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "raison_sociale",
                    "forme_juridique",
                    "capital",
                    "siret",
                    "tva_intracommunautaire",
                ]
            },
        ),
        (
            "Coordonnées",
            {"fields": ["adresse", "code_postal", "ville", "telephone", "email", "site_web"]},
        ),
        ("Devis", {"fields": ["logo", "signataire", "mentions"]}),
    ]


# --- Organisations and people --------------------------------------------------------------------


class ContactInline(SansSuppression, admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["civilite", "prenom", "nom", "fonction", "email", "telephone", "mobile", "archive"]
    show_change_link = True


@admin.register(Organisation)
class OrganisationAdmin(SansSuppression, SimpleHistoryAdmin):
    formfield_overrides = URL_HTTPS
    list_display = [
        "raison_sociale",
        "ville",
        "secteur",
        "source",
        "recommande_par",
        "client",
        "cle",
        "frequence_point_jours",
        "responsable",
        "archivee",
    ]
    list_select_related = ["recommande_par", "responsable"]
    list_filter = ["cle", "source", "archivee", "ne_pas_prospecter", "responsable", "secteur"]
    search_fields = ["raison_sociale", "siret", "ville", "code_postal", "secteur", "notes"]
    autocomplete_fields = ["recommande_par", "responsable"]
    readonly_fields = ["cree_le", "modifie_le"]
    inlines = [ContactInline]
    fieldsets = [
        (None, {"fields": ["raison_sociale", "siret", "secteur", "responsable"]}),
        ("Coordonnées", {"fields": list(COORDONNEES_ORGANISATION)}),
        ("Origine", {"fields": ["source", "recommande_par", "recommande_par_personne"]}),
        ("Fidélisation", {"fields": ["cle", "frequence_point_jours", "ne_pas_prospecter"]}),
        (None, {"fields": ["notes", "archivee", "cree_le", "modifie_le"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).avec_statut()

    @admin.display(description="client", boolean=True, ordering="est_client_annote")
    def client(self, obj: Organisation) -> bool:
        return obj.est_client


@admin.register(Contact)
class ContactAdmin(SansSuppression, SimpleHistoryAdmin):
    list_display = [
        "nom",
        "prenom",
        "civilite",
        "organisation",
        "fonction",
        "email",
        "telephone",
        "archive",
    ]
    list_display_links = ["nom", "prenom"]
    list_select_related = ["organisation"]
    list_filter = ["archive", "ne_pas_prospecter", "civilite"]
    search_fields = ["nom", "prenom", "email", "fonction", "organisation__raison_sociale"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["cree_le", "modifie_le"]


@admin.register(Interaction)
class InteractionAdmin(SansSuppression, SimpleHistoryAdmin):
    list_display = ["date", "type", "organisation", "contact", "auteur", "resume_court"]
    list_select_related = ["organisation", "contact", "auteur"]
    list_filter = ["type", "auteur"]
    search_fields = ["resume", "organisation__raison_sociale", "contact__nom"]
    date_hierarchy = "date"
    autocomplete_fields = ["organisation", "contact", "auteur"]
    readonly_fields = ["cree_le", "modifie_le"]

    @admin.display(description="résumé")
    def resume_court(self, obj: Interaction) -> str:
        return obj.resume if len(obj.resume) <= 80 else obj.resume[:79] + "…"


# --- Demandes and feasibility ----------------------------------------------------------------------


@admin.register(Demande)
class DemandeAdmin(SansSuppression, SimpleHistoryAdmin):
    list_display = [
        "recue_le",
        "organisation",
        "contact",
        "contexte",
        "type_prestation",
        "canal",
        "statut",
        "qualifiee_le",
        "responsable",
    ]
    list_select_related = ["organisation", "contact", "responsable"]
    list_filter = ["statut", "contexte", "type_prestation", "canal", "responsable"]
    search_fields = [
        "description",
        "profil_attendu",
        "organisation__raison_sociale",
        "contact__nom",
    ]
    date_hierarchy = "recue_le"
    autocomplete_fields = ["organisation", "contact", "responsable"]
    # The outcome is set by the feasibility review (crm.services.decider_faisabilite).
    readonly_fields = ["statut", "qualifiee_le", "cree_le", "modifie_le"]


@admin.register(RevueFaisabilite)
class RevueFaisabiliteAdmin(SansSuppression, SimpleHistoryAdmin):
    list_display = [
        "demande",
        "decision",
        "suite",
        "partenaire",
        "competence",
        "disponibilite",
        "independance",
        "decidee_le",
        "par",
    ]
    list_select_related = ["demande__organisation", "par"]
    list_filter = ["decision", "suite", "competence", "disponibilite", "independance"]
    search_fields = ["demande__organisation__raison_sociale", "partenaire", "motif"]
    date_hierarchy = "decidee_le"
    # The decision and its consequence on the request are one service (decider_faisabilite).
    readonly_fields = ["demande", "decision", "suite", "decidee_le", "par", "cree_le", "modifie_le"]

    def has_add_permission(self, request) -> bool:
        return False


# --- Missions ----------------------------------------------------------------------------------------


@admin.register(Mission)
class MissionAdmin(SansSuppression, SimpleHistoryAdmin):
    list_display = ["__str__", "organisation", "debut", "fin", "statut", "liste_consultants"]
    list_select_related = ["devis__organisation"]
    list_filter = ["statut", "consultants"]
    search_fields = [
        "devis__objet",
        "devis__numero",
        "devis__organisation__raison_sociale",
        "notes",
    ]
    date_hierarchy = "debut"
    autocomplete_fields = ["consultants"]
    readonly_fields = ["devis", "cree_le", "modifie_le"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("consultants")

    def has_add_permission(self, request) -> bool:
        # A mission is launched from its accepted devis after the revue de contrat.
        return False

    @admin.display(description="organisation", ordering="devis__organisation__raison_sociale")
    def organisation(self, obj: Mission):
        return obj.devis.organisation

    @admin.display(description="consultants")
    def liste_consultants(self, obj: Mission) -> str:
        return ", ".join(u.get_full_name() or u.get_username() for u in obj.consultants.all())


# --- Technical records (read-only) ---------------------------------------------------------------------


@admin.register(Compteur)
class CompteurAdmin(LectureSeule, admin.ModelAdmin):
    list_display = ["prefixe", "annee", "dernier"]
    list_filter = ["prefixe", "annee"]
    ordering = ["prefixe", "-annee"]


@admin.register(EmailEnvoye)
class EmailEnvoyeAdmin(LectureSeule, admin.ModelAdmin):
    list_display = [
        "cree_le",
        "sujet",
        "destinataires",
        "motif",
        "statut",
        "tentatives",
        "envoye_le",
        "par",
    ]
    list_select_related = ["par"]
    list_filter = ["statut", "motif"]
    search_fields = ["sujet", "destinataires", "copie", "motif"]
    date_hierarchy = "cree_le"


@admin.register(DigestHebdo)
class DigestHebdoAdmin(LectureSeule, admin.ModelAdmin):
    list_display = ["utilisateur", "annee_iso", "semaine_iso", "statut", "email", "cree_le"]
    list_select_related = ["utilisateur", "email"]
    list_filter = ["statut", "annee_iso"]
    search_fields = ["utilisateur__username", "utilisateur__last_name", "utilisateur__email"]
    ordering = ["-annee_iso", "-semaine_iso", "utilisateur"]


@admin.register(Tache)
class TacheAdmin(SansSuppression, SimpleHistoryAdmin):
    list_display = ("titre", "echeance", "responsable", "rendez_vous", "content_type", "faite_le")
    list_filter = ("faite_le", "rendez_vous", "content_type")
    search_fields = ("titre",)
    date_hierarchy = "echeance"
    raw_id_fields = ("responsable", "creee_par")
    readonly_fields = ("cree_le", "modifie_le")
