from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q

from crm.models import Canal, Contexte, Demande, Organisation, Source, StatutDemande, TypePrestation


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Recherche", method="rechercher")
    statut = django_filters.ChoiceFilter(
        label="Statut",
        choices=[("prospect", "Prospect"), ("client", "Client"), ("cle", "Client clé")],
        method="filtrer_statut",
        empty_label="Tous",
    )
    source = django_filters.ChoiceFilter(choices=Source.choices, empty_label="Toutes")
    responsable = django_filters.ModelChoiceFilter(
        queryset=get_user_model().objects.filter(is_active=True).order_by("first_name"),
        empty_label="Tous",
    )
    archivee = django_filters.BooleanFilter(
        label="Archivées", widget=django_filters.widgets.BooleanWidget()
    )

    class Meta:
        model = Organisation
        fields = ["q", "statut", "source", "responsable"]

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("archivee"):
            data["archivee"] = "false"
        super().__init__(data, *args, **kwargs)

    def rechercher(self, qs, name, value):
        for mot in value.split():
            qs = qs.filter(
                Q(raison_sociale__icontains=mot)
                | Q(ville__icontains=mot)
                | Q(contacts__nom__icontains=mot)
                | Q(contacts__prenom__icontains=mot)
                | Q(contacts__email__icontains=mot)
            )
        return qs.distinct()

    def filtrer_statut(self, qs, name, value):
        if value == "client":
            return qs.filter(est_client_annote=True)
        if value == "prospect":
            return qs.filter(est_client_annote=False)
        if value == "cle":
            return qs.filter(cle=True)
        return qs


class DemandeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Recherche", method="rechercher")
    statut = django_filters.ChoiceFilter(choices=StatutDemande.choices, empty_label="Tous")
    contexte = django_filters.ChoiceFilter(choices=Contexte.choices, empty_label="Tous")
    type_prestation = django_filters.ChoiceFilter(
        choices=TypePrestation.choices, empty_label="Tous"
    )
    canal = django_filters.ChoiceFilter(choices=Canal.choices, empty_label="Tous")
    # « Sans prochaine étape » (DESIGN §10): a Go with no quote and no open task ahead.
    suivi = django_filters.ChoiceFilter(
        label="Suivi",
        choices=[("sans_etape", "Sans prochaine étape")],
        method="filtrer_suivi",
        empty_label="Toutes",
    )

    class Meta:
        model = Demande
        fields = ["q", "statut", "contexte", "type_prestation", "canal", "suivi"]

    def filtrer_suivi(self, qs, name, value):
        from django.utils import timezone

        from crm.selectors import demandes_sans_prochaine_etape

        if value == "sans_etape":
            # The list's filter reads the day like its view does (an edge, not a rule).
            return qs.filter(
                pk__in=demandes_sans_prochaine_etape(timezone.localdate()).values("pk")
            )
        return qs

    def rechercher(self, qs, name, value):
        return qs.filter(
            Q(organisation__raison_sociale__icontains=value) | Q(description__icontains=value)
        )
