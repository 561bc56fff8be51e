from django.apps import AppConfig


class DevisConfig(AppConfig):
    name = "devis"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Devis"

    def ready(self) -> None:
        from crm.public import GenreLien, enregistrer_lien

        def chemin(devis) -> str:
            from devis.services import lien_acceptation

            return lien_acceptation(devis)

        def devis():
            from devis.models import Devis

            return Devis.objects.all()

        # Stored emails keep « [lien client devis <id>] » instead of the client's link.
        enregistrer_lien(GenreLien("devis", nom_url="devis:public", queryset=devis, chemin=chemin))
