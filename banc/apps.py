from django.apps import AppConfig


class BancConfig(AppConfig):
    """The benchmark (`manage.py bench --json`) and the load scenario: measures, never serves."""

    name = "banc"
    verbose_name = "Banc d'essai"
