from django.apps import AppConfig


class AppliExempleConfig(AppConfig):
    name = "tests.appli_exemple"
    label = "appli_exemple"
    verbose_name = "Appli d'exemple (tests)"
    default_auto_field = "django.db.models.BigAutoField"
