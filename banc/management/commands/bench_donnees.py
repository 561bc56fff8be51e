"""`manage.py bench_donnees --devis N --mot-de-passe P`: the load test's data (a throwaway
database): the synthetic history, a gérant and consultants sharing one password, and missions
assigned to the consultants so that they have debriefs to write."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.utils import timezone

from banc.synthese import Generateur, Taille
from crm.models import Mission
from crm.roles import CONSULTANT, GERANT


class Command(BaseCommand):
    help = "Données du test de charge (base jetable uniquement)."

    def add_arguments(self, parser):
        parser.add_argument("--devis", type=int, default=5000)
        parser.add_argument("--mot-de-passe", required=True)
        parser.add_argument("--consultants", type=int, default=10)

    def handle(self, *args, **options):
        User = get_user_model()
        mdp = options["mot_de_passe"]
        gerant = User.objects.create_user(
            "charge-gerant", password=mdp, email="gerant@charge.example"
        )
        gerant.groups.add(Group.objects.get(name=GERANT))
        consultants = []
        for i in range(options["consultants"]):
            c = User.objects.create_user(
                f"charge-consultant-{i}", password=mdp, email=f"c{i}@charge.example"
            )
            c.groups.add(Group.objects.get(name=CONSULTANT))
            consultants.append(c)
        Generateur(timezone.localdate(), [gerant, *consultants]).completer(
            Taille.pour(options["devis"])
        )
        lien = Mission.consultants.through
        missions = list(Mission.objects.values_list("pk", flat=True))
        lien.objects.bulk_create(
            lien(mission_id=pk, user_id=consultants[i % len(consultants)].pk)
            for i, pk in enumerate(missions)
        )
        self.stdout.write(f"{Mission.objects.count()} missions, {len(consultants)} consultants")
