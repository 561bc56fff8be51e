"""The example app's part of the global search: its notes, found by their text (the gérant's)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse

from crm.extensions import Resultat, SourceRecherche, sources_recherche
from crm.recherche import correspondances, normaliser, reindexer
from crm.roles import est_gerant
from tests.appli_exemple.models import Note


def _textes(*, organisation=None, pks=None):
    qs = Note.objects.all()
    if organisation is not None:
        qs = qs.filter(contact__organisation_id=organisation)
    if pks is not None:
        qs = qs.filter(pk__in=pks)
    for pk, texte in qs.values_list("pk", "texte"):
        yield pk, normaliser(texte[:200])


def _chercher(user, termes, limite):
    if not est_gerant(user):
        return []
    qs = Note.objects.filter(pk__in=correspondances("appli_exemple", termes))
    return [
        Resultat(f"Note du {n.ecrite_le:%d/%m/%Y}", reverse("appli_exemple:notes"), n.texte[:60])
        for n in qs.order_by("-pk")[:limite]
    ]


sources_recherche.ajouter(
    SourceRecherche("appli_exemple", "Notes d'exemple", _chercher, _textes, ordre=900)
)


@receiver(post_save, sender=Note, dispatch_uid="recherche_note")
def _note_enregistree(sender, instance, raw=False, **kwargs):
    if not raw:
        reindexer(cle="appli_exemple", pks=[instance.pk])


@receiver(post_delete, sender=Note, dispatch_uid="recherche_note_effacee")
def _note_effacee(sender, instance, **kwargs):
    reindexer(cle="appli_exemple", pks=[instance.pk])
