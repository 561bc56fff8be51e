"""The gérant reads the RGPD journal and the flags in the admin (nobody changes them there)."""

from django.db import migrations

from crm.roles import GERANT, LIRE, accorder_permissions


def creer(apps, schema_editor):
    accorder_permissions(apps, GERANT, "rgpd", {"journalrgpd": LIRE, "signalement": LIRE})


class Migration(migrations.Migration):
    dependencies = [
        ("rgpd", "0001_initial"),
        ("crm", "0003_groupes_et_donnees"),
    ]

    operations = [migrations.RunPython(creer, migrations.RunPython.noop)]
