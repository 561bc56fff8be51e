"""Who changed what and when, read from django-simple-history (DESIGN §8)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models

# simple-history's reason column (``history_change_reason``, varchar(100)): PostgreSQL refuses
# a longer value where SQLite would keep it, so a reason quoting what a user typed is cut here.
RAISON_MAX = 100


def motiver(objet: models.Model, raison: str, *, par: Any = None) -> None:
    """Give the history record of ``objet``'s next ``save()`` its reason (cut to the column's
    100 characters, with « … »), and its author when ``par`` is a real user (outside a request,
    or another author than the request's user).

    simple-history reads these two attributes off the instance at save time; the model's type
    does not declare them, hence ``setattr`` here, once, rather than at every call site."""
    if len(raison) > RAISON_MAX:
        raison = raison[: RAISON_MAX - 1].rstrip() + "…"
    setattr(objet, "_change_reason", raison)  # noqa: B010
    if getattr(par, "pk", None):
        setattr(objet, "_history_user", par)  # noqa: B010


@dataclass
class Changement:
    quand: object
    qui: str
    type: str
    raison: str
    champs: list[tuple[str, str, str]]


# ``obj``: a model with simple-history's HistoricalRecords, whose ``history`` manager is added
# at run time (mypy cannot see it on a Model).
def historique(obj: Any, *, limite: int = 50) -> list[Changement]:
    enregistrements = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limite + 1
        ]
    )
    resultat = []
    noms = {f.name: str(getattr(f, "verbose_name", f.name)) for f in obj._meta.fields}
    for i, h in enumerate(enregistrements[:limite]):
        champs = []
        precedent = enregistrements[i + 1] if i + 1 < len(enregistrements) else None
        if precedent is not None and h.history_type == "~":
            for c in h.diff_against(precedent).changes:
                if c.field in ("modifie_le", "jeton_nonce", "jeton_empreinte"):
                    continue
                champs.append((noms.get(c.field, c.field), _texte(c.old), _texte(c.new)))
        resultat.append(
            Changement(
                quand=h.history_date,
                qui=(h.history_user.get_full_name() or h.history_user.get_username())
                if h.history_user
                else "Sans compte (règle quotidienne, ou le client par son lien)",
                type={"+": "Création", "~": "Modification", "-": "Suppression"}[h.history_type],
                raison=h.history_change_reason or "",
                champs=champs,
            )
        )
    return resultat


def _texte(valeur: object) -> str:
    if valeur is None or valeur == "":
        return "—"
    if valeur is True:
        return "oui"
    if valeur is False:
        return "non"
    return str(valeur)
