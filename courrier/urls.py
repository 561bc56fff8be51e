from django.urls import path

from courrier import views

app_name = "courrier"

urlpatterns = [
    path("a-classer/", views.a_classer, name="a_classer"),
    path("a-qualifier/", views.a_qualifier, name="a_qualifier"),
    path("messages/<int:pk>/classer/", views.classer, name="classer"),
    path("messages/<int:pk>/ignorer/", views.ignorer, name="ignorer"),
    path("messages/<int:pk>/demande/", views.creer_demande, name="creer_demande"),
    path("messages/<int:pk>/reporter/", views.reporter, name="reporter"),
    path("devis/<int:pk>/qualifier/", views.qualifier, name="qualifier"),
    path("devis/<int:pk>/reprendre/", views.reprendre, name="reprendre"),
    path("pieces/<int:pk>/", views.piece, name="piece"),
]
