from django.urls import path

from tests.appli_exemple import views

app_name = "appli_exemple"
urlpatterns = [
    path("", views.notes, name="notes"),
    path("organisations/<int:pk>/relire/", views.relire, name="relire"),
]
