"""The global search: one box that finds, within the user's rights, what every app contributes
(``crm.extensions.sources_recherche``).

The apps own their rows of ``IndexRecherche`` (``reindexer``, called when their objects are
saved, and ``manage.py reindexer`` for all of them); the text is normalised here, once, the
same way for what is stored and for what is typed: lower case, no accents, phone numbers as
digits. The database then finds the words by prefix with its own full-text index (FTS5 on
SQLite, trigrams on PostgreSQL), never by scanning the apps' tables, and each source loads the
few objects found through its own visibility rule, in one query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models.expressions import RawSQL

from crm.extensions import Resultat, SourceRecherche, sources_recherche
from crm.models import IndexRecherche
from crm.texte import sans_accents

LONGUEUR_MIN = 2  # fewer characters find too much to be of use
LIMITE_PAR_SOURCE = 6
# How many index matches a source looks at before its visibility rule: the most recent ones.
CANDIDATS = 200
LOT = 2000

_MOTS = re.compile(r"[a-z0-9]+")
# Something typed as a phone number: digits with spaces, dots, dashes, slashes or a leading +.
_TELEPHONE = re.compile(r"^\+?[\d\s./()-]+$")


def _mots(texte: str) -> list[str]:
    return _MOTS.findall(sans_accents(texte).lower())


def _chiffres(telephone: str) -> list[str]:
    """A phone number as digits, in the international and the national form (+33 6 → 06)."""
    chiffres = re.sub(r"\D", "", telephone)
    if not chiffres:
        return []
    formes = [chiffres]
    if telephone.strip().startswith("+33") and len(chiffres) > 2:
        formes.append("0" + chiffres[2:])
    elif chiffres.startswith("0033"):
        formes.append("0" + chiffres[4:])
    return formes


def normaliser(*parties: str, telephones: Iterable[str] = ()) -> str:
    """The stored text: words of ``parties`` and phone numbers as digits, led by a space so
    that a word's start is `` mot`` everywhere (PostgreSQL's ``LIKE '% mot%'``)."""
    mots: list[str] = []
    for partie in parties:
        if partie:
            mots.extend(_mots(partie))
    for telephone in telephones:
        if telephone:
            mots.extend(_chiffres(telephone))
    return " " + " ".join(mots) if mots else ""


@dataclass(frozen=True)
class Termes:
    """What was typed, as the prefixes to find (every one must match)."""

    saisie: str
    mots: tuple[str, ...]

    @classmethod
    def lire(cls, saisie: str) -> Termes:
        saisie = (saisie or "").strip()[:100]
        if _TELEPHONE.match(saisie) and len(re.sub(r"\D", "", saisie)) >= LONGUEUR_MIN:
            # « 06 12 » and « 06.12 » are one number: its digits, as stored.
            return cls(saisie, (_chiffres(saisie)[-1],))
        mots = tuple(_mots(saisie))[:8]
        if len("".join(mots)) < LONGUEUR_MIN:
            mots = ()
        return cls(saisie, mots)

    def __bool__(self) -> bool:
        return bool(self.mots)


def correspondances(cle: str, termes: Termes, *, candidats: int = CANDIDATS) -> RawSQL:
    """The ids of the source ``cle``'s objects whose text has every word of ``termes`` as a
    prefix of one of its words, the most recently indexed first, at most ``candidats``: for
    ``Model.objects.filter(pk__in=…)``. The words are ``[a-z0-9]+`` only (``Termes``), so
    they cannot break the full-text syntax."""
    # Only the model's own table name is put in the SQL; what was typed goes as parameters.
    table = IndexRecherche._meta.db_table
    if connection.vendor == "sqlite":
        requete = " AND ".join(f'"{m}"*' for m in termes.mots)
        # The SQL holds only the model's table name; the full-text query and the values go as
        # parameters (and the words are [a-z0-9]+: they cannot break the FTS5 syntax).
        sql = f"SELECT i.objet_id FROM {table}_fts f JOIN {table} i ON i.id = f.rowid "  # noqa: S608  # nosec B608
        sql += f"WHERE {table}_fts MATCH %s AND i.genre = %s ORDER BY f.rowid DESC LIMIT %s"
        return RawSQL(sql, (f'genre : "{cle}" AND texte : ({requete})', cle, candidats))  # noqa: S611  # nosec B611
    conditions = " AND ".join(["texte LIKE %s"] * len(termes.mots))
    return RawSQL(  # noqa: S611  # nosec B611
        f"SELECT objet_id FROM {table} WHERE genre = %s AND {conditions} "  # noqa: S608  # nosec B608
        "ORDER BY id DESC LIMIT %s",
        (cle, *[f"% {m}%" for m in termes.mots], candidats),
    )


def rechercher(
    user, saisie: str, *, limite: int = LIMITE_PAR_SOURCE
) -> list[tuple[SourceRecherche, list[Resultat]]]:
    """What ``user`` may see among the things matching ``saisie``, by source (those with
    results only): one query per source whatever the data size."""
    termes = Termes.lire(saisie)
    if not termes:
        return []
    trouves = []
    for source in sources_recherche.tous():
        resultats = source.chercher(user, termes, limite)
        if resultats:
            trouves.append((source, resultats))
    return trouves


def reindexer(*, cle: str | None = None, organisation: int | None = None, pks=None) -> int:
    """Rewrite the index rows of one source (``cle``) or all: of every object (a full rebuild),
    those of one organisation, or those ids. Returns how many rows it wrote.

    Safe to run twice or concurrently with saves: the rows of the scope are deleted and written
    again in one transaction, and (genre, objet_id) is unique in the database."""
    sources = [sources_recherche[cle]] if cle else sources_recherche.tous()
    ecrits = 0
    with transaction.atomic():
        for source in sources:
            tout = organisation is None and pks is None
            if tout:
                IndexRecherche.objects.filter(genre=source.cle).delete()
            elif pks is not None:
                # An id no longer there (deleted) yields nothing: its row goes all the same.
                IndexRecherche.objects.filter(genre=source.cle, objet_id__in=pks).delete()
            a_ecrire: list[IndexRecherche] = []
            vus: list[int] = []
            for pk, texte in source.textes(organisation=organisation, pks=pks):
                vus.append(pk)
                normal = normaliser(texte) if texte else ""
                if normal:
                    a_ecrire.append(IndexRecherche(genre=source.cle, objet_id=pk, texte=normal))
                if len(vus) >= LOT:
                    ecrits += _ecrire(source.cle, vus, a_ecrire, tout)
                    vus, a_ecrire = [], []
            ecrits += _ecrire(source.cle, vus, a_ecrire, tout)
    return ecrits


def _ecrire(cle: str, vus: list[int], lignes: list[IndexRecherche], tout: bool) -> int:
    if vus and not tout:
        IndexRecherche.objects.filter(genre=cle, objet_id__in=vus).delete()
    IndexRecherche.objects.bulk_create(lignes, batch_size=500)
    return len(lignes)


def compacter() -> None:
    """Drop from the full-text index what deleted rows left in it (SQLite keeps a deleted row's
    words in its segments until they merge): after an erasure, nothing of the person stays."""
    if connection.vendor == "sqlite":
        table = IndexRecherche._meta.db_table
        with connection.cursor() as curseur:
            # The model's table name only: no value comes from outside.
            curseur.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('optimize')")  # noqa: S608  # nosec B608
