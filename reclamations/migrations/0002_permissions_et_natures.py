from django.db import migrations

from crm.roles import CONSULTANT, GERANT, LIRE, LIRE_ECRIRE, accorder_permissions

NATURES = [
    "Qualité de la prestation",
    "Délai",
    "Comportement",
    "Confidentialité / déontologie",
    "Facturation",
    "Autre",
]


def creer(apps, schema_editor):
    accorder_permissions(
        apps,
        GERANT,
        "reclamations",
        {"reclamation": LIRE_ECRIRE, "action": LIRE_ECRIRE, "naturereclamation": LIRE_ECRIRE},
    )
    accorder_permissions(
        apps,
        CONSULTANT,
        "reclamations",
        {"reclamation": ["view", "add"], "naturereclamation": LIRE},
    )
    Nature = apps.get_model("reclamations", "NatureReclamation")
    for libelle in NATURES:
        Nature.objects.get_or_create(libelle=libelle)


class Migration(migrations.Migration):
    dependencies = [("reclamations", "0001_initial"), ("crm", "0003_groupes_et_donnees")]
    operations = [migrations.RunPython(creer, migrations.RunPython.noop)]
