"""Reading an uploaded contact file into rows of text, safely.

CSV: « ; », « , » or tab, UTF-8 with or without BOM, else Windows-1252. Excel (.xlsx): the file
is a zip of XML; a few kilobytes can declare a sheet of a million rows by 16 384 columns (its
``<dimension>``) or inflate to gigabytes. So, before openpyxl parses anything, the archive's
directory is checked (members, total declared size, compression ratio; Python's zipfile never
inflates a member past its declared size, so the declared sizes bound what is read), then the
sheet is read in openpyxl's streaming mode with explicit row and column bounds, ignoring the
declared dimension, and reading stops one row past the limit.
"""

from __future__ import annotations

import csv
import io
import zipfile
from xml.parsers import expat

from openpyxl import load_workbook

from pilotage.forms import TAILLE_MAX_IMPORT

LIGNES_MAX = 5000
COLONNES_MAX = 200  # Outlook's CSV export has 92 columns; no contact file needs more
DECOMPRESSE_MAX = 50 * 1024 * 1024
RATIO_MAX = 100  # real workbooks compress 5 to 20 times; a bomb, thousands of times
MEMBRES_MAX = 200
# Excel's own width; openpyxl builds a whole row in memory before cutting it to COLONNES_MAX,
# so a row of millions of cells (a few kilobytes once compressed) must be refused before.
ELEMENTS_PAR_LIGNE_MAX = 4 * 16384
ELEMENTS_MAX = 1_000_000  # per XML member; 5 000 rows of 60 filled cells need 600 000


class ErreurFichier(Exception):
    """The file cannot be read at all (encoding, format, size, no recognised column)."""


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


def _illisible() -> ErreurFichier:
    return ErreurFichier("Ce fichier Excel est illisible : enregistrez-le au format .xlsx.")


def _trop_de_lignes() -> ErreurFichier:
    return ErreurFichier(f"Le fichier compte plus de {LIGNES_MAX} lignes : découpez-le.")


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
    lignes: list[list[str]] = []
    try:
        for cellules in csv.reader(io.StringIO(texte, newline=""), delimiter=separateur):
            if len(lignes) > LIGNES_MAX:  # the header and LIGNES_MAX rows are allowed
                raise _trop_de_lignes()
            lignes.append(cellules)
    except csv.Error as exc:
        raise ErreurFichier(f"Ce fichier CSV est mal formé ({exc}).") from exc
    return lignes


def _cellule(valeur) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, float) and valeur.is_integer():
        valeur = int(valeur)  # Excel stores SIRETs, postcodes and phones as numbers
    if hasattr(valeur, "strftime"):
        return valeur.strftime("%d/%m/%Y")
    return str(valeur)


def verifier_archive(contenu: bytes) -> None:
    """Refuse, from the zip directory alone, an archive too big once inflated."""
    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            membres = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _illisible() from exc
    if len(membres) > MEMBRES_MAX:
        raise ErreurFichier(
            f"Ce classeur Excel contient trop d'éléments ({len(membres)}) : "
            "enregistrez la feuille seule, ou exportez-la en CSV."
        )
    decompresse = sum(m.file_size for m in membres)
    compresse = max(sum(m.compress_size for m in membres), 1)
    if decompresse > DECOMPRESSE_MAX or decompresse > RATIO_MAX * compresse:
        raise ErreurFichier(
            "Ce classeur Excel est anormalement volumineux une fois décompressé "
            f"({decompresse // (1024 * 1024)} Mo pour un fichier de {len(contenu) // 1024} ko) : "
            "il est refusé. Exportez la feuille en CSV."
        )


def _verifier_xml(flux) -> None:
    """Count a member's XML elements with expat (no tree kept) before openpyxl builds trees of
    them: rows beyond the limit, a row of millions of cells, millions of elements anywhere
    (openpyxl keeps the cleared elements of a sheet without ``<dimension>`` in memory)."""
    analyseur = expat.ParserCreate()
    etat = {"dans_ligne": False, "elements": 0, "dans_la_ligne": 0, "lignes": 0}

    def debut(nom: str, _attributs) -> None:
        etat["elements"] += 1
        if etat["elements"] > ELEMENTS_MAX:
            raise ErreurFichier(
                "Ce classeur Excel contient anormalement beaucoup d'éléments : il est refusé. "
                "Exportez la feuille en CSV."
            )
        if nom.rpartition(":")[2] == "row":
            etat.update(dans_ligne=True, dans_la_ligne=0, lignes=etat["lignes"] + 1)
            if etat["lignes"] > LIGNES_MAX + 1:
                raise _trop_de_lignes()
        elif etat["dans_ligne"]:
            etat["dans_la_ligne"] += 1
            if etat["dans_la_ligne"] > ELEMENTS_PAR_LIGNE_MAX:
                raise ErreurFichier(
                    f"La ligne {etat['lignes']} de ce classeur Excel est anormalement longue : "
                    "il est refusé. Exportez la feuille en CSV."
                )

    def fin(nom: str) -> None:
        if nom.rpartition(":")[2] == "row":
            etat["dans_ligne"] = False

    analyseur.StartElementHandler = debut
    analyseur.EndElementHandler = fin
    try:
        while morceau := flux.read(256 * 1024):
            analyseur.Parse(morceau, False)
        analyseur.Parse(b"", True)
    except expat.ExpatError as exc:
        raise _illisible() from exc


def _lire_xlsx(contenu: bytes) -> list[list[str]]:
    verifier_archive(contenu)
    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            # Every XML member, not only xl/worksheets/: the workbook's relations may put a
            # sheet anywhere, and styles and shared strings are parsed whole too.
            for membre in archive.infolist():
                with archive.open(membre) as flux:
                    debut = flux.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
                if debut.startswith(b"<"):
                    with archive.open(membre) as flux:
                        _verifier_xml(flux)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
        # A member that is encrypted, oddly compressed, or longer than it declares.
        raise _illisible() from exc
    try:
        classeur = load_workbook(io.BytesIO(contenu), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on a damaged or foreign file
        raise _illisible() from exc
    try:
        feuille = classeur.active
        if feuille is None or not hasattr(feuille, "iter_rows"):
            raise ErreurFichier("Ce classeur Excel n'a pas de feuille de calcul à lire.")
        lignes: list[list[str]] = []
        # Explicit bounds: the declared <dimension> (which a bomb sets to the whole sheet)
        # would otherwise pad every row to 16 384 cells and fill every missing row.
        for valeurs in feuille.iter_rows(
            min_row=1, max_row=LIGNES_MAX + 2, max_col=COLONNES_MAX, values_only=True
        ):
            if len(lignes) > LIGNES_MAX:
                raise _trop_de_lignes()
            lignes.append([_cellule(v) for v in valeurs])
    except ErreurFichier:
        raise
    except Exception as exc:
        raise _illisible() from exc
    finally:
        classeur.close()
    # Trailing empty columns (styled but blank cells) are dropped, as a CSV export would.
    largeur = max((i + 1 for ligne in lignes for i, v in enumerate(ligne) if v), default=0)
    return [ligne[:largeur] for ligne in lignes]


def lire(contenu: bytes, nom: str) -> list[list[str]]:
    """The file's rows, header first, every cell as text; at most ``LIGNES_MAX`` rows."""
    if len(contenu) > TAILLE_MAX_IMPORT:
        raise ErreurFichier(f"Le fichier dépasse {TAILLE_MAX_IMPORT // (1024 * 1024)} Mo.")
    if nom.lower().endswith(".xlsx"):
        return _lire_xlsx(contenu)
    return _lire_csv(contenu)
