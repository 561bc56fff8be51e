from __future__ import annotations

from django.urls import path

from satisfaction import views

app_name = "satisfaction"
urlpatterns = [
    path("", views.tableau, name="tableau"),
    path("enquete/<str:jeton>/", views.enquete_publique, name="enquete_publique"),
    path("missions/<int:pk>/debrief/", views.debrief, name="debrief"),
    path(
        "missions/<int:pk>/debrief/demande/",
        views.demande_depuis_debrief,
        name="demande_depuis_debrief",
    ),
    path("missions/<int:pk>/enquete/", views.envoyer_enquete, name="envoyer_enquete"),
]
