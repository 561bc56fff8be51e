"""The complaints in the global search (number, organisation), each user seeing those the
complaints' own rule shows them (``reclamations_visibles``)."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from crm.extensions import Resultat, SourceRecherche, sources_recherche
from crm.recherche import correspondances, normaliser, reindexer
from reclamations.models import Reclamation
from reclamations.selectors import reclamations_visibles


def _textes(*, organisation=None, pks=None):
    qs = Reclamation.objects.all()
    if organisation is not None:
        qs = qs.filter(organisation_id=organisation)
    if pks is not None:
        qs = qs.filter(pk__in=pks)
    for pk, numero, raison_sociale in qs.values_list(
        "pk", "numero", "organisation__raison_sociale"
    ).iterator(chunk_size=2000):
        yield pk, normaliser(numero, raison_sociale)


def _chercher(user, termes, limite):
    qs = reclamations_visibles(
        user,
        parmi=Reclamation.objects.filter(
            pk__in=correspondances("reclamations", termes)
        ).select_related("organisation"),
    )
    return [
        Resultat(
            f"{r.numero} — {r.organisation}",
            r.get_absolute_url(),
            f"Reçue le {r.recue_le:%d/%m/%Y} · {r.get_statut_display()}",
        )
        for r in qs.order_by("-recue_le", "-pk")[:limite]
    ]


sources_recherche.ajouter(
    SourceRecherche(
        "reclamations", "Réclamations", _chercher, _textes, icone="exclamation-octagon", ordre=50
    )
)


@receiver(post_save, sender=Reclamation, dispatch_uid="recherche_reclamation")
def _reclamation_enregistree(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and not {"numero", "organisation"} & set(update_fields)):
        return
    reindexer(cle="reclamations", pks=[instance.pk])
