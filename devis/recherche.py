"""The quotes in the global search (number, object, organisation): the gérant's only, since a
consultant sees no quote (DESIGN §7)."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from crm.extensions import Resultat, SourceRecherche, sources_recherche
from crm.recherche import correspondances, normaliser, reindexer
from crm.roles import est_gerant
from devis.models import Devis


def _textes(*, organisation=None, pks=None):
    qs = Devis.objects.all()
    if organisation is not None:
        qs = qs.filter(organisation_id=organisation)
    if pks is not None:
        qs = qs.filter(pk__in=pks)
    for pk, numero, objet, raison_sociale in qs.values_list(
        "pk", "numero", "objet", "organisation__raison_sociale"
    ).iterator(chunk_size=2000):
        yield pk, normaliser(numero or "", objet, raison_sociale)


def _chercher(user, termes, limite):
    if not est_gerant(user):
        return []
    qs = Devis.objects.filter(pk__in=correspondances("devis", termes)).select_related(
        "organisation"
    )
    return [
        Resultat(
            f"{d.reference} — {d.objet}",
            d.get_absolute_url(),
            f"{d.organisation} · {d.get_statut_display()}",
        )
        for d in qs.order_by("-pk")[:limite]
    ]


sources_recherche.ajouter(
    SourceRecherche("devis", "Devis", _chercher, _textes, icone="file-earmark-text", ordre=40)
)


@receiver(post_save, sender=Devis, dispatch_uid="recherche_devis")
def _devis_enregistre(sender, instance, raw=False, update_fields=None, **kwargs):
    # Its number, object or organisation: a save of other fields only (statuses, dates) skips.
    if raw or (
        update_fields is not None and not {"numero", "objet", "organisation"} & set(update_fields)
    ):
        return
    reindexer(cle="devis", pks=[instance.pk])
