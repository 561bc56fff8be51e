"""Import of organisations and contacts from the files Outlook and common CRMs export.

CSV (« ; » or « , », UTF-8 with or without BOM, or Windows-1252) or Excel (.xlsx, read by
tablib/openpyxl), French or English headers. ``analyser`` reads and checks every row without
writing anything (the preview); ``importer`` checks again and writes everything or nothing.

Duplicates: an organisation with the same SIRET, or a near-identical name (same name once
accents, case, punctuation and legal form are removed, or a similarity of 0.9 or more), is
the existing one: the file's contacts are attached to it and its own fields are left as
they are. A contact whose email is already known, or of the same name in that organisation,
is not created again.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower

from crm.models import Civilite, Contact, Organisation, Source
from crm.texte import sans_accents

SEUIL_SIMILARITE = 0.9
LIGNES_MAX = 5000


class ErreurFichier(Exception):
    """The file cannot be read at all (encoding, format, no recognised column)."""


class ImportRefuse(Exception):
    """The file has errors: nothing was written."""


def _cle_entete(entete: str) -> str:
    texte = sans_accents(str(entete)).lower().replace("’", "'").replace("_", " ")
    return re.sub(r"\s+", " ", texte).strip()


# Header (normalised: no accent, lower case) → (model, field). Outlook's French and English
# exports, and the usual columns of HubSpot, Salesforce, Pipedrive, Google Contacts.
COLONNES: dict[str, tuple[str, str]] = {}
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
        COLONNES[_cle_entete(_nom)] = _champ

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


# --- Reading the file --------------------------------------------------------------------------


def _decoder(contenu: bytes) -> str:
    if contenu.startswith(b"\xef\xbb\xbf"):
        return contenu[3:].decode("utf-8", errors="replace")
    try:
        return contenu.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return contenu.decode("cp1252")
    except UnicodeDecodeError:
        return contenu.decode("latin-1")


def _lire_csv(contenu: bytes) -> list[list[str]]:
    texte = _decoder(contenu)
    if "\x00" in texte:
        raise ErreurFichier("Ce fichier n'est pas un CSV (contenu binaire).")
    echantillon = texte[:20000]
    try:
        separateur = csv.Sniffer().sniff(echantillon, delimiters=";,\t").delimiter
    except csv.Error:
        premiere = echantillon.splitlines()[0] if echantillon else ""
        separateur = ";" if premiere.count(";") > premiere.count(",") else ","
    try:
        return list(csv.reader(io.StringIO(texte, newline=""), delimiter=separateur))
    except csv.Error as exc:
        raise ErreurFichier(f"Ce fichier CSV est mal formé ({exc}).") from exc


def _cellule(valeur) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, float) and valeur.is_integer():
        valeur = int(valeur)  # Excel stores SIRETs, postcodes and phones as numbers
    if hasattr(valeur, "strftime"):
        return valeur.strftime("%d/%m/%Y")
    return str(valeur)


def _lire_xlsx(contenu: bytes) -> list[list[str]]:
    import tablib

    try:
        jeu = tablib.Dataset().load(io.BytesIO(contenu), format="xlsx")
    except Exception as exc:  # openpyxl raises many types on a damaged or foreign file
        raise ErreurFichier(
            "Ce fichier Excel est illisible : enregistrez-le au format .xlsx."
        ) from exc
    return [[_cellule(v) for v in jeu.headers or []]] + [
        [_cellule(v) for v in ligne] for ligne in jeu
    ]


def lire(contenu: bytes, nom: str) -> list[list[str]]:
    """The file's rows, header first, every cell as text."""
    if nom.lower().endswith(".xlsx"):
        return _lire_xlsx(contenu)
    return _lire_csv(contenu)


# --- Checking the rows -------------------------------------------------------------------------


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


def _libelle(modele, champ: str) -> str:
    return str(modele._meta.get_field(champ).verbose_name)


def _messages(exc: ValidationError, modele) -> list[str]:
    messages = []
    for champ, erreurs in exc.message_dict.items():
        prefixe = "" if champ == "__all__" else f"{_libelle(modele, champ).capitalize()} : "
        messages += [f"{prefixe}{e}" for e in erreurs]
    return messages


def _nettoyer_organisation(valeurs: dict[str, str]) -> dict[str, str]:
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


def _nettoyer_contact(valeurs: dict[str, str]) -> dict[str, str]:
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


