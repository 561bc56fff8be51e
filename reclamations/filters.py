from __future__ import annotations

import django_filters
from django.utils import timezone

from crm.models import Organisation
from reclamations.models import Gravite, NatureReclamation, Reclamation, StatutReclamation
from reclamations.selectors import filtrer_par_delai

DELAIS = [("retard", "En retard"), ("proche", "Échéance proche")]


class ReclamationFilter(django_filters.FilterSet):
    statut = django_filters.ChoiceFilter(choices=StatutReclamation.choices, empty_label="Tous")
    nature = django_filters.ModelChoiceFilter(
        queryset=NatureReclamation.objects.order_by("libelle"), empty_label="Toutes"
    )
    gravite = django_filters.ChoiceFilter(
        label="Gravité", choices=Gravite.choices, empty_label="Toutes"
    )
    organisation = django_filters.ModelChoiceFilter(
        label="Client",
        queryset=Organisation.objects.filter(reclamations__isnull=False)
        .distinct()
        .order_by("raison_sociale"),
        empty_label="Tous",
    )
    delai = django_filters.ChoiceFilter(
        label="Délais", choices=DELAIS, method="filtrer_delai", empty_label="Tous"
    )

    class Meta:
        model = Reclamation
        fields = ["statut", "nature", "gravite", "organisation", "delai"]

    def __init__(self, *args, le=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.le = le or timezone.localdate()

    def filtrer_delai(self, qs, name, value):
        return filtrer_par_delai(qs, value, self.le)
