from django.apps import AppConfig


class RgpdConfig(AppConfig):
    """Personal data (CNIL « gestion commerciale »): retention, export, erasure, opt-out."""

    name = "rgpd"
    verbose_name = "RGPD"
    default_auto_field = "django.db.models.BigAutoField"
