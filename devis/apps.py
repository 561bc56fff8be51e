from django.apps import AppConfig


class DevisConfig(AppConfig):
    name = "devis"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Devis"
