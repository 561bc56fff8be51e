from __future__ import annotations

from django.urls import path

from reclamations import views

app_name = "reclamations"
urlpatterns = [
    path("", views.liste, name="liste"),
    path("<int:pk>/", views.detail, name="detail"),
]
