from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = "Relation commerciale"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from crm import (
            double_facteur,  # noqa: F401 - connects its user_logged_in receiver
            extensions,
        )
        from crm.celery import preparer_dossiers

        # The filesystem broker (embedded default) needs its folders before anyone enqueues.
        preparer_dossiers()
        # Every app's contributions (rules, sections, menu…), found once, as the admin does.
        # The core's own dashboard figures, audit pieces, exports and calendar entries live in
        # modules of their own (``crm.extensions`` is the registry itself).
        from crm import (  # noqa: F401
            agenda,
            audit,
            donnees_personnelles,
            exports,
            sources_recherche,
            tableau,
            taches,
        )

        extensions.decouvrir()
