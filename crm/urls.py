from __future__ import annotations

from pathlib import Path

from django.apps import AppConfig, apps
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.module_loading import module_has_submodule

from crm import double_facteur, views, vues_recherche, vues_taches
from crm.forms import ConnexionForm
from crm.reinitialisation import ReinitialisationView

app_urls = (
    [
        path("organisations/", views.organisations, name="organisations"),
        path("organisations/<int:pk>/", views.organisation, name="organisation"),
        path("organisations/nouvelle/", views.organisation_creer, name="organisation_creer"),
        path(
            "organisations/<int:pk>/modifier/",
            views.organisation_modifier,
            name="organisation_modifier",
        ),
        path("organisations/<int:pk>/contacts/nouveau/", views.contact_creer, name="contact_creer"),
        path(
            "organisations/<int:pk>/echanges/nouveau/",
            views.interaction_creer,
            name="interaction_creer",
        ),
        path("demandes/nouvelle/", views.demande_creer, name="demande_creer"),
        path("demandes/<int:pk>/fiche-de-poste/", views.demande_fiche, name="demande_fiche"),
        path("demandes/", views.demandes, name="demandes"),
        path("demandes/<int:pk>/", views.demande, name="demande"),
        path("demandes/<int:pk>/revue/", views.revue, name="revue"),
        path("missions/", views.missions, name="missions"),
        path("missions/<int:pk>/", views.mission, name="mission"),
        path("missions/<int:pk>/statut/", views.mission_statut, name="mission_statut"),
        path("digest/apercu/", views.apercu_digest, name="apercu_digest"),
        path("parametres/entreprise/", views.entreprise, name="entreprise"),
        path("taches/nouvelle/", vues_taches.tache_creer, name="tache_creer"),
        path("taches/<int:pk>/fait/", vues_taches.tache_terminer, name="tache_terminer"),
        path("recherche/", vues_recherche.recherche, name="recherche"),
    ],
    "crm",
)

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path(
        "connexion/",
        auth_views.LoginView.as_view(
            authentication_form=ConnexionForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    # The second factor: the step after the password, and setting it up.
    path("compte/verification/", double_facteur.verification, name="double_facteur_verification"),
    path("compte/double-facteur/", double_facteur.enrolement, name="double_facteur"),
    path(
        "mot-de-passe/oubli/",
        ReinitialisationView.as_view(),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/reinitialiser/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/reinitialise/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "mot-de-passe/changer/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "mot-de-passe/change/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("", include(app_urls)),
    path("admin/", admin.site.urls),
]


def _applis_du_projet() -> list[AppConfig]:
    """The project's own apps (not installed packages) that have pages: each brings them under
    its label (``/devis/``, ``/reclamations/``…; its urls.py sets ``app_name``), so adding an
    app edits nothing here."""
    return [
        config
        for config in apps.get_app_configs()
        if config.name != "crm"
        and not {"site-packages", "dist-packages"} & set(Path(config.path).parts)
        and module_has_submodule(config.module, "urls")
    ]


urlpatterns += [path(f"{c.label}/", include(f"{c.name}.urls")) for c in _applis_du_projet()]

admin.site.site_header = "IOD — administration du CRM"
admin.site.site_title = "IOD CRM"
admin.site.index_title = "Administration"
