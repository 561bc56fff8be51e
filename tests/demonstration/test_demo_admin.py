"""The demo data command (``manage.py demo``) and the admin pages it fills."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from crm.models import Demande, Interaction, Mission, Organisation, StatutDemande, valider_siret
from crm.roles import CONSULTANT, GERANT
from devis.models import Devis, StatutDevis
from reclamations.models import Reclamation
from satisfaction.models import Enquete, Reponse

# The command's own email alerts (debrief « non ») run after its commit, outside any transaction:
# the test database must not wrap the test in one. serialized_rollback restores the groups and
# reference rows created by data migrations, which a transactional test's flush removes.
pytestmark = pytest.mark.django_db(transaction=True)

APPS_DU_PROJET = {"crm", "devis", "reclamations", "satisfaction"}


@pytest.fixture(autouse=True)
def _sans_effets_de_bord(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"


def lancer_demo() -> str:
    sortie = StringIO()
    call_command("demo", stdout=sortie, stderr=StringIO())
    return sortie.getvalue()


def test_demo_fills_every_devis_status_and_creates_both_accounts():
    sortie = lancer_demo()

    assert set(Devis.objects.values_list("statut", flat=True)) == set(StatutDevis.values)
    assert set(Demande.objects.values_list("statut", flat=True)) == set(StatutDemande.values)
    assert 20 <= Organisation.objects.count() <= 30
    assert Interaction.objects.count() >= 60
    for siret in Organisation.objects.values_list("siret", flat=True):
        valider_siret(siret)
    assert Organisation.objects.filter(recommande_par__isnull=False).exists()
    assert Organisation.objects.filter(cle=True, frequence_point_jours__isnull=False).count() >= 2
    assert Reclamation.objects.filter(statut="close").exists()
    assert Reponse.objects.count() >= 3 and Enquete.objects.count() > Reponse.objects.count()

    User = get_user_model()
    gerant = User.objects.get(username="gerant")
    consultant = User.objects.get(username="consultant")
    assert gerant.is_staff and gerant.email and gerant.get_full_name()
    assert list(gerant.groups.values_list("name", flat=True)) == [GERANT]
    assert list(consultant.groups.values_list("name", flat=True)) == [CONSULTANT]
    assert consultant.email and not consultant.is_staff
    assert Mission.objects.filter(consultants=consultant).exists()
    assert Organisation.objects.filter(responsable=consultant).exists()

    assert "Comptes créés — notez ces mots de passe, ils ne seront plus affichés" in sortie
    mots_de_passe = dict(re.findall(r"identifiant « (\w+) »\s+mot de passe : (\S+)", sortie))
    assert set(mots_de_passe) == {"gerant", "consultant"}
    assert all(len(m) >= 16 for m in mots_de_passe.values())
    assert gerant.check_password(mots_de_passe["gerant"])
    assert consultant.check_password(mots_de_passe["consultant"])


def test_demo_second_call_creates_nothing():
    lancer_demo()
    modeles = [Organisation, Demande, Devis, Mission, Reclamation, Enquete, get_user_model()]
    avant = {m: m.objects.count() for m in modeles}

    sortie = lancer_demo()

    assert "Des données existent déjà : rien n'est créé." in sortie
    assert "mot de passe" not in sortie
    assert {m: m.objects.count() for m in modeles} == avant


def test_admin_pages_of_every_registered_model_render_for_a_superuser(admin_client):
    lancer_demo()
    echecs = []
    for model, model_admin in admin.site._registry.items():
        prefixe = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        url = reverse(f"{prefixe}_changelist")
        for page in (url, url + "?q=a" if model_admin.search_fields else url):
            reponse = admin_client.get(page)
            if reponse.status_code != 200:
                echecs.append(f"{page} → {reponse.status_code}")
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            continue
        pages = [reverse(f"{prefixe}_change", args=[obj.pk])]
        if isinstance(model_admin, SimpleHistoryAdmin):
            pages.append(reverse(f"{prefixe}_history", args=[obj.pk]))
        for page in pages:
            reponse = admin_client.get(page)
            if reponse.status_code != 200:
                echecs.append(f"{page} → {reponse.status_code}")
    assert not echecs, echecs


def test_admin_never_deletes_and_technical_records_are_read_only(rf, admin_user):
    requete = rf.get("/admin/")
    requete.user = admin_user
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in APPS_DU_PROJET:
            assert not model_admin.has_delete_permission(requete), model
    for nom in ("compteur", "emailenvoye", "digesthebdo"):
        model_admin = next(a for m, a in admin.site._registry.items() if m._meta.model_name == nom)
        assert not model_admin.has_add_permission(requete)
        assert not model_admin.has_change_permission(requete)
    # Single-row settings: the migrations created them, so no second one.
    for nom in ("entreprise", "modeledevis"):
        model_admin = next(a for m, a in admin.site._registry.items() if m._meta.model_name == nom)
        assert not model_admin.has_add_permission(requete)
