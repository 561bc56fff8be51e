"""Who changed what and when, read from django-simple-history (DESIGN §8)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Changement:
    quand: object
    qui: str
    type: str
    raison: str
    champs: list[tuple[str, str, str]]


def historique(obj, *, limite: int = 50) -> list[Changement]:
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


def _texte(valeur) -> str:
    if valeur is None or valeur == "":
        return "—"
    if valeur is True:
        return "oui"
    if valeur is False:
        return "non"
    return str(valeur)
