"""Import of organisations and contacts from the files Outlook and common CRMs export.

Built on django-import-export: ``lecture`` reads the file (CSV or .xlsx, safely) into rows,
the rows become a tablib dataset, and two resources (``ressources``: organisations, then their
contacts) import it in one transaction. ``analyser`` is the preview: the whole import runs and
is rolled back, so what it shows is exactly what confirming would write. ``importer`` runs it
again and keeps it only when no row is in error: everything or nothing. French headers and
Outlook's (``colonnes``) and duplicate detection (``doublons``) are the resources' hooks.
"""

from __future__ import annotations

import logging

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction

from crm.models import Contact, Organisation
from pilotage.importation import colonnes
from pilotage.importation.doublons import noms_proches
from pilotage.importation.lecture import LIGNES_MAX, ErreurFichier, lire
from pilotage.importation.rapport import Analyse, LigneImport, Rapport
from pilotage.importation.ressources import ContactResource, OrganisationResource, Suivi

__all__ = [
    "LIGNES_MAX",
    "Analyse",
    "ErreurFichier",
    "ImportRefuse",
    "LigneImport",
    "Rapport",
    "analyser",
    "importer",
    "noms_proches",
]

logger = logging.getLogger(__name__)


class ImportRefuse(Exception):
    """The file has errors: nothing was written."""


def _jeu(contenu: bytes, nom_fichier: str, analyse: Analyse) -> tablib.Dataset:
    """The file as a dataset: its own headers, one row per non-empty line, plus the line number
    and, for a line with more cells than headers, the French error it will get."""
    lignes = lire(contenu, nom_fichier)
    if not lignes or not any(c.strip() for c in lignes[0]):
        raise ErreurFichier("Le fichier est vide.")
    entetes = [c.strip() for c in lignes[0]]
    _noms, analyse.colonnes, analyse.colonnes_ignorees = colonnes.correspondance(entetes)
    if colonnes.colonne("organisation", "raison_sociale") not in _noms:
        raise ErreurFichier(
            "Aucune colonne « Société » (ou « Company », « Raison sociale ») n'a été trouvée : "
            "vérifiez la première ligne du fichier."
        )
    jeu = tablib.Dataset(headers=[*entetes, colonnes.LIGNE, colonnes.EN_TROP])
    largeur = len(entetes)
    for numero, cellules in enumerate(lignes[1:], start=2):
        if not any(c.strip() for c in cellules):
            continue
        en_trop = ""
        if len(cellules) > largeur and any(c.strip() for c in cellules[largeur:]):
            en_trop = (
                f"{len(cellules)} colonnes au lieu de {largeur} "
                "(un séparateur dans une valeur sans guillemets ?)"
            )
        cellules = (cellules + [""] * largeur)[:largeur]
        jeu.append([*cellules, numero, en_trop])
    return jeu


def _messages(exc: ValidationError, modele) -> list[str]:
    messages = []
    for champ, erreurs in exc.message_dict.items():
        if champ == "__all__":
            messages += erreurs
        else:
            libelle = str(modele._meta.get_field(champ).verbose_name).capitalize()
            messages += [f"{libelle} : {e}" for e in erreurs]
    return messages


def _reporter(resultat, jeu: tablib.Dataset, suivi: Suivi, modele) -> None:
    """The library's per-row report (invalid rows, errors) onto the lines, in French."""
    position = jeu.headers.index(colonnes.LIGNE)

    def ligne(numero_de_rang: int) -> LigneImport:
        return suivi.lignes[int(jeu[numero_de_rang - 1][position])]

    for invalide in resultat.invalid_rows:
        ligne(invalide.number).erreurs += _messages(invalide.error, modele)
    for numero_de_rang, erreurs in resultat.row_errors():
        for erreur in erreurs:
            logger.error("Import de contacts : ligne en échec", exc_info=erreur.error)
        ligne(numero_de_rang).erreurs.append(
            "Cette ligne n'a pas pu être enregistrée (erreur inattendue) : vérifiez ses valeurs."
        )
    for erreur in resultat.base_errors:
        logger.error("Import de contacts : échec", exc_info=erreur.error)
        raise ErreurFichier("L'import a échoué : rien n'a été enregistré.")


def _executer(contenu: bytes, nom_fichier: str, *, ecrire: bool, par=None) -> Analyse:
    analyse = Analyse(nom_fichier=nom_fichier)
    jeu = _jeu(contenu, nom_fichier, analyse)
    suivi = Suivi()
    raison = f"Import depuis {nom_fichier}"[:100]
    # The two resources run in one transaction: the contacts need the organisations written
    # just before. The library's own dry run would roll the organisations back before the
    # contacts are read, so the preview is this same transaction, rolled back.
    with transaction.atomic():
        ressources = [
            (OrganisationResource(suivi=suivi, raison=raison, par=par), Organisation),
            (ContactResource(suivi=suivi, raison=raison), Contact),
        ]
        for ressource, modele in ressources:
            resultat = ressource.import_data(
                jeu, dry_run=False, use_transactions=True, raise_errors=False
            )
            _reporter(resultat, jeu, suivi, modele)
        analyse.lignes = [suivi.lignes[n] for n in sorted(suivi.lignes)]
        if not ecrire or not analyse.importable:
            transaction.set_rollback(True)
    return analyse


def analyser(contenu: bytes, nom_fichier: str) -> Analyse:
    """Read and check every row, duplicates included; nothing is kept. Raises ``ErreurFichier``."""
    return _executer(contenu, nom_fichier, ecrire=False)


def importer(contenu: bytes, nom_fichier: str, *, par=None) -> Rapport:
    """Check the file again and write all its rows in one transaction, or nothing.

    Raises ``ErreurFichier``, or ``ImportRefuse`` (with the analysis) when any row is wrong.
    """
    analyse = _executer(contenu, nom_fichier, ecrire=True, par=par)
    if not analyse.importable:
        raise ImportRefuse(analyse)
    return Rapport(
        nom_fichier=nom_fichier,
        lignes=len(analyse.lignes),
        organisations_creees=analyse.organisations_a_creer,
        organisations_rattachees=analyse.organisations_rattachees,
        contacts_crees=analyse.contacts_a_creer,
        contacts_ignores=analyse.contacts_ignores,
        doublons=[
            f"Ligne {ligne.numero} : {d}" for ligne in analyse.lignes for d in ligne.doublons
        ][:200],
    )
