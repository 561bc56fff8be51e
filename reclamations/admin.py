"""Admin of complaints and corrective / preventive actions (ISO 9001 §10.2).

The number, the deadlines and the phase dates are set by ``reclamations.services`` (six phases,
in order): read-only here. Nothing is deleted.
"""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from crm.admin import SansSuppression
from reclamations.models import Action, NatureReclamation, Reclamation


class ActionInline(SansSuppression, admin.TabularInline):
    model = Action
    extra = 0
    fields = [
        "type",
        "description",
        "responsable",
        "echeance",
        "statut",
        "realisee_le",
        "efficacite_verifiee",
    ]
    autocomplete_fields = ["responsable"]
    show_change_link = True


@admin.register(Reclamation)
class ReclamationAdmin(SansSuppression, SimpleHistoryAdmin):
    list_display = [
        "numero",
        "organisation",
        "recue_le",
        "nature",
        "gravite",
        "statut",
        "accuse_du_le",
        "accuse_le",
        "reponse_due_le",
        "repondue_le",
        "close_le",
    ]
    list_select_related = ["organisation", "nature"]
    list_filter = [
        "statut",
        "gravite",
        "nature",
        "canal",
        "fondee",
        "compensation",
        "client_satisfait",
    ]
    search_fields = [
        "numero",
        "organisation__raison_sociale",
        "contact__nom",
        "description",
        "analyse",
        "reponse",
    ]
    date_hierarchy = "recue_le"
    autocomplete_fields = [
        "organisation",
        "contact",
        "mission",
        "devis",
        "recue_par",
        "responsable",
    ]
    readonly_fields = [
        "numero",
        "statut",
        "accuse_du_le",
        "accuse_le",
        "accuse_mode",
        "reponse_due_le",
        "repondue_le",
        "close_le",
        "cree_le",
        "modifie_le",
    ]
    fieldsets = [
        (
            "Recueil",
            {
                "fields": [
                    "numero",
                    "statut",
                    "organisation",
                    "contact",
                    "mission",
                    "devis",
                    "recue_le",
                    "canal",
                    "recue_par",
                ]
            },
        ),
        (
            "Enregistrement",
            {"fields": ["nature", "gravite", "description", "fondee", "analyse", "responsable"]},
        ),
        ("Délais", {"fields": ["accuse_du_le", "accuse_le", "accuse_mode", "reponse_due_le"]}),
        (
            "Résolution",
            {"fields": ["reponse", "repondue_le", "compensation", "montant_compensation"]},
        ),
        (
            "Clôture et suivi",
            {"fields": ["close_le", "client_satisfait", "verification_satisfaction"]},
        ),
        (None, {"fields": ["cree_le", "modifie_le"]}),
    ]
    inlines = [ActionInline]

    def has_add_permission(self, request) -> bool:
        # Recorded through the app (enregistrer_reclamation): number and deadlines come with it.
        return False


@admin.register(Action)
class ActionAdmin(SansSuppression, SimpleHistoryAdmin):
    list_display = [
        "description_courte",
        "type",
        "reclamation",
        "responsable",
        "echeance",
        "statut",
        "realisee_le",
        "efficacite_verifiee",
    ]
    list_select_related = ["reclamation__organisation", "responsable"]
    list_filter = ["type", "statut", "efficacite_verifiee", "responsable"]
    search_fields = ["description", "efficacite_commentaire", "reclamation__numero"]
    date_hierarchy = "echeance"
    autocomplete_fields = ["reclamation", "responsable"]
    readonly_fields = ["cree_le", "modifie_le"]

    @admin.display(description="description")
    def description_courte(self, obj: Action) -> str:
        return obj.description if len(obj.description) <= 80 else obj.description[:79] + "…"


@admin.register(NatureReclamation)
class NatureReclamationAdmin(SansSuppression, admin.ModelAdmin):
    list_display = ["libelle", "actif"]
    list_editable = ["actif"]
    list_filter = ["actif"]
    search_fields = ["libelle"]
