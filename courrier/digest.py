"""What the mailbox adds to « Aujourd'hui » and the digest: replies to qualify (one click:
accepté / refusé / en discussion), out-of-office replies whose relance can move, the messages
to file, and a mailbox that could not be read for over an hour. The gérant's alone (quotes
and the mailbox are theirs)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from courrier import selectors
from courrier.models import MessageRecu
from courrier.services import boite_en_echec, date_report
from crm.digest import LIGNES_PAR_SECTION
from crm.extensions import BoutonLigne, Ligne, Utilisateur, section
from crm.roles import est_gerant
from devis.models import Devis, Reponse


def _gerant(user: Utilisateur | None) -> bool:
    return user is None or est_gerant(user)


def extrait(message: MessageRecu | None) -> str:
    if message is None:
        return ""
    qui = message.nom_expediteur or message.expediteur
    texte = Truncator(" ".join(message.texte.split())).chars(160)
    return f"{qui} : « {texte} »"


def boutons_qualifier(devis: Devis) -> tuple[BoutonLigne, ...]:
    url = reverse("courrier:qualifier", args=[devis.pk])
    return (
        BoutonLigne("Accepté", url, (("decision", Reponse.ACCEPTE),), "btn btn-sm btn-success"),
        BoutonLigne(
            "Refusé", url, (("decision", Reponse.REFUSE),), "btn btn-sm btn-outline-danger"
        ),
        BoutonLigne("En discussion", url, (("decision", Reponse.EN_DISCUSSION),)),
        BoutonLigne(
            "Pas une réponse : reprendre le suivi",
            reverse("courrier:reprendre", args=[devis.pk]),
            classe="btn btn-sm btn-outline-secondary",
        ),
    )


@section("reponses_a_qualifier", "Réponses reçues — à qualifier", ordre=12)
def reponses_a_qualifier(user: Utilisateur | None, le: date) -> list[Ligne]:
    """The client's replies that stopped a quote's clock (one click: the answer), then the
    out-of-office replies whose relance can move after the return: one query for both, and
    none without a mailbox to read (« Aujourd'hui » is held to 15 queries; a quote paused
    while IMAP_URL was set stays on the « À qualifier » page and in ``proc020``)."""
    if not _gerant(user) or not settings.IMAP:
        return []
    a_qualifier, absences = selectors.reponses_du_jour(le)
    lignes = [
        Ligne(
            texte=f"{d.numero} — {d.organisation} — {d.objet}",
            url=reverse("courrier:a_qualifier") + f"#devis-{d.pk}",
            detail=f"reçue le {timezone.localtime(d.reponse_recue_le):%d/%m/%Y à %H:%M} — "
            f"{extrait(m)} — relance suspendue",
            boutons=boutons_qualifier(d),
        )
        for d, m in a_qualifier
    ]
    lignes += [
        Ligne(
            texte=f"{d.numero} — {d.organisation} — {d.objet}",
            url=d.get_absolute_url(),
            detail=f"réponse automatique : absent(e), de retour le {m.retour_le:%d/%m/%Y} ; "
            f"relance prévue le {d.relance_due_le:%d/%m/%Y}",
            boutons=(bouton_reporter(m),),
        )
        for d, m in absences
    ]
    return lignes[:LIGNES_PAR_SECTION]


def bouton_reporter(message: MessageRecu) -> BoutonLigne:
    return BoutonLigne(
        f"Reporter la relance au lendemain de son retour ({date_report(message):%d/%m/%Y})",
        reverse("courrier:reporter", args=[message.pk]),
    )


@section("courrier_a_classer", "Emails à classer", ordre=24, accueil=False)
def a_classer(user: Utilisateur | None, le: date) -> list[Ligne]:
    if not _gerant(user):
        return []
    nombre = selectors.a_classer().count()
    if not nombre:
        return []
    return [
        Ligne(
            texte=f"{nombre} email(s) reçu(s) sans client reconnu",
            url=reverse("courrier:a_classer"),
            detail="à rattacher à une organisation, transformer en demande ou ignorer",
        )
    ]


@section("courrier_injoignable", "Boîte mail injoignable", ordre=5, accueil=False)
def injoignable(user: Utilisateur | None, le: date) -> list[Ligne]:
    """In the digest (and as a banner on the mailbox's pages; « Aujourd'hui » keeps its query
    budget): failures of over an hour only, so one network hiccup, retried five minutes later,
    never alarms anyone. Reads the clock, as the digest's sending does."""
    if not _gerant(user):
        return []
    etat = boite_en_echec(maintenant=timezone.now())
    if etat is None:
        return []
    return [
        Ligne(
            texte=f"Le courrier n'est plus relevé depuis le "
            f"{timezone.localtime(etat.en_echec_depuis):%d/%m/%Y à %H:%M}",
            detail=f"{etat.echecs} essai(s) en échec — {Truncator(etat.erreur).chars(200)}",
            en_retard=True,
        )
    ]
