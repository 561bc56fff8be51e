from __future__ import annotations

import django_filters
from django.utils import timezone

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
    # A text search rather than a <select> of every client: the list stays light on a large
    # history. ``organisation`` (an id) is kept for links from the dashboard.
    client = django_filters.CharFilter(
        label="Client", field_name="organisation__raison_sociale", lookup_expr="icontains"
    )
    organisation = django_filters.NumberFilter(
        field_name="organisation_id", widget=django_filters.widgets.forms.HiddenInput
    )
    delai = django_filters.ChoiceFilter(
        label="Délais", choices=DELAIS, method="filtrer_delai", empty_label="Tous"
    )

    class Meta:
        model = Reclamation
        fields = ["statut", "nature", "gravite", "client", "organisation", "delai"]

    def __init__(self, *args, le=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.le = le or timezone.localdate()

    def filtrer_delai(self, qs, name, value):
        return filtrer_par_delai(qs, value, self.le)
