"""What the import shows and reports: each line of the file, the preview, the final report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crm.models import Organisation
    from pilotage.importation.doublons import Groupe


@dataclass
class LigneImport:
    numero: int  # the row's line in the file (the header is line 1)
    organisation: dict[str, str]
    contact: dict[str, str]
    erreurs: list[str] = field(default_factory=list)
    doublons: list[str] = field(default_factory=list)
    organisation_existante: Organisation | None = None
    cle_organisation: str = ""
    premiere_du_groupe: bool = True
    contact_a_creer: bool = False
    groupe: Groupe | None = field(default=None, repr=False)

    @property
    def action_organisation(self) -> str:
        if self.organisation_existante is not None:
            return f"rattachée à « {self.organisation_existante.raison_sociale} »"
        return "à créer" if self.premiere_du_groupe else "même organisation qu'au-dessus"

    @property
    def action_contact(self) -> str:
        if self.contact_a_creer:
            return "à créer"
        return "déjà présent : ignoré" if self.contact else "aucun"

    @property
    def contact_nom(self) -> str:
        return " ".join(p for p in (self.contact.get("prenom"), self.contact.get("nom")) if p)


@dataclass
class Analyse:
    nom_fichier: str
    lignes: list[LigneImport] = field(default_factory=list)
    colonnes: list[tuple[str, str]] = field(default_factory=list)  # (header, field label)
    colonnes_ignorees: list[str] = field(default_factory=list)

    @property
    def lignes_en_erreur(self) -> list[LigneImport]:
        return [ligne for ligne in self.lignes if ligne.erreurs]

    @property
    def importable(self) -> bool:
        return bool(self.lignes) and not self.lignes_en_erreur

    @property
    def organisations_a_creer(self) -> int:
        return sum(
            1
            for ligne in self.lignes
            if ligne.premiere_du_groupe and not ligne.organisation_existante
        )

    @property
    def organisations_rattachees(self) -> int:
        return len(
            {
                ligne.organisation_existante.pk
                for ligne in self.lignes
                if ligne.organisation_existante
            }
        )

    @property
    def contacts_a_creer(self) -> int:
        return sum(1 for ligne in self.lignes if ligne.contact_a_creer)

    @property
    def contacts_ignores(self) -> int:
        return sum(1 for ligne in self.lignes if ligne.contact and not ligne.contact_a_creer)


@dataclass
class Rapport:
    nom_fichier: str
    lignes: int
    organisations_creees: int
    organisations_rattachees: int
    contacts_crees: int
    contacts_ignores: int
    doublons: list[str]

    def en_dict(self) -> dict:
        return self.__dict__.copy()
