"""Heavy work in the background: a ``Travail`` row, a Celery task, a file when it is done.

The view creates the row and enqueues the task after commit (``lancer``); the worker claims the
row, runs the builder of its kind with a progress callback, writes the file into a private
folder (0700, the file 0600) and leaves the row ``termine`` or ``echoue`` (``executer``). The
builders are pilotage's own (audit file, review, exports, import): they read the registry, so
this module names no app. A daily rule (``pilotage.regles``) deletes the files past their time.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone

from pilotage import audit, exports, importation, revue
from pilotage.models import Travail

logger = logging.getLogger(__name__)

Statut = Travail.Statut
# A row left « en cours » longer than a task may run belongs to a dead worker: taken again.
DUREE_MAX = timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 15 * 60) + 60)


class ErreurTravail(Exception):
    """A failure the user can act on; its message (French) is shown on the job's page."""


@dataclass
class Produit:
    """What a builder made: the download name and type of the file it wrote (none for an
    import), and what the job's page shows besides (the import's report)."""

    nom_fichier: str = ""
    type_mime: str = ""
    resultat: dict[str, Any] = field(default_factory=dict)


Fabrique = Callable[[dict, BinaryIO, Any, exports.Progres], Produit]


def dossier() -> Path:
    """The private folder of the jobs' files, readable by the app's user alone."""
    chemin = Path(settings.MEDIA_ROOT) / "travaux"
    chemin.mkdir(mode=0o700, parents=True, exist_ok=True)
    return chemin


def dossier_imports() -> Path:
    """Where an uploaded import waits between its preview and its confirmation."""
    chemin = Path(settings.MEDIA_ROOT) / "imports"
    chemin.mkdir(mode=0o700, parents=True, exist_ok=True)
    return chemin


def chemin_fichier(travail: Travail) -> Path | None:
    if not travail.fichier:
        return None
    chemin = dossier() / Path(travail.fichier).name  # only a name of ours, never a path
    return chemin if chemin.is_file() else None


# --- The builders, by kind ---------------------------------------------------------------------


def _periode(p: dict) -> tuple[date, date, date]:
    return date.fromisoformat(p["debut"]), date.fromisoformat(p["fin"]), date.fromisoformat(p["le"])


def _dossier_audit(p: dict, sortie: BinaryIO, user, progres: exports.Progres) -> Produit:
    debut, fin, le = _periode(p)
    audit.construire_dossier_audit(debut, fin, sortie, le=le, progres=progres)
    return Produit(audit.nom_fichier(debut, fin), "application/zip")


def _revue_direction(p: dict, sortie: BinaryIO, user, progres: exports.Progres) -> Produit:
    debut, fin, le = _periode(p)
    sortie.write(revue.revue_direction_pdf(debut, fin, le=le, progres=progres))
    return Produit(revue.nom_fichier(debut, fin), "application/pdf")


def _export(p: dict, sortie: BinaryIO, user, progres: exports.Progres) -> Produit:
    export = exports.liste(p["liste"], user)
    if export is None:
        raise ErreurTravail("Cette liste n'est pas (ou plus) exportable pour votre compte.")
    filtres = QueryDict(mutable=True)
    for cle, valeurs in p.get("filtres", {}).items():
        filtres.setlist(cle, valeurs)
    format = p["format"] if p.get("format") in exports.FORMATS else "csv"
    sortie.write(exports.exporter_liste(export, filtres, user, format, progres=progres))
    type_mime, extension = exports.FORMATS[format]
    return Produit(f"{p['liste']}-{p['le']}.{extension}", type_mime)


def _import(p: dict, sortie: BinaryIO, user, progres: exports.Progres) -> Produit:
    source = Path(p["fichier"])
    chemin = dossier_imports() / source.name
    if not source.name or not chemin.is_file():
        raise ErreurTravail("Le fichier à importer n'est plus disponible : recommencez.")
    progres(10, "Contrôle et enregistrement des lignes")
    try:
        rapport = importation.importer(chemin.read_bytes(), p.get("nom", ""), par=user)
    except importation.ErreurFichier as exc:
        raise ErreurTravail(str(exc)) from exc
    except importation.ImportRefuse as exc:
        raise ErreurTravail(
            "Le fichier contient des erreurs : rien n'a été enregistré. Corrigez-les et "
            "importez-le de nouveau."
        ) from exc
    finally:
        chemin.unlink(missing_ok=True)
    return Produit(resultat=rapport.en_dict())


