from __future__ import annotations

from django.urls import path

from reclamations import views

app_name = "reclamations"
urlpatterns = [
    path("", views.liste, name="liste"),
    path("tableau-de-bord/", views.tableau, name="tableau"),
    path("nouvelle/", views.creer, name="creer"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/accuse/", views.accuser, name="accuser"),
    path("<int:pk>/qualification/", views.qualifier, name="qualifier"),
    path("<int:pk>/reponse/", views.repondre, name="repondre"),
    path("<int:pk>/cloture/", views.clore, name="clore"),
    path("<int:pk>/reouverture/", views.rouvrir, name="rouvrir"),
    path("<int:pk>/actions/nouvelle/", views.action_creer, name="action_creer"),
    path("actions/", views.actions, name="actions"),
    path("actions/nouvelle/", views.action_creer, name="action_creer_seule"),
    path("actions/<int:pk>/suivi/", views.action_suivre, name="action_suivre"),
]
