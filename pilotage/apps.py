from django.apps import AppConfig


class PilotageConfig(AppConfig):
    """Dashboard, management review, audit file, imports and exports, calendar feeds: reads
    across every app, so it depends on all of them and nothing depends on it."""

    name = "pilotage"
    verbose_name = "Pilotage"
    default_auto_field = "django.db.models.BigAutoField"
