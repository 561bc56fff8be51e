"""The columns of the files Outlook and common CRMs export, and the cleaning of their values.

These are the import's hooks on django-import-export: ``renommer`` turns a file's headers (French
or English, any case or accent) into the resources' column names (``organisation.ville``,
``contact.email``…), and the ``nettoyer_*`` functions repair what spreadsheets do to values
(leading zeros lost, SIRET with spaces, « Mr. » for a civility).
"""

from __future__ import annotations

import re

from django.db import models

from crm.models import Civilite, Contact, Organisation
from crm.texte import sans_accents

# Technical columns added to the dataset by the importer (never a file's header).
LIGNE = "_ligne"  # the row's line in the file (the header is line 1)
EN_TROP = "_colonnes_en_trop"  # cells found on a row with more cells than headers
TECHNIQUES = (LIGNE, EN_TROP)


def colonne(modele: str, champ: str) -> str:
    """The resources' column name of a field: ``organisation.telephone``, ``contact.telephone``."""
    return f"{modele}.{champ}"


def _cle_entete(entete: str) -> str:
    texte = sans_accents(str(entete)).lower().replace("’", "'").replace("_", " ")
    return re.sub(r"\s+", " ", texte).strip()


# Header (normalised: no accent, lower case) → (model, field). Outlook's French and English
# exports, and the usual columns of HubSpot, Salesforce, Pipedrive, Google Contacts.
ALIAS: dict[str, tuple[str, str]] = {}
for _champ, _noms in {
    ("organisation", "raison_sociale"): [
        "societe",
        "company",
        "company name",
        "entreprise",
        "nom de l'entreprise",
        "nom de la societe",
        "raison sociale",
        "organisation",
        "organization",
        "organisation - nom",
        "organization - name",
        "organization 1 - name",
        "account name",
        "compte",
    ],
    ("organisation", "siret"): ["siret", "n siret", "n° siret", "numero siret", "siret number"],
    ("organisation", "secteur"): ["secteur", "secteur d'activite", "industry", "activite"],
    ("organisation", "adresse"): [
        "rue (bureau)",
        "business street",
        "adresse",
        "adresse (bureau)",
        "address",
        "street",
        "street address",
        "billing street",
    ],
    ("organisation", "complement_adresse"): [
        "rue (bureau) 2",
        "business street 2",
        "complement d'adresse",
        "address 2",
    ],
    ("organisation", "code_postal"): [
        "code postal (bureau)",
        "business postal code",
        "code postal",
        "cp",
        "postal code",
        "zip",
        "zip code",
        "billing zip/postal code",
    ],
    ("organisation", "ville"): [
        "ville (bureau)",
        "business city",
        "ville",
        "city",
        "billing city",
    ],
    ("organisation", "pays"): [
        "pays/region (bureau)",
        "business country/region",
        "business country",
        "pays",
        "country",
        "billing country",
    ],
    ("organisation", "telephone"): [
        "telephone societe",
        "telephone de la societe",
        "company main phone",
        "standard",
        "telephone standard",
    ],
    ("organisation", "site_web"): [
        "page web",
        "web page",
        "site web",
        "site internet",
        "website",
        "website url",
    ],
    ("contact", "civilite"): ["titre", "title", "civilite", "salutation"],
    ("contact", "prenom"): ["prenom", "first name", "firstname", "given name"],
    ("contact", "nom"): [
        "nom",
        "last name",
        "lastname",
        "surname",
        "family name",
        "nom de famille",
    ],
    ("contact", "fonction"): ["fonction", "job title", "poste", "position"],
    ("contact", "email"): [
        "adresse de messagerie",
        "e-mail address",
        "email address",
        "e-mail",
        "email",
        "courriel",
        "adresse e-mail",
        "adresse email",
        "mail",
        "e-mail 1 - value",
    ],
    ("contact", "telephone"): [
        "telephone (bureau)",
        "business phone",
        "telephone",
        "telephone professionnel",
        "phone",
        "work phone",
        "tel",
        "phone 1 - value",
    ],
    ("contact", "mobile"): [
        "tel. mobile",
        "tel mobile",
        "telephone mobile",
        "telephone portable",
        "portable",
        "mobile",
        "mobile phone",
        "cell phone",
    ],
}.items():
    for _nom in _noms:
        ALIAS[_cle_entete(_nom)] = _champ

