"""The weekly digest (DESIGN §6): « relances de la semaine ».

Each app contributes sections to the registry (``crm.extensions.section``, usually from its
``digest.py``); the same sections, for today, make the « Aujourd'hui » page. A section is
``f(user, le) -> list[Ligne]``: it sees the whole firm for the gérant and the user's own
missions and clients for a consultant.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q

from crm import emails
from crm.calendrier import debut_semaine
from crm.extensions import DIGEST, Ligne, SansEtape, Utilisateur, sans_etape, section, sections
from crm.models import DigestHebdo, StatutDigest, StatutEmail
from crm.roles import est_consultant, est_gerant, nom_utilisateur

logger = logging.getLogger(__name__)


@dataclass
class SectionRemplie:
    cle: str
    titre: str
    lignes: list[Ligne] = field(default_factory=list)
    tronquee: bool = False  # more lines than shown: see the lists in the application

    @property
    def en_retard(self) -> int:
        return sum(1 for ligne in self.lignes if ligne.en_retard)


# How many lines a section shows (the page and the email stay readable, and fast, on a large
# history); sections apply it to their querysets with ``limiter``.
LIGNES_PAR_SECTION = 50
_limite: ContextVar[int | None] = ContextVar("limite_digest", default=None)


def limiter(qs):
    """The first lines of a section's queryset, when a limit is in force."""
    limite = _limite.get()
    return qs[:limite] if limite else qs


def contenu(
    user, le: date, *, limite: int | None = LIGNES_PAR_SECTION, lieu: str = DIGEST
) -> list[SectionRemplie]:
    """The digest of ``user`` for the ISO week of ``le`` (or, with ``lieu=ACCUEIL``, the
    « Aujourd'hui » page): only non-empty sections, each showing at most ``limite`` lines
    (None: all of them)."""
    remplies = []
    jeton = _limite.set(limite)
    try:
        resultats = [(s, s.fonction(user, le)) for s in sections.tous() if lieu in s.lieux]
    finally:
        _limite.reset(jeton)
    for s, lignes in resultats:
        if lignes:
            # Overdue items first within each section.
            lignes = sorted(lignes, key=lambda ligne: not ligne.en_retard)
            remplies.append(
                SectionRemplie(
                    cle=s.cle,
                    titre=s.titre,
                    lignes=lignes,
                    tronquee=limite is not None and 0 < limite <= len(lignes),
                )
            )
    return remplies


def destinataires() -> list[Utilisateur]:
    User = get_user_model()
    return [
        u
        for u in User.objects.filter(is_active=True)
        .exclude(email="")
        .prefetch_related("groups")
        .order_by("pk")
        if est_gerant(u) or est_consultant(u)
    ]


def envoyer_digests(*, le: date) -> int:
    """Send this ISO week's digest to every active user who has something to chase.

    At most one per user per ISO week, by the database: the user's ``DigestHebdo`` row for the
    week is inserted before anything is sent (a unique constraint), so a second run, a second
    worker or a second beat finds it and skips. A user with nothing to chase gets a « vide »
    marker and no email. Running on a later day of the same week (after downtime) still sends
    that week's digest, once. Returns how many emails were sent.
    """
    annee, semaine, _ = le.isocalendar()
    envoyes = 0
    lundi = debut_semaine(le)
    for user in destinataires():
        if DigestHebdo.objects.filter(
            utilisateur=user, annee_iso=annee, semaine_iso=semaine
        ).exists():
            continue
        remplies = contenu(user, le)
        email = None
        if remplies:
            # Rendered before anything is recorded: a rendering error leaves no marker, so the
            # next run tries again.
            sujet, texte, html = emails.rendre(
                "digest",
                {"user": user, "sections": remplies, "le": le, "lundi": lundi, "semaine": semaine},
            )
        try:
            with transaction.atomic():
                # The marker and the email record commit together: after a crash past this
                # point the email is « à envoyer » and the email job sends it (once).
                marqueur = DigestHebdo.objects.create(
                    utilisateur=user,
                    annee_iso=annee,
                    semaine_iso=semaine,
                    statut=StatutDigest.EN_COURS if remplies else StatutDigest.VIDE,
                )
                if remplies:
                    email = emails.enregistrer(
                        motif="digest",
                        destinataires=[user.email],
                        sujet=sujet,
                        texte=texte,
                        html=html,
                        objet=marqueur,
                    )
                    DigestHebdo.objects.filter(pk=marqueur.pk).update(email=email)
        except IntegrityError:
            continue  # another run claimed this user's week first
        if email is None:
            continue
        emails.expedier(email)
        statut = StatutDigest.ENVOYE if email.statut == StatutEmail.ENVOYE else StatutDigest.ECHEC
        DigestHebdo.objects.filter(pk=marqueur.pk).update(statut=statut)
        # A failed digest email stays recorded « en échec » and is retried by the email job.
        envoyes += statut == StatutDigest.ENVOYE
    return envoyes


# --- The core's own sections ------------------------------------------------------------------


