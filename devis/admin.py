"""Admin of quotes: devis and lines, the one relance, agreements, the standard template.

A quote's numbering, sending, answer and « sans suite » dates are set by ``devis.services`` and
the daily rules (PROC-020 §3.4): they are read-only here, and the lines of a quote that has left
the draft stage cannot be changed (a sent quote is revised into a new version instead).
"""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from crm.admin import LectureSeule, LigneUnique, SansSuppression
from devis.models import (
    Accord,
    Devis,
    LigneDevis,
    LigneModele,
    ModeleDevis,
    MotifRefus,
    QuestionClient,
    Relance,
    StatutDevis,
)


class LigneDevisInline(SansSuppression, admin.TabularInline):
    model = LigneDevis
    extra = 0
    fields = ["ordre", "designation", "quantite", "unite", "prix_unitaire_ht", "montant"]
    readonly_fields = ["montant"]

    def _modifiable(self, obj) -> bool:
        return obj is None or obj.statut == StatutDevis.BROUILLON

    def has_add_permission(self, request, obj=None) -> bool:
        return self._modifiable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._modifiable(obj) and super().has_change_permission(request, obj)

    @admin.display(description="montant HT")
    def montant(self, ligne: LigneDevis):
        return ligne.montant_ht if ligne.pk else "—"


# The follow-up dates and the answer are written by the services only (sending, relances, answers):
# read-only in the admin, and shown together in the « Suivi » section.
SUIVI_PAR_LES_SERVICES = [
    "envoye_le",
    "relance_due_le",
    "sans_suite_le",
    "classe_sans_suite_le",
    "reponse",
    "reponse_le",
]


@admin.register(Devis)
class DevisAdmin(SansSuppression, SimpleHistoryAdmin):
    list_display = [
        "reference_affichee",
        "objet",
        "organisation",
        "statut",
        "total_ht_affiche",
        "envoye_le",
        "relance_due_le",
        "sans_suite_le",
        "reponse_le",
    ]
    list_select_related = ["organisation"]
    list_filter = ["statut", "reponse", "motif_refus", "version"]
    search_fields = ["numero", "objet", "organisation__raison_sociale", "contact__nom"]
    date_hierarchy = "envoye_le"
    autocomplete_fields = ["organisation", "contact", "demande", "cree_par"]
    readonly_fields = [
        "numero",
        "version",
        "remplace",
        "statut",
        *SUIVI_PAR_LES_SERVICES,
        "total_ht_affiche",
        "cree_le",
        "modifie_le",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "numero",
                    "version",
                    "remplace",
                    "statut",
                    "organisation",
                    "contact",
                    "demande",
                    "objet",
                ]
            },
        ),
        (
            "Sections du devis",
            {"fields": ["contexte", "methodologie", "tests", "delai", "conditions"]},
        ),
        ("Prix", {"fields": ["validite_jours", "taux_tva", "total_ht_affiche"]}),
        (
            "Suivi (PROC-020 §3.4)",
            {
                "fields": [
                    *SUIVI_PAR_LES_SERVICES,
                    "motif_refus",
                    "commentaire_reponse",
                ]
            },
        ),
        (None, {"fields": ["cree_par", "cree_le", "modifie_le"]}),
    ]
    inlines = [LigneDevisInline]

    # Once sent, the quote is the ISO record of what the client received (PROC-020 §4): only
    # the answer's comment and the refusal reason may still be completed.
    MODIFIABLES_APRES_ENVOI = ("motif_refus", "commentaire_reponse")

    def get_readonly_fields(self, request, obj=None):
        if obj is None or obj.statut == StatutDevis.BROUILLON:
            return self.readonly_fields
        champs = [nom for bloc in self.fieldsets for nom in bloc[1]["fields"]]
        return [nom for nom in champs if nom not in self.MODIFIABLES_APRES_ENVOI]

    def get_queryset(self, request):
        return super().get_queryset(request).avec_totaux()

    @admin.display(description="référence", ordering="numero")
    def reference_affichee(self, obj: Devis) -> str:
        return obj.reference

    @admin.display(description="total HT (€)", ordering="total_ht_annote")
    def total_ht_affiche(self, obj: Devis):
        return obj.total_ht


@admin.register(Relance)
class RelanceAdmin(SansSuppression, SimpleHistoryAdmin):
    list_display = ["devis", "organisation", "due_le", "faite_le", "mode", "par"]
    list_select_related = ["devis__organisation", "par"]
    list_filter = ["mode", ("faite_le", admin.EmptyFieldListFilter)]
    search_fields = ["devis__numero", "devis__organisation__raison_sociale", "note"]
    date_hierarchy = "due_le"
    # One relance per devis, created by rule R1 or by recording it (enregistrer_relance).
    readonly_fields = ["devis", "due_le", "faite_le", "mode", "par", "cree_le", "modifie_le"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="organisation", ordering="devis__organisation__raison_sociale")
    def organisation(self, obj: Relance):
        return obj.devis.organisation


@admin.register(Accord)
class AccordAdmin(SansSuppression, SimpleHistoryAdmin):
    list_display = [
        "devis",
        "type",
        "recu_le",
        "reference_client",
        "revue_le",
        "conforme",
        "revue_par",
    ]
    list_select_related = ["devis", "revue_par"]
    list_filter = ["type", "prix_conforme", "conditions_conformes"]
    search_fields = [
        "devis__numero",
        "devis__organisation__raison_sociale",
        "reference_client",
        "signataire_nom",
    ]
    date_hierarchy = "recu_le"
    readonly_fields = [
        "devis",
        "revue_le",
        "revue_par",
        "signataire_nom",
        "signataire_fonction",
        "ip",
        "navigateur",
        "empreinte_pdf",
        "cree_le",
        "modifie_le",
    ]

    def has_add_permission(self, request) -> bool:
        # Recorded from the quote's page (enregistrer_accord), which also accepts the quote.
        return False

    @admin.display(description="revue conforme", boolean=True)
    def conforme(self, obj: Accord) -> bool | None:
        return obj.revue_conforme if obj.revue_faite else None


class LigneModeleInline(SansSuppression, admin.TabularInline):
    model = LigneModele
    extra = 0
    fields = ["ordre", "designation", "quantite", "unite", "prix_unitaire_ht"]


@admin.register(ModeleDevis)
class ModeleDevisAdmin(LigneUnique, SimpleHistoryAdmin):
    list_display = ["nom", "validite_jours", "taux_tva"]
    fieldsets = [
        (None, {"fields": ["nom", "validite_jours", "taux_tva"]}),
        (
            "Sections par défaut",
            {"fields": ["contexte", "methodologie", "tests", "delai", "conditions"]},
        ),
        ("Emails", {"fields": ["email_sujet", "email_corps", "relance_sujet", "relance_corps"]}),
    ]
    inlines = [LigneModeleInline]


@admin.register(MotifRefus)
class MotifRefusAdmin(SansSuppression, admin.ModelAdmin):
    list_display = ["libelle", "actif"]
    list_editable = ["actif"]
    list_filter = ["actif"]
    search_fields = ["libelle"]


@admin.register(QuestionClient)
class QuestionClientAdmin(LectureSeule, SimpleHistoryAdmin):
    """Questions asked from the quote's public page: written by the client, read here."""

    list_display = ["posee_le", "devis", "nom", "message_court"]
    list_select_related = ["devis"]
    date_hierarchy = "posee_le"
    search_fields = ["devis__numero", "nom", "message"]

    @admin.display(description="question")
    def message_court(self, q: QuestionClient) -> str:
        return q.message if len(q.message) <= 80 else q.message[:79] + "…"
