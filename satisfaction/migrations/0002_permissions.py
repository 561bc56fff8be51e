from django.db import migrations

from crm.roles import CONSULTANT, GERANT, LIRE, LIRE_ECRIRE, accorder_permissions


def creer(apps, schema_editor):
    accorder_permissions(
        apps,
        GERANT,
        "satisfaction",
        {"debrief": LIRE_ECRIRE, "enquete": LIRE_ECRIRE, "reponse": LIRE},
    )
    accorder_permissions(apps, CONSULTANT, "satisfaction", {"debrief": LIRE_ECRIRE})


class Migration(migrations.Migration):
    dependencies = [("satisfaction", "0001_initial"), ("crm", "0003_groupes_et_donnees")]
    operations = [migrations.RunPython(creer, migrations.RunPython.noop)]