@section("demandes", "Demandes à qualifier", ordre=50)
def _demandes(user, le: date) -> list[Ligne]:
    from crm.selectors import demandes_nouvelles, echeance_qualification

    lignes = []
    for d in limiter(demandes_nouvelles(user=user)):
        echeance = echeance_qualification(d.recue_le)
        lignes.append(
            Ligne(
                texte=f"{d.organisation} — {d.get_type_prestation_display()} ({d.get_contexte_display().lower()})",
                url=d.get_absolute_url(),
                detail=f"reçue le {d.recue_le:%d/%m/%Y}, à qualifier avant le {echeance:%d/%m/%Y}",
                en_retard=le > echeance,
                telephone=d.contact.telephone_principal if d.contact else "",
            )
        )
    return lignes


@section("clients_cles", "Clients clés à rencontrer", ordre=60)
def _clients_cles(user, le: date) -> list[Ligne]:
    from crm.selectors import clients_cles_a_voir

    _, fin = _semaine(le)
    lignes = []
    for org in limiter(clients_cles_a_voir(fin, user=user, aujourdhui=le)):
        if org.dernier_point is None:
            detail = "aucun rendez-vous enregistré"
        else:
            detail = f"dernier point le {org.dernier_point:%d/%m/%Y} (tous les {org.frequence_point_jours} jours)"
        lignes.append(
            Ligne(
                texte=org.raison_sociale,
                url=org.get_absolute_url(),
                detail=detail,
                en_retard=org.point_du_le is None or org.point_du_le < le,
                telephone=org.telephone,
            )
        )
    return lignes


def _semaine(le: date) -> tuple[date, date]:
    from datetime import timedelta

    lundi = debut_semaine(le)
    return lundi, lundi + timedelta(days=6)


# --- Tasks, the consultant's next missions, affairs with no next step (DESIGN §10) ----------------


@section("taches", "Tâches", ordre=6)
def _taches(user, le: date) -> list[Ligne]:
    """Open tasks due by the end of the week (overdue first): the user's own, everyone's for
    the gérant. The linked object is never loaded (its link comes from its id)."""
    from django.urls import reverse

    from crm.selectors import taches_visibles, url_objet

    _, fin = _semaine(le)
    qs = taches_visibles(user).ouvertes().filter(echeance__lte=fin).order_by("echeance", "pk")
    lignes = []
    for t in limiter(qs):
        detail = [f"pour le {t.echeance:%d/%m/%Y}"]
        if t.content_type_id:
            detail.append(t.content_type.name)
        if t.responsable_id != user.pk:
            detail.append(nom_utilisateur(t.responsable))
        lignes.append(
            Ligne(
                texte=t.titre,
                url=url_objet(t),
                detail=" · ".join(detail),
                en_retard=t.echeance < le,
                terminer_url=reverse("crm:tache_terminer", args=[t.pk]),
            )
        )
    return lignes


@section("prochaines_missions", "Mes prochaines missions", ordre=7, digest=False)
def _prochaines_missions(user, le: date) -> list[Ligne]:
    """A consultant's missions starting within two weeks, or under way (the gérant has the
    missions list)."""
    from datetime import timedelta

    from crm.models import Mission, StatutMission

    if est_gerant(user):
        return []
    qs = (
        Mission.objects.filter(
            consultants=user,
            statut__in=[StatutMission.PLANIFIEE, StatutMission.EN_COURS],
            debut__lte=le + timedelta(days=14),
        )
        .filter(Q(fin__isnull=True) | Q(fin__gte=le))
        .select_related("devis__organisation")
        .order_by("debut", "pk")
    )
    return [
        Ligne(
            texte=f"{m.devis.organisation} — {m.devis.objet}",
            url=m.get_absolute_url(),
            detail=(
                f"commence le {m.debut:%d/%m/%Y}"
                if m.debut > le
                else "en cours" + (f", jusqu'au {m.fin:%d/%m/%Y}" if m.fin else "")
            ),
        )
        for m in limiter(qs)
    ]


@section("sans_prochaine_etape", "Sans prochaine étape", ordre=200, digest=False)
def _sans_prochaine_etape(user, le: date) -> list[Ligne]:
    """The gérant's list of open affairs with no future date at all, each app giving its part
    (``crm.extensions.sans_etape``): the page's promise is that an affair is closed or dated."""
    if not est_gerant(user):
        return []
    return [ligne for part in sans_etape.tous() for ligne in part.fonction(user, le)]


def _demandes_sans_etape(user, le: date) -> list[Ligne]:
    from crm.selectors import demandes_sans_prochaine_etape

    return [
        Ligne(
            texte=f"Demande — {d.organisation}",
            url=d.get_absolute_url(),
            detail=f"Go le {d.qualifiee_le:%d/%m/%Y}, pas de devis"
            if d.qualifiee_le
            else "Go, pas de devis",
            telephone=d.contact.telephone_principal if d.contact else "",
        )
        for d in limiter(demandes_sans_prochaine_etape(le))
    ]


sans_etape.ajouter(SansEtape("demandes", _demandes_sans_etape, ordre=10))
