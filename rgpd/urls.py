from __future__ import annotations

from django.urls import path

from rgpd import views

app_name = "rgpd"
urlpatterns = [
    path("", views.tableau, name="tableau"),
    path("contacts/<int:pk>/", views.contact, name="contact"),
    path("contacts/<int:pk>/export.json", views.export_json, name="export_json"),
    path("contacts/<int:pk>/export.csv", views.export_csv, name="export_csv"),
    path("contacts/<int:pk>/effacer/", views.effacer, name="effacer"),
    path("contacts/<int:pk>/opposition/", views.opposition_contact, name="opposition_contact"),
    path(
        "organisations/<int:pk>/opposition/",
        views.opposition_organisation,
        name="opposition_organisation",
    ),
]
