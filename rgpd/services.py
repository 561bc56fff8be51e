"""RGPD actions (CNIL référentiel « gestion commerciale »): flag and anonymise inactive
prospects, export and erase one person's data, record an objection to prospecting.

Every action writes one ``JournalRGPD`` line in the same transaction as its effect. ``rgpd``
names no app: each app contributes its part of a person's data (export, erasure, anonymisation,
last activity) through ``crm.extensions.donnees_personnelles``. Erasure and anonymisation keep
the legal records (quotes, agreements, complaints, emails sent: PROC-020 §4) but strip the
personal data from them and from their change history, in place.
"""

from __future__ import annotations

import csv
import io
import logging
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from crm.effacement import Mentions
from crm.extensions import donnees_personnelles
from crm.historique import motiver
from crm.models import Contact, Organisation
from crm.recherche import compacter, reindexer
from crm.roles import GERANT
from crm.texte import sans_formule
from rgpd import selectors
from rgpd.balayage import balayer
from rgpd.models import ActionRGPD, JournalRGPD, Signalement, StatutSignalement

logger = logging.getLogger(__name__)

# Notice between the flag (shown in the gérant's digest) and the anonymisation.
PREAVIS_JOURS = 30
EFFACE = "[effacé]"
ANONYMISE = "[anonymisé]"


def journaliser(*, action: str, cible, par=None, detail: str = "") -> JournalRGPD:
    return JournalRGPD.objects.create(
        action=action,
        cible_type=cible._meta.label,
        cible_id=cible.pk,
        par=par if getattr(par, "pk", None) else None,
        detail=detail,
    )


def mentions_de(contact: Contact) -> Mentions:
    return Mentions.de(
        prenom=contact.prenom,
        nom=contact.nom,
        emails=[contact.email],
        telephones=[contact.telephone, contact.mobile],
    )


def _effacer(contact: Contact, *, le: date) -> None:
    """Every app removes the person from its rows (``effacer``), then a sweep of every table
    catches what names them elsewhere (``balayage``)."""
    mentions = mentions_de(contact)
    for part in donnees_personnelles.tous():
        part.effacer(contact, mentions=mentions, remplacement=EFFACE, le=le)
    balayer(mentions, remplacement=EFFACE)
    # The search index is rewritten from the cleaned rows: the person's words leave it too.
    reindexer(organisation=contact.organisation_id)
    transaction.on_commit(compacter)


# --- Per-person rights ---------------------------------------------------------------------------


def donnees_contact(contact: Contact) -> dict:
    """Everything the CRM holds about one person (right of access and portability): each app's
    part (``crm.extensions.donnees_personnelles``), under its own headings."""
    donnees: dict = {
        "genere_le": timezone.now().isoformat(),
        "responsable_du_traitement": _responsable(),
    }
    for part in donnees_personnelles.tous():
        donnees.update(part.exporter(contact))
    return donnees


def _responsable() -> str:
    from crm.models import Entreprise

    return str(Entreprise.courante())


def donnees_en_csv(donnees: dict) -> str:
    """The same data as one CSV table (rubrique; n°; champ; valeur), « ; »-separated for a
    French spreadsheet."""
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=";", lineterminator="\r\n")
    ecrivain.writerow(["rubrique", "n°", "champ", "valeur"])
    for cle in ("genere_le", "responsable_du_traitement"):
        ecrivain.writerow(["export", "", cle, donnees[cle]])
    for rubrique, contenu in donnees.items():
        if isinstance(contenu, dict):
            for champ, valeur in contenu.items():
                ecrivain.writerow([rubrique, "", champ, _cellule(valeur)])
            continue
        if not isinstance(contenu, list):
            continue
        for n, ligne in enumerate(contenu, start=1):
            for champ, valeur in ligne.items():
                if isinstance(valeur, dict):
                    for sous_champ, sous_valeur in valeur.items():
                        ecrivain.writerow(
                            [rubrique, n, f"{champ}.{sous_champ}", _cellule(sous_valeur)]
                        )
                else:
                    ecrivain.writerow([rubrique, n, champ, _cellule(valeur)])
    return sortie.getvalue()


def _cellule(valeur) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    return sans_formule(str(valeur))


def exporter_contact(contact: Contact, *, format: str, par=None) -> dict:
    """The person's data, and a log line saying who exported it and in which format."""
    donnees = donnees_contact(contact)
    journaliser(action=ActionRGPD.EXPORT, cible=contact, par=par, detail=f"Export {format.upper()}")
    return donnees


def effacer_contact(contact: Contact, *, le: date, par=None) -> Contact:
    """Erase one person (right to erasure) while keeping the legal records.

    The contact row stays, since quotes, agreements, surveys and complaints point to it, but
    it no longer holds any personal data: name, email and phones are replaced, the person is
    archived and marked « ne pas prospecter », mentions of them are removed from their
    exchanges, complaints and the emails sent to them, and the history of those rows is
    rewritten. Accepted quotes thus stay, anonymised; the organisation is kept.
    """
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        _effacer(contact, le=le)
        journaliser(
            action=ActionRGPD.EFFACEMENT,
            cible=contact,
            par=par,
            detail=f"Contact de l'organisation {contact.organisation_id}, effacé le {le:%d/%m/%Y}",
        )
    contact.refresh_from_db()
    return contact


