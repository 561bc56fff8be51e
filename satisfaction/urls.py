from __future__ import annotations

from django.urls import path

from satisfaction import views

app_name = "satisfaction"
urlpatterns = [
    path("", views.tableau, name="tableau"),
    path("enquete/<str:jeton>/", views.enquete_publique, name="enquete_publique"),
]
