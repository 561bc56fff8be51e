"""Duplicate detection, the import's matching hooks.

An organisation with the same SIRET, or a near-identical name (same name once accents, case,
punctuation and legal form are removed, or a similarity of 0.9 or more), is the existing one:
the file's contacts are attached to it and its own fields are left as they are. Rows of the file
that name one organisation (same rules) make one organisation. A contact whose email is already
known, or seen on a row above, or of the same name in an existing organisation, is not created
again. Everything is matched in memory against what three queries load, whatever the number of
rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from django.db.models.functions import Lower

from crm.models import Contact, Organisation
from crm.texte import sans_accents

if TYPE_CHECKING:
    from pilotage.importation.rapport import LigneImport

SEUIL_SIMILARITE = 0.9


FORMES_JURIDIQUES = {
    "sa",
    "sas",
    "sasu",
    "sarl",
    "eurl",
    "sci",
    "snc",
    "scop",
    "selarl",
    "gie",
    "ets",
    "etablissements",
    "societe",
    "ste",
    "inc",
    "ltd",
    "llc",
    "gmbh",
}


def nom_normalise(nom: str) -> str:
    """« Société Générale S.A.S. » → « generale »: no accent, case, punctuation, legal form."""
    texte = sans_accents(nom).lower().replace(".", "")
    mots = re.sub(r"[^a-z0-9]+", " ", texte).split()
    utiles = [m for m in mots if m not in FORMES_JURIDIQUES]
    return " ".join(utiles or mots)


def noms_proches(a: str, b: str) -> bool:
    """Near-identical names: equal once unaccented and lower-cased, or equal once normalised,
    or a difflib similarity of 0.9 or more on the normalised names."""
    if sans_accents(a).lower().strip() == sans_accents(b).lower().strip():
        return True
    na, nb = nom_normalise(a), nom_normalise(b)
    if not na or not nb:
        return False
    if na == nb:
        return True
    m = SequenceMatcher(None, na, nb)
    # Cheap upper bounds first: most pairs are far apart.
    return (
        m.real_quick_ratio() >= SEUIL_SIMILARITE
        and m.quick_ratio() >= SEUIL_SIMILARITE
        and m.ratio() >= SEUIL_SIMILARITE
    )


def _sirets_differents(a: str, b: str) -> bool:
    return bool(a and b and a.replace(" ", "") != b.replace(" ", ""))


@dataclass
class Groupe:
    """Rows of the file that name one organisation; the first row creates it, unless it exists."""

    cle: str
    nom: str
    siret: str
    existante: Organisation | None = None
    creee: Organisation | None = None

    @property
    def organisation(self) -> Organisation | None:
        return self.existante or self.creee


class Repertoire:
    """The organisations known before the import, and the file's groups as rows are read."""

    def __init__(self) -> None:
        self.existantes = list(Organisation.objects.only("pk", "raison_sociale", "siret"))
        self.par_siret = {o.siret.replace(" ", ""): o for o in self.existantes if o.siret}
        self.par_nom: dict[str, Organisation] = {}
        for o in self.existantes:
            self.par_nom.setdefault(nom_normalise(o.raison_sociale), o)
        self.groupes: list[Groupe] = []

    def rattacher(self, ligne: LigneImport) -> Groupe:
        """The row's group: one of the rows above, else a new one matched to the database.
        Fills the row's ``cle_organisation``, ``premiere_du_groupe``, ``organisation_existante``
        and its duplicate message."""
        nom, siret = ligne.organisation["raison_sociale"], ligne.organisation.get("siret", "")
        for groupe in self.groupes:
            if (siret and siret == groupe.siret) or (
                not _sirets_differents(siret, groupe.siret) and noms_proches(nom, groupe.nom)
            ):
                ligne.premiere_du_groupe = False
                break
        else:
            groupe = Groupe(cle=f"L{ligne.numero}", nom=nom, siret=siret)
            self.groupes.append(groupe)
            groupe.existante, raison = self._existante(nom, siret)
            if groupe.existante is not None:
                ligne.doublons.append(
                    f"Organisation déjà connue ({raison}) : « {groupe.existante.raison_sociale} »."
                )
        ligne.cle_organisation = groupe.cle
        ligne.organisation_existante = groupe.existante
        ligne.groupe = groupe
        return groupe

    def _existante(self, nom: str, siret: str) -> tuple[Organisation | None, str]:
        if siret and siret in self.par_siret:
            return self.par_siret[siret], "même SIRET"
        exacte = self.par_nom.get(nom_normalise(nom))
        if exacte is not None and not _sirets_differents(siret, exacte.siret):
            return exacte, "même nom"
        for o in self.existantes:
            if not _sirets_differents(siret, o.siret) and noms_proches(nom, o.raison_sociale):
                return o, "nom presque identique"
        return None, ""


class ContactsConnus:
    """Contacts known before the import: by email (any organisation, case ignored) and by name
    in the organisations the file's rows were matched to."""

    def __init__(self, emails: set[str], organisations: set[int]) -> None:
        self.emails = dict(
            Contact.objects.annotate(email_min=Lower("email"))
            .filter(email_min__in=emails)
            .values_list("email_min", "organisation__raison_sociale")
        )
        self.noms = {
            (org_id, _nom_complet(prenom, nom))
            for org_id, prenom, nom in Contact.objects.filter(
                organisation_id__in=organisations
            ).values_list("organisation_id", "prenom", "nom")
        }
        self.vus: set[str] = set()

    def doublon(self, ligne: LigneImport) -> str:
        """Why the row's contact is a duplicate, or "" when it is to be created (rows in
        file order: an email is « seen » once its row has been asked)."""
        email = ligne.contact.get("email", "")
        org = ligne.organisation_existante
        raison = ""
        if email and email in self.emails:
            raison = f"Contact déjà connu : {email} (chez « {self.emails[email]} »)."
        elif email and email in self.vus:
            raison = f"Même email qu'une ligne au-dessus : {email}."
        elif (
            org is not None
            and (
                org.pk,
                _nom_complet(ligne.contact.get("prenom", ""), ligne.contact["nom"]),
            )
            in self.noms
        ):
            raison = f"{ligne.contact_nom} est déjà un contact de cette organisation."
        if email:
            self.vus.add(email)
        return raison


def _nom_complet(prenom: str, nom: str) -> str:
    return sans_accents(f"{prenom} {nom}").lower().strip()
