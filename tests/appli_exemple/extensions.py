"""The example app's contributions of the other kinds: dashboard figures, audit piece, export,
calendar entries, personal data, task target (and, from ``pages``, a page action and panel)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count

from crm.extensions import (
    Carte,
    CibleTache,
    DonneesPersonnelles,
    EntreeAgenda,
    Export,
    GroupeCartes,
    Indicateurs,
    PieceAudit,
    SourceAgenda,
    cibles_taches,
    donnees_personnelles,
    exports,
    indicateurs,
    pieces_audit,
    sources_agenda,
)
from crm.periodes import dans, une_des
from crm.roles import est_gerant
from tests.appli_exemple.models import Note

from . import pages, recherche  # noqa: F401

TITRE = "Notes d'exemple"


def _gerant(user) -> bool:
    return est_gerant(user)


# --- Dashboard: the notes written in each period, in one query ---------------------------------


def _calculer(periodes, *, le) -> list[dict]:
    comptes = Note.objects.filter(une_des("ecrite_le", periodes)).aggregate(
        **{f"p{i}": Count("pk", filter=dans("ecrite_le", p)) for i, p in enumerate(periodes)}
    )
    return [{"notes_exemple": comptes[f"p{i}"]} for i in range(len(periodes))]


def _cartes(c, p) -> list[GroupeCartes]:
    return [
        GroupeCartes(
            TITRE, "journal-text", [Carte("Notes écrites", c.notes_exemple, p.notes_exemple)], 900
        )
    ]


indicateurs.ajouter(
    Indicateurs(
        "appli_exemple",
        calculer=_calculer,
        cartes=_cartes,
        revue=lambda c, p: {"notes_exemple_revue": c.notes_exemple},
        ordre=900,
        revue_synthese="appli_exemple/revue/_synthese.html",
        # Between the firm's complaints (40) and follow-up discipline (50): numbered in between.
        revue_sections=((45, "appli_exemple/revue/_notes.html"),),
        tableau_panneaux=((900, "appli_exemple/_tableau_notes.html"),),
    )
)


# --- Audit file, export, calendar ---------------------------------------------------------------


def _lignes(debut=None, fin=None):
    qs = Note.objects.select_related("contact__organisation").order_by("pk")
    if debut is not None:
        qs = qs.filter(dans("ecrite_le", (debut, fin)))
    return [(n.pk, str(n.contact.organisation), n.ecrite_le.isoformat(), n.texte) for n in qs]


ENTETES = ["N°", "Organisation", "Écrite le", "Texte"]


def _ajouter_audit(dossier, *, debut, fin, le) -> None:
    dossier.table(
        "appli_exemple/notes.csv", ENTETES, _lignes(debut, fin), "Notes d'exemple de la période"
    )


pieces_audit.ajouter(PieceAudit("appli_exemple", TITRE, ajouter=_ajouter_audit, ordre=900))
exports.ajouter(
    Export(
        "appli_exemple",
        TITRE,
        lignes=lambda params, user: (ENTETES, _lignes()),
        libelle=TITRE,
        dossier_client=lambda org: (
            ENTETES,
            [ligne for ligne in _lignes() if ligne[1] == str(org)],
        ),
        visible=_gerant,
        ordre=900,
    )
)


def _agenda(user, *, le, horizon) -> list[EntreeAgenda]:
    if not est_gerant(user):
        return []
    qs = Note.objects.filter(a_relire_le__range=(le - timedelta(days=30), horizon))
    return [
        EntreeAgenda(uid=f"appli-exemple-{n.pk}", jour=n.a_relire_le, titre="Relire une note")
        for n in qs.order_by("a_relire_le", "pk")
    ]


sources_agenda.ajouter(SourceAgenda("appli_exemple", _agenda, ordre=900))


# --- Personal data: a contact's notes are theirs ------------------------------------------------


def _exporter(contact) -> dict:
    return {
        "notes": [
            {"ecrite_le": n.ecrite_le.isoformat(), "texte": n.texte}
            for n in Note.objects.filter(contact=contact).order_by("pk")
        ]
    }


def _effacer(contact, *, mentions, remplacement, le) -> None:
    # Notes about a person are not records the law makes the firm keep: they go.
    Note.objects.filter(contact=contact).delete()


donnees_personnelles.ajouter(
    DonneesPersonnelles("appli_exemple", TITRE, exporter=_exporter, effacer=_effacer, ordre=900)
)
cibles_taches.ajouter(
    CibleTache(
        "appli_exemple",
        "appli_exemple.Note",
        "Note d'exemple",
        visibles=lambda user: Note.objects.all() if est_gerant(user) else Note.objects.none(),
        ordre=900,
    )
)
