"""What the dashboard and the review show of two periods' figures: the contributions' cards,
charts, tables and templates, put together. Nothing here queries the database."""

from __future__ import annotations

from crm import extensions
from crm.extensions import GroupeCartes
from pilotage.selectors import Chiffres


def sections(c: Chiffres, p: Chiffres) -> list[GroupeCartes]:
    """The sections of cards: groups of the same title merged, in the contributions' order."""
    par_titre: dict[str, GroupeCartes] = {}
    for contribution in extensions.indicateurs.tous():
        for groupe in contribution.cartes(c, p):
            if groupe.titre in par_titre:
                par_titre[groupe.titre].cartes.extend(groupe.cartes)
            else:
                par_titre[groupe.titre] = GroupeCartes(
                    groupe.titre, groupe.icone, list(groupe.cartes), groupe.ordre
                )
    return sorted(par_titre.values(), key=lambda g: g.ordre)


def _serie(libelle: str, valeurs: list) -> dict:
    # None stays None: no bar, « — » in the PDF, a gap in Chart.js (not a fake zero).
    return {"label": libelle, "data": [None if v is None else float(v) for v in valeurs]}


def graphiques(c: Chiffres, p: Chiffres) -> list[dict]:
    """The charts' data, read by static/js/pilotage.js (two series: the period, the one before);
    charts of the same id put their bars side by side."""
    par_id: dict[str, dict] = {}
    for contribution in extensions.indicateurs.tous():
        for g in contribution.graphiques(c, p):
            if g.id not in par_id:
                par_id[g.id] = {
                    "ordre": g.ordre,
                    "id": g.id,
                    "titre": g.titre,
                    "labels": [],
                    "courant": [],
                    "precedent": [],
                    "unite": g.unite,
                }
            fusion = par_id[g.id]
            fusion["labels"] += g.labels
            fusion["courant"] += g.courant
            fusion["precedent"] += g.precedent
    lc = f"{c.debut:%d/%m/%Y} – {c.fin:%d/%m/%Y}"
    lp = f"{p.debut:%d/%m/%Y} – {p.fin:%d/%m/%Y}"
    return [
        {
            "id": g["id"],
            "titre": g["titre"],
            "labels": g["labels"],
            "jeux": [_serie(lc, g["courant"]), _serie(lp, g["precedent"])],
            "unite": g["unite"],
            # The same figures as rows, for the table beside each chart (screen readers).
            "lignes": list(zip(g["labels"], g["courant"], g["precedent"], strict=True)),
            "periodes": (lc, lp),
        }
        for g in sorted(par_id.values(), key=lambda g: g["ordre"])
    ]


def contexte(c: Chiffres, p: Chiffres) -> dict:
    """The tables the contributions add to the dashboard and the review (no query)."""
    resultat: dict = {}
    for contribution in extensions.indicateurs.tous():
        resultat.update(contribution.contexte(c, p))
    return resultat


# --- The contributions' templates (the frames include them in this order) ---------------------


def _par_ordre(paires: list[tuple[int, str]]) -> list[str]:
    # Ties broken by the template's name: the same order on every run.
    return [gabarit for _, gabarit in sorted(paires)]


def panneaux_tableau() -> list[str]:
    """The dashboard's panels under its charts."""
    return _par_ordre([p for i in extensions.indicateurs.tous() for p in i.tableau_panneaux])


def synthese_revue() -> list[str]:
    """The rows of the review's synthesis table, in the contributions' order."""
    return [i.revue_synthese for i in extensions.indicateurs.tous() if i.revue_synthese]


def sections_revue() -> list[str]:
    """The review's numbered sections (the frame adds its last one, the direction's decisions)."""
    return _par_ordre([s for i in extensions.indicateurs.tous() for s in i.revue_sections])
