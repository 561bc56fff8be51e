"""Bar charts drawn as inline SVG for the PDF (WeasyPrint renders SVG; no JavaScript there).

The geometry is computed here; ``templates/pilotage/_barres.svg.html`` only writes it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

COULEURS = ["#1f4e79", "#9db7d1", "#c55a11", "#70ad47"]

LARGEUR = 640
COLONNE_LIBELLES = 190
ZONE_BARRES = 360
HAUTEUR_BARRE = 12
ESPACE_BARRES = 2
ESPACE_RANGEES = 10
HAUTEUR_LEGENDE = 22


@dataclass
class Barre:
    x: float
    y: float
    largeur: float
    hauteur: float
    couleur: str
    texte: str
    texte_x: float
    texte_y: float


@dataclass
class Rangee:
    libelle: str
    texte_y: float
    barres: list[Barre] = field(default_factory=list)


@dataclass
class Legende:
    libelle: str
    couleur: str
    x: float

    @property
    def texte_x(self) -> float:
        return self.x + 14


@dataclass
class GraphiqueSVG:
    titre: str
    largeur: int
    hauteur: float
    libelles_x: int
    rangees: list[Rangee]
    legendes: list[Legende]


def _texte(valeur: float | None, unite: str) -> str:
    if valeur is None:
        return "—"
    nombre = f"{valeur:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{nombre} {unite}".strip() if unite else nombre


def barres_svg(
    titre: str,
    libelles: list[str],
    series: list[tuple[str, list[float | None]]],
    *,
    unite: str = "",
    maximum: float | None = None,
) -> GraphiqueSVG:
    """Horizontal grouped bars: one row per label, one bar per series (the period, the one
    before). Values None are drawn as no bar and written « — »."""
    valeurs = [v for _, serie in series for v in serie if v is not None]
    plafond = maximum or max([*valeurs, 0]) or 1
    rangees = []
    y = HAUTEUR_LEGENDE
    hauteur_rangee = len(series) * (HAUTEUR_BARRE + ESPACE_BARRES)
    for i, libelle in enumerate(libelles):
        rangee = Rangee(libelle=libelle, texte_y=y + hauteur_rangee / 2 + 4)
        for j, (_, serie) in enumerate(series):
            valeur = serie[i] if i < len(serie) else None
            largeur = 0 if valeur is None else max(0.0, ZONE_BARRES * float(valeur) / plafond)
            by = y + j * (HAUTEUR_BARRE + ESPACE_BARRES)
            rangee.barres.append(
                Barre(
                    x=COLONNE_LIBELLES,
                    y=by,
                    largeur=round(largeur, 1),
                    hauteur=HAUTEUR_BARRE,
                    couleur=COULEURS[j % len(COULEURS)],
                    texte=_texte(valeur, unite),
                    texte_x=round(COLONNE_LIBELLES + largeur + 4, 1),
                    texte_y=by + HAUTEUR_BARRE - 2,
                )
            )
        rangees.append(rangee)
        y += hauteur_rangee + ESPACE_RANGEES
    legendes = [
        Legende(libelle=nom, couleur=COULEURS[j % len(COULEURS)], x=COLONNE_LIBELLES + j * 200)
        for j, (nom, _) in enumerate(series)
    ]
    return GraphiqueSVG(
        titre=titre,
        largeur=LARGEUR,
        hauteur=y,
        libelles_x=COLONNE_LIBELLES - 6,
        rangees=rangees,
        legendes=legendes,
    )
