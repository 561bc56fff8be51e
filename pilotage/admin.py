"""Admin of the private calendar links: seen, and revoked by deletion (the user makes a new one
from « Mon agenda »). The token itself is never stored, only its SHA-256."""

from __future__ import annotations

from django.contrib import admin

from pilotage.models import JetonCalendrier


@admin.register(JetonCalendrier)
class JetonCalendrierAdmin(admin.ModelAdmin):
    list_display = ["user", "cree_le"]
    list_select_related = ["user"]
    fields = ["user", "cree_le"]
    readonly_fields = ["user", "cree_le"]
    search_fields = ["user__username", "user__last_name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
