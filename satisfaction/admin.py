"""Admin of debriefs and satisfaction surveys (PROC-020 §3.6).

A client's answer to a survey is their own record: it is shown, never edited. Nothing is deleted.
"""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from crm.admin import SansSuppression
from satisfaction.models import Debrief, Enquete, Reponse


@admin.register(Debrief)
class DebriefAdmin(SansSuppression, SimpleHistoryAdmin):
    list_display = ["mission", "organisation", "le", "reponse", "par", "demande_creee"]
    list_select_related = ["mission__devis__organisation", "par", "demande_creee__organisation"]
    list_filter = ["reponse", "par"]
    search_fields = [
        "mission__devis__objet",
        "mission__devis__organisation__raison_sociale",
        "verbatim",
        "signaux_faibles",
        "besoins_futurs",
    ]
    date_hierarchy = "le"
    autocomplete_fields = ["par"]
    readonly_fields = ["mission", "demande_creee", "cree_le", "modifie_le"]

    def has_add_permission(self, request) -> bool:
        # Logged from the mission's page (enregistrer_debrief), which alerts the gérant.
        return False

    @admin.display(
        description="organisation", ordering="mission__devis__organisation__raison_sociale"
    )
    def organisation(self, obj: Debrief):
        return obj.mission.devis.organisation


# Shown, never edited: the client's own answer (a tuple, as the admin's stubs want for both).
CHAMPS_REPONSE = (
    "satisfaction",
    "recommandation",
    "effort",
    "commentaire",
    "consentement_citation",
    "repondue_le",
)


class ReponseInline(admin.StackedInline):
    model = Reponse
    extra = 0
    max_num = 1
    fields = CHAMPS_REPONSE
    readonly_fields = CHAMPS_REPONSE

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Enquete)
class EnqueteAdmin(SansSuppression, SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "mission",
        "creee_le",
        "envoyee_le",
        "relancee_le",
        "expire_le",
        "repondue_affiche",
    ]
    list_select_related = ["contact", "mission__devis__organisation", "reponse"]
    list_filter = ["envoyee_le", "expire_le"]
    search_fields = [
        "contact__nom",
        "contact__prenom",
        "contact__organisation__raison_sociale",
        "mission__devis__objet",
    ]
    date_hierarchy = "creee_le"
    autocomplete_fields = ["mission", "contact"]
    readonly_fields = ["envoyee_le", "relancee_le", "cree_le", "modifie_le"]
    inlines = [ReponseInline]

    @admin.display(description="répondue", boolean=True)
    def repondue_affiche(self, obj: Enquete) -> bool:
        return obj.repondue


@admin.register(Reponse)
class ReponseAdmin(admin.ModelAdmin):
    list_display = [
        "enquete",
        "satisfaction",
        "recommandation",
        "effort",
        "repondue_le",
        "consentement_citation",
    ]
    list_select_related = ["enquete__contact"]
    list_filter = ["satisfaction", "recommandation", "consentement_citation"]
    search_fields = [
        "commentaire",
        "enquete__contact__nom",
        "enquete__contact__organisation__raison_sociale",
    ]
    date_hierarchy = "repondue_le"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
