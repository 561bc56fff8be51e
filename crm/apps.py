from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = "Relation commerciale"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from crm import double_facteur  # noqa: F401 - connects its user_logged_in receiver
        from crm.celery import preparer_dossiers

        # The filesystem broker (embedded default) needs its folders before anyone enqueues.
        preparer_dossiers()