def analyser(contenu: bytes, nom_fichier: str) -> Analyse:
    """Read and check every row; nothing is written. Raises ``ErreurFichier``."""
    lignes = lire(contenu, nom_fichier)
    if not lignes or not any(c.strip() for c in lignes[0]):
        raise ErreurFichier("Le fichier est vide.")
    entetes = [c.strip() for c in lignes[0]]
    analyse = Analyse(nom_fichier=nom_fichier)
    correspondance: dict[int, tuple[str, str]] = {}
    deja: set[tuple[str, str]] = set()
    for i, entete in enumerate(entetes):
        cible = COLONNES.get(_cle_entete(entete))
        if cible and cible not in deja:
            correspondance[i] = cible
            deja.add(cible)
            modele = Organisation if cible[0] == "organisation" else Contact
            analyse.colonnes.append((entete, _libelle(modele, cible[1]).capitalize()))
        elif entete:
            analyse.colonnes_ignorees.append(entete)
    if ("organisation", "raison_sociale") not in deja:
        raise ErreurFichier(
            "Aucune colonne « Société » (ou « Company », « Raison sociale ») n'a été trouvée : "
            "vérifiez la première ligne du fichier."
        )
    corps = lignes[1:]
    if len(corps) > LIGNES_MAX:
        raise ErreurFichier(f"Le fichier compte plus de {LIGNES_MAX} lignes : découpez-le.")

    for numero, cellules in enumerate(corps, start=2):
        if not any(c.strip() for c in cellules):
            continue
        if len(cellules) > len(entetes) and any(c.strip() for c in cellules[len(entetes) :]):
            analyse.lignes.append(
                LigneImport(
                    numero=numero,
                    organisation={},
                    contact={},
                    erreurs=[
                        f"{len(cellules)} colonnes au lieu de {len(entetes)} "
                        "(un séparateur dans une valeur sans guillemets ?)"
                    ],
                )
            )
            continue
        org: dict[str, str] = {}
        contact: dict[str, str] = {}
        for i, (modele, champ) in correspondance.items():
            valeur = cellules[i].strip() if i < len(cellules) else ""
            if valeur:
                (org if modele == "organisation" else contact)[champ] = valeur
        ligne = LigneImport(
            numero=numero,
            organisation=_nettoyer_organisation(org),
            contact=_nettoyer_contact(contact),
        )
        _valider(ligne)
        analyse.lignes.append(ligne)

    _doublons(analyse)
    return analyse


def _valider(ligne: LigneImport) -> None:
    """The models' own validators (SIRET key, email, phone, lengths, URL); no query."""
    if not ligne.organisation.get("raison_sociale"):
        ligne.erreurs.append("Société manquante.")
    else:
        try:
            Organisation(**ligne.organisation).full_clean(
                exclude=["recommande_par", "responsable"], validate_constraints=False
            )
        except ValidationError as exc:
            ligne.erreurs += _messages(exc, Organisation)
    if ligne.contact:
        if not ligne.contact.get("nom"):
            ligne.erreurs.append("Nom du contact manquant.")
        else:
            try:
                Contact(**ligne.contact).full_clean(
                    exclude=["organisation"], validate_constraints=False
                )
            except ValidationError as exc:
                ligne.erreurs += _messages(exc, Contact)


