"""Groups Gérant and Consultant (DESIGN §7) with the core's permissions, and the firm's identity."""

from django.db import migrations

from crm.roles import CONSULTANT, GERANT, LIRE, LIRE_ECRIRE, accorder_permissions

MODELES = [
    "organisation",
    "contact",
    "interaction",
    "demande",
    "revuefaisabilite",
    "mission",
    "entreprise",
]


def creer(apps, schema_editor):
    accorder_permissions(
        apps,
        GERANT,
        "crm",
        dict.fromkeys(MODELES, LIRE_ECRIRE) | {"emailenvoye": LIRE, "digesthebdo": LIRE},
    )
    accorder_permissions(apps, GERANT, "auth", {"user": LIRE_ECRIRE})
    accorder_permissions(
        apps,
        CONSULTANT,
        "crm",
        {
            "organisation": LIRE,
            "contact": LIRE,
            "demande": LIRE,
            "mission": LIRE,
            "interaction": LIRE_ECRIRE,
        },
    )
    Entreprise = apps.get_model("crm", "Entreprise")
    if not Entreprise.objects.exists():
        Entreprise.objects.create(
            raison_sociale="IOD",
            forme_juridique="SARL",
            adresse="12 rue de la Paix",
            code_postal="75002",
            ville="Paris",
            email="contact@iod.example",
            signataire="Le gérant",
            mentions="Conditions de paiement : 30 jours à réception de facture. Pas d'escompte pour paiement anticipé.",
        )


class Migration(migrations.Migration):
    dependencies = [("crm", "0002_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(creer, migrations.RunPython.noop)]
