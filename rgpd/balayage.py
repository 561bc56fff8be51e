"""The last pass of an erasure: every text and JSON column of every installed model, found
through the app registry (a new app's tables are covered without naming them), loses what
names the person and no one else — their full name, email and phones in any spelling. The
apps' own handlers (``crm.extensions.donnees_personnelles``) have already removed them from
the rows that are about them, first names and surnames alone included; this pass catches the
rest (a notification to the gérant naming them, the admin's log, a table no handler knows)."""

from __future__ import annotations

from django.apps import apps
from django.db import models

from crm.effacement import Mentions, champs_texte


def balayer(mentions: Mentions, *, remplacement: str) -> list[str]:
    """Replace the person's sure mentions everywhere; returns the ``table.column`` touched."""
    if not mentions.motif_sur:
        return []
    touches: list[str] = []
    for modele in apps.get_models(include_auto_created=True):
        if modele._meta.proxy or not modele._meta.managed:
            continue
        gestionnaire = modele._base_manager
        for champ in champs_texte(modele):
            if isinstance(champ, models.JSONField):
                lignes = gestionnaire.exclude(**{f"{champ.attname}__isnull": True})
            else:
                lignes = gestionnaire.filter(**{f"{champ.attname}__iregex": mentions.motif_sur})
            for pk, valeur in lignes.values_list("pk", champ.attname).iterator():
                propre = mentions.remplacer(valeur, remplacement, sur=True)
                if propre != valeur:
                    gestionnaire.filter(pk=pk).update(**{champ.attname: propre})
                    touches.append(f"{modele._meta.db_table}.{champ.column}")
    return sorted(set(touches))