FABRIQUES: dict[str, Fabrique] = {
    Travail.Genre.DOSSIER_AUDIT: _dossier_audit,
    Travail.Genre.REVUE_DIRECTION: _revue_direction,
    Travail.Genre.EXPORT: _export,
    Travail.Genre.IMPORT: _import,
}


# --- Services ----------------------------------------------------------------------------------


def lancer(*, genre: str, user, titre: str, parametres: dict) -> Travail:
    """Record the job and hand it to a worker once the row is committed (a worker never looks
    for a row that is not there yet). ``parametres`` are JSON: ISO dates, lists of strings."""
    if genre not in FABRIQUES:
        raise ValueError(f"Genre de travail inconnu : {genre}")
    travail = Travail.objects.create(genre=genre, user=user, titre=titre, parametres=parametres)
    from pilotage.tasks import executer_travail

    transaction.on_commit(lambda: executer_travail.delay(travail.pk))
    return travail


def _reclamer(travail_id: int) -> bool:
    """Take the row for this run: one conditional update, so two deliveries of the message
    never both build the file. A row « en cours » for longer than a task may live was left by a
    killed worker (the message is redelivered, acks late) and is taken again."""
    maintenant = timezone.now()
    return (
        Travail.objects.filter(pk=travail_id)
        .filter(
            Q(statut=Statut.A_FAIRE)
            | Q(statut=Statut.EN_COURS, commence_le__lt=maintenant - DUREE_MAX)
        )
        .update(statut=Statut.EN_COURS, commence_le=maintenant, progression=0, message="")
        == 1
    )


def _progres(travail_id: int) -> exports.Progres:
    def progres(pourcentage: int, message: str) -> None:
        # One short statement in autocommit: the page polling sees it at once, and no
        # transaction stays open while WeasyPrint renders.
        Travail.objects.filter(pk=travail_id, statut=Statut.EN_COURS).update(
            progression=max(0, min(99, int(pourcentage))), message=message[:200]
        )

    return progres


def executer(travail_id: int) -> str:
    """Build the job's file; returns the final status (or "" when the row was not claimed).

    Safe twice: a second delivery finds the row claimed or finished and does nothing. After a
    worker's death, the redelivered message takes the stale row again and starts over (the
    half-written file is replaced). A failure is stored on the row, in French, never raised:
    retrying a job that failed on its data would fail again.
    """
    if not _reclamer(travail_id):
        return ""
    travail = Travail.objects.select_related("user").get(pk=travail_id)
    nom = f"{secrets.token_hex(16)}.bin"
    chemin = dossier() / nom
    try:
        descripteur = os.open(chemin, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descripteur, "wb") as sortie:
            produit = FABRIQUES[travail.genre](
                travail.parametres, sortie, travail.user, _progres(travail_id)
            )
    except Exception as exc:
        chemin.unlink(missing_ok=True)
        if isinstance(exc, ErreurTravail):
            erreur = str(exc)
        else:
            logger.exception("Travail %s (%s) en échec", travail_id, travail.genre)
            erreur = (
                "La préparation a échoué sur une erreur inattendue. Réessayez ; si l'erreur "
                "revient, prévenez l'administrateur (le détail est dans le journal)."
            )
        Travail.objects.filter(pk=travail_id).update(
            statut=Statut.ECHOUE, erreur=erreur, message="", termine_le=timezone.now()
        )
        return Statut.ECHOUE
    if not produit.nom_fichier:
        chemin.unlink(missing_ok=True)
    Travail.objects.filter(pk=travail_id).update(
        statut=Statut.TERMINE,
        progression=100,
        message="Terminé",
        fichier=nom if produit.nom_fichier else "",
        nom_fichier=produit.nom_fichier,
        type_mime=produit.type_mime,
        resultat=produit.resultat,
        termine_le=timezone.now(),
    )
    return Statut.TERMINE


def expires(*, le: date, jours: int):
    """Finished jobs whose file was made ``jours`` days or more before ``le``."""
    return Travail.objects.filter(
        statut=Statut.TERMINE, termine_le__date__lte=le - timedelta(days=jours)
    ).exclude(fichier="")


def supprimer_expires(*, le: date, jours: int, simuler: bool = False) -> list[str]:
    """Delete the files past their time and mark their rows (the marker the query excludes, so
    a second run deletes nothing more). Returns « #id titre » of each."""
    faits = []
    for travail in expires(le=le, jours=jours):
        faits.append(f"#{travail.pk} {travail.titre}")
        if simuler:
            continue
        chemin = chemin_fichier(travail)
        if chemin is not None:
            chemin.unlink(missing_ok=True)
        Travail.objects.filter(pk=travail.pk).update(fichier="", expire_le=timezone.now())
    return faits