def changer_opposition(objet: Contact | Organisation, *, valeur: bool, par=None) -> None:
    """Set « ne pas prospecter » on a contact or an organisation (right to object)."""
    modele = type(objet)
    with transaction.atomic():
        objet = modele.objects.select_for_update().get(pk=objet.pk)
        if objet.ne_pas_prospecter == valeur:
            return
        objet.ne_pas_prospecter = valeur
        motiver(objet, "Opposition à la prospection (RGPD)")
        objet.save(update_fields=["ne_pas_prospecter", "modifie_le"])
        journaliser(
            action=ActionRGPD.OPPOSITION,
            cible=objet,
            par=par,
            detail="Ne pas prospecter : oui" if valeur else "Ne pas prospecter : non",
        )


# --- Inactive prospects (the daily rule) ---------------------------------------------------------


def signaler_prospects_inactifs(le: date) -> tuple[list[str], list[str]]:
    """Flag every prospect with no contact for 3 years; lift the flags of those who came back
    (a new exchange, request or quote, or who became clients). Returns (flagged, lifted).

    Idempotent: an open flag is unique per organisation (database constraint) and a flagged
    organisation leaves the candidate set; catches up on any date after the threshold.
    """
    signales: list[str] = []
    leves: list[str] = []
    ouverts = set(selectors.signalements_ouverts().values_list("organisation_id", flat=True))
    # Read once: the same set serves to flag and, below, to lift the flags of the others.
    inactifs = list(selectors.prospects_inactifs(le).values_list("pk", "dernier_contact"))
    for pk, dernier in inactifs:
        if pk in ouverts:
            continue
        try:
            with transaction.atomic():
                s = Signalement.objects.create(
                    organisation_id=pk, signale_le=le, dernier_contact_le=dernier
                )
                journaliser(
                    action=ActionRGPD.SIGNALEMENT,
                    cible=s.organisation,
                    detail=f"Dernier contact le {dernier:%d/%m/%Y} : anonymisation prévue "
                    f"à partir du {le + timedelta(days=PREAVIS_JOURS):%d/%m/%Y}",
                )
        except IntegrityError:
            continue  # flagged by a concurrent run
        signales.append(f"Organisation {pk}")
    toujours_inactifs = {pk for pk, _ in inactifs}
    for s in selectors.signalements_ouverts().exclude(organisation_id__in=toujours_inactifs):
        with transaction.atomic():
            if Signalement.objects.filter(pk=s.pk, statut=StatutSignalement.SIGNALE).update(
                statut=StatutSignalement.LEVE, clos_le=le
            ):
                journaliser(
                    action=ActionRGPD.LEVEE,
                    cible=s.organisation,
                    detail="Nouveau contact ou devenu client : données conservées",
                )
                leves.append(f"Organisation {s.organisation_id}")
    return signales, leves


def gerant_averti_depuis(signalement: Signalement) -> bool:
    """Whether a gérant's weekly digest has gone out since the flag was raised (the digest lists
    every open flag to the gérant, so any such digest carried the warning)."""
    from crm.models import DigestHebdo, StatutDigest

    return (
        DigestHebdo.objects.filter(
            statut=StatutDigest.ENVOYE,
            cree_le__gte=signalement.cree_le,
            utilisateur__is_active=True,
        )
        .filter(Q(utilisateur__groups__name=GERANT) | Q(utilisateur__is_superuser=True))
        .exists()
    )


def anonymiser_prospects_dus(le: date) -> list[str]:
    """Anonymise the flagged prospects whose notice has run (30 days) and whose flag reached a
    gérant in a digest. Each organisation is claimed by a conditional update of its flag, so
    two runs never anonymise it twice; a flag that still holds is simply done on a later day."""
    faits: list[str] = []
    dus = selectors.signalements_ouverts().filter(
        signale_le__lte=le - timedelta(days=PREAVIS_JOURS)
    )
    for s in dus:
        if not gerant_averti_depuis(s):
            continue
        # Re-check under the claim: a contact since the flag lifts it instead.
        if not selectors.prospects_inactifs(le).filter(pk=s.organisation_id).exists():
            continue
        with transaction.atomic():
            if not Signalement.objects.filter(pk=s.pk, statut=StatutSignalement.SIGNALE).update(
                statut=StatutSignalement.ANONYMISE, clos_le=le
            ):
                continue
            anonymiser_organisation(s.organisation, le=le)
        faits.append(f"Organisation {s.organisation_id}")
    return faits


def anonymiser_organisation(org: Organisation, *, le: date, par=None) -> None:
    """Strip a prospect of every personal datum: its contacts (as for an erasure), then each
    app's records of it (``anonymiser``: its name and address, the summaries of its exchanges,
    its requests' and quotes' texts…). Rows stay (the figures — counts, amounts, sectors —
    remain usable)."""
    for contact in Contact.objects.filter(organisation=org):
        _effacer(contact, le=le)
    for part in donnees_personnelles.tous():
        part.anonymiser(org, remplacement=ANONYMISE, le=le)
    # The search index holds the organisation's former name and texts: rewritten from the
    # anonymised rows, and the full-text files compacted so no old word survives in them.
    reindexer(organisation=org.pk)
    transaction.on_commit(compacter)
    journaliser(
        action=ActionRGPD.ANONYMISATION,
        cible=org,
        par=par,
        detail=f"Prospect sans contact depuis plus de 3 ans, anonymisé le {le:%d/%m/%Y}",
    )
