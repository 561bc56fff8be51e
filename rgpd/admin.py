"""RGPD records in the admin: read only (the log is evidence; flags move by the daily rule)."""

from __future__ import annotations

from django.contrib import admin

from rgpd.models import JournalRGPD, Signalement


class LectureSeule(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(JournalRGPD)
class JournalRGPDAdmin(LectureSeule):
    list_display = ["le", "action", "cible_type", "cible_id", "par"]
    list_filter = ["action", "cible_type"]
    date_hierarchy = "le"


@admin.register(Signalement)
class SignalementAdmin(LectureSeule):
    list_display = ["organisation", "signale_le", "dernier_contact_le", "statut", "clos_le"]
    list_filter = ["statut"]
    list_select_related = ["organisation"]