CIVILITES = {
    "m": Civilite.MONSIEUR,
    "m.": Civilite.MONSIEUR,
    "mr": Civilite.MONSIEUR,
    "mr.": Civilite.MONSIEUR,
    "monsieur": Civilite.MONSIEUR,
    "mme": Civilite.MADAME,
    "mme.": Civilite.MADAME,
    "mrs": Civilite.MADAME,
    "mrs.": Civilite.MADAME,
    "ms": Civilite.MADAME,
    "ms.": Civilite.MADAME,
    "madame": Civilite.MADAME,
    "mlle": Civilite.MADAME,
    "mademoiselle": Civilite.MADAME,
    "miss": Civilite.MADAME,
}

CANONIQUES = {colonne(*cible): cible for cible in set(ALIAS.values())}


def _libelle(modele: str, champ: str) -> str:
    classe = Organisation if modele == "organisation" else Contact
    champ_modele = classe._meta.get_field(champ)
    nom = champ_modele.verbose_name if isinstance(champ_modele, models.Field) else champ
    return str(nom).capitalize()


def correspondance(entetes: list[str]) -> tuple[list[str], list[tuple[str, str]], list[str]]:
    """The dataset's headers once renamed, the recognised columns as (header, field label),
    and the ignored headers. The first column of a field wins; the others are ignored."""
    noms: list[str] = []
    reconnues: list[tuple[str, str]] = []
    ignorees: list[str] = []
    deja: set[tuple[str, str]] = set()
    for i, entete in enumerate(entetes):
        if entete in TECHNIQUES:
            noms.append(entete)
            continue
        cible = CANONIQUES.get(entete) or ALIAS.get(_cle_entete(entete))
        if cible and cible not in deja:
            deja.add(cible)
            noms.append(colonne(*cible))
            reconnues.append((entete, _libelle(*cible)))
        else:
            noms.append(f"_ignoree_{i}")
            if entete:
                ignorees.append(entete)
    return noms, reconnues, ignorees


def renommer(entetes: list[str]) -> list[str]:
    """The hook both resources run in ``before_import`` (it may run twice: names of its own
    output map to themselves)."""
    return correspondance(entetes)[0]


def valeurs_de(row, modele: str) -> dict[str, str]:
    """A row's non-empty values of one model, by field name."""
    prefixe = f"{modele}."
    return {
        nom[len(prefixe) :]: str(v).strip()
        for nom, v in row.items()
        if nom.startswith(prefixe) and v is not None and str(v).strip()
    }


def remplacer(row, modele: str, nettoyees: dict[str, str]) -> None:
    """Put the cleaned values back into the row; a field left out takes the model's default."""
    prefixe = f"{modele}."
    for nom in [n for n in row if n.startswith(prefixe)]:
        del row[nom]
    for champ, valeur in nettoyees.items():
        row[colonne(modele, champ)] = valeur


def nettoyer_organisation(valeurs: dict[str, str]) -> dict[str, str]:
    if valeurs.get("siret"):
        valeurs["siret"] = re.sub(r"[\s.\-]", "", valeurs["siret"])
    cp = valeurs.get("code_postal", "")
    if cp.isdigit() and len(cp) == 4:
        valeurs["code_postal"] = "0" + cp  # 1000 → 01000: Excel drops the leading zero
    if valeurs.get("site_web") and "://" not in valeurs["site_web"]:
        valeurs["site_web"] = "https://" + valeurs["site_web"]
    if valeurs.get("pays") in ("France", "FR", "FRANCE", ""):
        valeurs.pop("pays", None)
    return valeurs


def _telephone(valeur: str) -> str:
    if valeur.isdigit() and len(valeur) == 9:
        return "0" + valeur  # a French number stored as a number in Excel
    return valeur


def nettoyer_contact(valeurs: dict[str, str]) -> dict[str, str]:
    civilite = valeurs.pop("civilite", "")
    if civilite:
        reconnue = CIVILITES.get(sans_accents(civilite).lower().strip())
        if reconnue:
            valeurs["civilite"] = reconnue
        elif not valeurs.get("fonction"):
            valeurs["fonction"] = civilite  # « Title » is the job title in some CRMs
    for champ in ("telephone", "mobile"):
        if valeurs.get(champ):
            valeurs[champ] = _telephone(valeurs[champ])
    if valeurs.get("email"):
        valeurs["email"] = valeurs["email"].strip().lower()
    return valeurs
