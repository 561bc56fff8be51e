from django.apps import AppConfig


class SatisfactionConfig(AppConfig):
    name = "satisfaction"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Satisfaction"

    def ready(self) -> None:
        from crm.public import GenreLien, enregistrer_lien

        def enquetes():
            from satisfaction.models import Enquete

            return Enquete.objects.all()

        def chemin(enquete) -> str:
            return enquete.get_absolute_url()

        # Stored emails keep « [lien client enquete <id>] » instead of the survey's link.
        enregistrer_lien(
            GenreLien(
                "enquete",
                nom_url="satisfaction:enquete_publique",
                queryset=enquetes,
                chemin=chemin,
            )
        )
