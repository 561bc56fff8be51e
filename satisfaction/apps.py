from django.apps import AppConfig


class SatisfactionConfig(AppConfig):
    name = "satisfaction"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Satisfaction"
