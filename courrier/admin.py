from django.contrib import admin

from courrier.models import EtatBoite, MessageRecu, PieceJointeRecue


class PieceInline(admin.TabularInline):
    model = PieceJointeRecue
    extra = 0
    readonly_fields = ["nom", "type_mime", "taille", "refus"]
    exclude = ["fichier"]


@admin.register(MessageRecu)
class MessageRecuAdmin(admin.ModelAdmin):
    list_display = ["sujet", "expediteur", "statut", "envoye_le", "lu_le"]
    list_filter = ["statut"]
    search_fields = ["sujet", "expediteur"]
    readonly_fields = [f.name for f in MessageRecu._meta.fields]
    inlines = [PieceInline]


@admin.register(EtatBoite)
class EtatBoiteAdmin(admin.ModelAdmin):
    list_display = ["dossier", "dernier_uid", "derniere_reussite", "echecs", "en_echec_depuis"]
