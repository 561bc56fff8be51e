from django.apps import AppConfig


class CourrierConfig(AppConfig):
    name = "courrier"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Courrier entrant"
