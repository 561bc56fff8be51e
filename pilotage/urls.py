from __future__ import annotations

from django.urls import path

from pilotage import views, vues_travaux

app_name = "pilotage"
urlpatterns = [
    path("", views.tableau, name="tableau"),
    path("revue-de-direction/", views.revue_direction, name="revue_direction"),
    path("dossier-audit/", views.dossier_audit, name="dossier_audit"),
    path("import/", views.import_televerser, name="import"),
    path("import/apercu/", views.import_apercu, name="import_apercu"),
    path("import/confirmer/", views.import_confirmer, name="import_confirmer"),
    path("exports/", views.exports_page, name="exports"),
    path("exports/<slug:liste>/", views.export_liste, name="export"),
    path(
        "exports/organisations/<int:pk>/dossier/",
        views.export_dossier_client,
        name="dossier_client",
    ),
    path("fichiers/", vues_travaux.mes_fichiers, name="travaux"),
    path("fichiers/<int:pk>/", vues_travaux.travail, name="travail"),
    path("fichiers/<int:pk>/telecharger/", vues_travaux.travail_fichier, name="travail_fichier"),
    path("agenda/", views.mon_agenda, name="agenda"),
    path("agenda/nouveau-lien/", views.agenda_renouveler, name="agenda_renouveler"),
    path("agenda/<str:jeton>.ics", views.agenda_ics, name="agenda_ics"),
]
