from __future__ import annotations

from django.urls import path

from devis import views, vues_suivi

app_name = "devis"
urlpatterns = [
    path("", views.liste, name="liste"),
    path("modele/", views.modele, name="modele"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.modifier, name="modifier"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
    path("<int:pk>/envoyer/", views.envoyer, name="envoyer"),
    path("<int:pk>/reponse/", views.reponse, name="reponse"),
    path("<int:pk>/relance/", views.relance, name="relance"),
    path("<int:pk>/relance/reporter/", vues_suivi.reporter, name="reporter_relance"),
    path("<int:pk>/reviser/", views.reviser, name="reviser"),
    path("<int:pk>/accord/", views.accord, name="accord"),
    path("<int:pk>/accord/document/", views.accord_document, name="accord_document"),
    path("<int:pk>/revue-de-contrat/", views.revue_contrat, name="revue_contrat"),
    path("<int:pk>/lancer/", views.lancer, name="lancer"),
    path(
        "depuis-demande/<int:demande_pk>/", views.creer_depuis_demande, name="creer_depuis_demande"
    ),
    path("client/<str:jeton>/", views.public, name="public"),
]
