"""The gérant manages the second-factor devices in the admin (issue 16): sees who enrolled,
revokes a lost phone (delete), resets recovery codes. Consultants get nothing here."""

from django.db import migrations

from crm.roles import GERANT, accorder_permissions

TOUT = ["view", "add", "change", "delete"]


def accorder(apps, schema_editor):
    accorder_permissions(apps, GERANT, "otp_totp", {"totpdevice": TOUT})
    accorder_permissions(apps, GERANT, "otp_static", {"staticdevice": TOUT, "statictoken": TOUT})


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0004_demande_index_recue_le"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]
    operations = [migrations.RunPython(accorder, migrations.RunPython.noop)]
