from django.apps import AppConfig


class RgpdConfig(AppConfig):
    """Personal data (CNIL « gestion commerciale »): retention, export, erasure, opt-out."""

    name = "rgpd"
    verbose_name = "RGPD"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from crm.signaux import avant_restauration
        from rgpd.restauration import preparer_rejeu

        avant_restauration.connect(preparer_rejeu, dispatch_uid="rgpd-rejeu-des-effacements")
