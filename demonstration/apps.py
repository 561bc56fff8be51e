from django.apps import AppConfig


class DemonstrationConfig(AppConfig):
    """Demo data (`manage.py demo`): depends on every app, so it lives outside the core."""

    name = "demonstration"
    verbose_name = "Données de démonstration"