def _doublons(analyse: Analyse) -> None:
    """Match each row's organisation and contact against the database and the rows above
    (three queries, whatever the number of rows)."""
    lignes = [ligne for ligne in analyse.lignes if ligne.organisation.get("raison_sociale")]
    existantes = list(Organisation.objects.only("pk", "raison_sociale", "siret"))
    par_siret = {o.siret.replace(" ", ""): o for o in existantes if o.siret}
    par_nom: dict[str, Organisation] = {}
    for o in existantes:
        par_nom.setdefault(nom_normalise(o.raison_sociale), o)

    # Organisations of the file: grouped by SIRET, else by near-identical name.
    groupes: list[tuple[str, str, str]] = []  # (key, name, siret)
    for ligne in lignes:
        nom, siret = ligne.organisation["raison_sociale"], ligne.organisation.get("siret", "")
        for cle, nom_g, siret_g in groupes:
            if (siret and siret == siret_g) or (
                not (siret and siret_g and siret != siret_g) and noms_proches(nom, nom_g)
            ):
                ligne.cle_organisation, ligne.premiere_du_groupe = cle, False
                break
        else:
            ligne.cle_organisation = f"L{ligne.numero}"
            groupes.append((ligne.cle_organisation, nom, siret))
            trouvee, raison = _organisation_existante(nom, siret, existantes, par_siret, par_nom)
            if trouvee is not None:
                ligne.organisation_existante = trouvee
                ligne.doublons.append(
                    f"Organisation déjà connue ({raison}) : « {trouvee.raison_sociale} »."
                )
        if not ligne.premiere_du_groupe:
            premiere = next(x for x in lignes if x.cle_organisation == ligne.cle_organisation)
            ligne.organisation_existante = premiere.organisation_existante

    emails = {ligne.contact["email"] for ligne in lignes if ligne.contact.get("email")}
    connus = dict(
        Contact.objects.annotate(email_min=Lower("email"))
        .filter(email_min__in=emails)
        .values_list("email_min", "organisation__raison_sociale")
    )
    ids = {ligne.organisation_existante.pk for ligne in lignes if ligne.organisation_existante}
    noms_connus = {
        (org_id, sans_accents(f"{prenom} {nom}").lower().strip())
        for org_id, prenom, nom in Contact.objects.filter(organisation_id__in=ids).values_list(
            "organisation_id", "prenom", "nom"
        )
    }
    vus: set[str] = set()
    for ligne in lignes:
        if not ligne.contact or not ligne.contact.get("nom"):
            continue
        email = ligne.contact.get("email", "")
        nom_complet = (
            sans_accents(f"{ligne.contact.get('prenom', '')} {ligne.contact['nom']}")
            .lower()
            .strip()
        )
        org = ligne.organisation_existante
        if email and email in connus:
            ligne.doublons.append(f"Contact déjà connu : {email} (chez « {connus[email]} »).")
        elif email and email in vus:
            ligne.doublons.append(f"Même email qu'une ligne au-dessus : {email}.")
        elif org is not None and (org.pk, nom_complet) in noms_connus:
            ligne.doublons.append(f"{ligne.contact_nom} est déjà un contact de cette organisation.")
        else:
            ligne.contact_a_creer = True
        if email:
            vus.add(email)


def _organisation_existante(nom, siret, existantes, par_siret, par_nom):
    if siret and siret in par_siret:
        return par_siret[siret], "même SIRET"
    exacte = par_nom.get(nom_normalise(nom))
    if exacte is not None and not (
        siret and exacte.siret and exacte.siret.replace(" ", "") != siret
    ):
        return exacte, "même nom"
    for o in existantes:
        if siret and o.siret and o.siret.replace(" ", "") != siret:
            continue
        if noms_proches(nom, o.raison_sociale):
            return o, "nom presque identique"
    return None, ""


# --- Writing -----------------------------------------------------------------------------------


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


def importer(contenu: bytes, nom_fichier: str, *, par=None) -> Rapport:
    """Check the file again and write all its rows in one transaction, or nothing.

    Raises ``ErreurFichier`` or ``ImportRefuse`` (with the analysis) when any row is wrong.
    """
    with transaction.atomic():
        analyse = analyser(contenu, nom_fichier)
        if not analyse.importable:
            raise ImportRefuse(analyse)
        raison = f"Import depuis {nom_fichier}"[:100]
        creees: dict[str, Organisation] = {}
        for ligne in analyse.lignes:
            org = ligne.organisation_existante or creees.get(ligne.cle_organisation)
            if org is None:
                org = Organisation(
                    **ligne.organisation,
                    source=Source.AUTRE,
                    responsable=par if getattr(par, "pk", None) else None,
                )
                org._change_reason = raison
                org.save()
                creees[ligne.cle_organisation] = org
            if ligne.contact_a_creer:
                contact = Contact(organisation=org, **ligne.contact)
                contact._change_reason = raison
                contact.save()
    return Rapport(
        nom_fichier=nom_fichier,
        lignes=len(analyse.lignes),
        organisations_creees=len(creees),
        organisations_rattachees=analyse.organisations_rattachees,
        contacts_crees=analyse.contacts_a_creer,
        contacts_ignores=analyse.contacts_ignores,
        doublons=[
            f"Ligne {ligne.numero} : {d}" for ligne in analyse.lignes for d in ligne.doublons
        ][:200],
    )
