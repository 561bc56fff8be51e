from django.apps import AppConfig


class ReclamationsConfig(AppConfig):
    name = "reclamations"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Réclamations"
