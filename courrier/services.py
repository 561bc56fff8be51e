"""Reading the firm's mailbox and acting on what it holds (issue 15, DESIGN §10).

Exactly once, whatever happens:
- each message is recorded under a unique key (its Message-ID, or a hash of its bytes) in the
  same transaction as everything it causes (its Interaction, its attachments, the pause of a
  quote's clock): a second worker reading the same message at the same moment fails on the key
  and rolls back, so it changes nothing;
- the mailbox is marked (``\\Seen``, or moved) only after that commit, and the last UID read is
  kept per folder and UIDVALIDITY: a crash between the two re-reads the message, which the key
  then skips; a new UIDVALIDITY re-reads the folder, likewise without duplicates;
- a server that cannot be reached is retried with back-off (5, 10, 20… minutes, at most an
  hour), the failure stored on ``EtatBoite`` and shown to the gérant after an hour;
- a message that cannot be read is kept aside with the reason, and the batch goes on.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from courrier import analyse, imap, rattachement
from courrier.models import EtatBoite, MessageRecu, PieceJointeRecue, StatutMessage
from crm.calendrier import ajouter_jours_ouvres
from crm.exceptions import RefusMetier
from crm.extensions import Utilisateur
from crm.forms import SIGNATURES
from crm.models import (
    Canal,
    Contact,
    Contexte,
    Demande,
    Interaction,
    Organisation,
    SensInteraction,
    Source,
    TypeInteraction,
)
from crm.services import enregistrer_demande
from devis.models import Devis
from devis.services import reporter_relance, signaler_reponse_recue

logger = logging.getLogger(__name__)
ECHEC_VISIBLE_APRES = timedelta(hours=1)


@dataclass
class Bilan:
    lus: int = 0
    rattaches: int = 0
    a_classer: int = 0
    ignores: int = 0  # automatic replies and unreadable messages: nothing to file
    automatiques: int = 0
    malformes: int = 0
    deja_lus: int = 0
    erreur: str = ""

    def compter(self, statut: str | None) -> None:
        if statut is None:
            self.deja_lus += 1
            return
        self.lus += 1
        if statut == StatutMessage.RATTACHE:
            self.rattaches += 1
        elif statut == StatutMessage.A_CLASSER:
            self.a_classer += 1
        else:
            self.ignores += 1
            self.automatiques += statut == StatutMessage.AUTOMATIQUE
            self.malformes += statut == StatutMessage.MALFORME

    def en_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- Reading ------------------------------------------------------------------------------------


def relever(*, maintenant: datetime | None = None, forcer: bool = False) -> Bilan:
    """Read the new messages of the configured folder, each once. Reads the clock (an edge,
    like a view): ``maintenant`` is for tests. Refuses when ``IMAP_URL`` is not set."""
    config = settings.IMAP
    if not config:
        raise RefusMetier("Aucune boîte mail à relever : IMAP_URL n'est pas configurée.")
    maintenant = maintenant or timezone.now()
    bilan = Bilan()
    etat, _ = EtatBoite.objects.get_or_create(dossier=config["dossier"])
    if not forcer and etat.prochain_essai and etat.prochain_essai > maintenant:
        bilan.erreur = f"Nouvel essai après {timezone.localtime(etat.prochain_essai):%H:%M}."
        return bilan
    try:
        with imap.ouvrir(config) as boite:
            validite = imap.uidvalidity(boite, config["dossier"])
            dernier = etat.dernier_uid if etat.uidvalidity == validite else 0
            if etat.uidvalidity != validite:
                # The folder was rebuilt: its UIDs mean nothing now. Read it again; the keys
                # of the messages already recorded make that harmless.
                EtatBoite.objects.filter(pk=etat.pk).update(uidvalidity=validite, dernier_uid=0)
            for uid in imap.uids_apres(boite, dernier):
                lu = imap.lire(boite, uid, taille_max=settings.CRM_COURRIER_TAILLE_MAX_MESSAGE)
                if lu is not None:
                    brut, incomplet = lu
                    statut = enregistrer_message(
                        brut, incomplet=incomplet, dossier=config["dossier"], uid=uid,
                        maintenant=maintenant,
                    )  # fmt: skip
                    bilan.compter(statut)
                    imap.marquer_traite(boite, uid)
                EtatBoite.objects.filter(pk=etat.pk, dernier_uid__lt=uid).update(dernier_uid=uid)
    except imap.ERREURS_SERVEUR as exc:
        _echec(etat, exc, maintenant)
        bilan.erreur = f"Boîte mail injoignable : {exc}"
        return bilan
    EtatBoite.objects.filter(pk=etat.pk).update(
        derniere_reussite=maintenant, en_echec_depuis=None, echecs=0, erreur="", prochain_essai=None
    )
    return bilan


def _echec(etat: EtatBoite, exc: Exception, maintenant: datetime) -> None:
    etat.refresh_from_db()
    echecs = etat.echecs + 1
    logger.warning("Relève du courrier impossible (%s essai(s)) : %s", echecs, exc)
    EtatBoite.objects.filter(pk=etat.pk).update(
        echecs=echecs,
        en_echec_depuis=etat.en_echec_depuis or maintenant,
        erreur=f"{exc.__class__.__name__} : {exc}"[:2000],
        prochain_essai=maintenant + timedelta(minutes=min(60, 5 * 2 ** (echecs - 1))),
    )


def boite_en_echec(*, maintenant: datetime) -> EtatBoite | None:
    """The folder whose reading has failed for over an hour, if any (shown to the gérant)."""
    return (
        EtatBoite.objects.filter(en_echec_depuis__lte=maintenant - ECHEC_VISIBLE_APRES)
        .order_by("en_echec_depuis")
        .first()
    )


def enregistrer_message(
    brut: bytes, *, incomplet: bool = False, dossier: str = "", uid: int | None = None,
    maintenant: datetime,
) -> str | None:  # fmt: skip
    """Record one message and what it causes, in one transaction. Returns its status, or None
    when it was already recorded (by an earlier run or another worker)."""
    try:
        lu = analyse.analyser(brut, incomplet=incomplet)
    except analyse.MessageIllisible as exc:
        return _mettre_de_cote(brut, raison=str(exc), dossier=dossier, uid=uid)
    cible = rattachement.trouver(references=lu.references, sujet=lu.sujet, adresse=lu.expediteur)
    try:
        with transaction.atomic():
            message = MessageRecu.objects.create(
                cle=lu.cle,
                message_id=lu.message_id,
                statut=StatutMessage.A_CLASSER,
                expediteur=lu.expediteur,
                nom_expediteur=lu.nom_expediteur,
                sujet=lu.sujet,
                texte=lu.texte,
                envoye_le=lu.envoye_le,
                retour_le=lu.retour_le,
                organisation=cible.organisation,
                contact=cible.contact,
                devis=cible.devis,
                reclamation=cible.reclamation,
                dossier=dossier,
                uid=uid,
                taille=len(brut),
                raison=_raison(lu, cible),
            )
            if lu.automatique:
                # An out-of-office says nothing about the quote: it never stops the clock.
                message.statut = StatutMessage.AUTOMATIQUE
            elif cible.organisation is not None:
                message.statut = StatutMessage.RATTACHE
                message.interaction = _interaction(message, le=_jour(lu.envoye_le, maintenant))
                if cible.devis is not None:
                    signaler_reponse_recue(cible.devis, recue_le=maintenant)
            message.save(update_fields=["statut", "interaction"])
            _garder_pieces(message, lu.pieces)
    except IntegrityError:
        return None
    return message.statut


def _raison(lu: analyse.Analyse, cible: rattachement.Cible) -> str:
    morceaux = []
    if cible.par:
        morceaux.append(f"rattaché par {cible.par}")
    if lu.incomplet:
        morceaux.append("message trop volumineux : texte tronqué, pièces jointes non importées")
    return " ; ".join(morceaux)[:255]


def _jour(quand: datetime | None, maintenant: datetime) -> date:
    # A client's clock can be wrong: never a date in the future.
    return timezone.localdate(min(quand, maintenant) if quand else maintenant)


def _mettre_de_cote(brut: bytes, *, raison: str, dossier: str, uid: int | None) -> str | None:
    try:
        with transaction.atomic():
            MessageRecu.objects.create(
                cle=analyse.cle_de("", brut),
                statut=StatutMessage.MALFORME,
                raison=raison[:255],
                # What could be read, for the gérant to look at (shown escaped, never as HTML).
                texte=brut[:20_000].decode("utf-8", errors="replace"),
                dossier=dossier,
                uid=uid,
                taille=len(brut),
            )
    except IntegrityError:
        return None
    return StatutMessage.MALFORME


def _interaction(message: MessageRecu, *, le: date) -> Interaction:
    if message.organisation is None:  # each caller attaches the message first
        raise RefusMetier("Ce message n'est rattaché à aucune organisation.")
    return Interaction.objects.create(
        organisation=message.organisation,
        contact=message.contact,
        type=TypeInteraction.EMAIL,
        sens=SensInteraction.ENTRANT,
        date=le,
        resume=f"Email reçu : {message.sujet or '(sans objet)'}\n\n{message.texte}".strip(),
    )


def refus_piece(nom: str, contenu: bytes) -> str:
    """Why an attachment is not kept ("" when it is): the uploads' own rules (crm.forms),
    the type checked by its content, and a size limit."""
    extension = Path(nom).suffix.lower()
    if len(contenu) > settings.CRM_COURRIER_TAILLE_MAX_PJ:
        limite = settings.CRM_COURRIER_TAILLE_MAX_PJ // (1024 * 1024)
        return f"trop volumineuse ({len(contenu) // (1024 * 1024)} Mo, {limite} Mo au maximum)"
    if extension not in SIGNATURES:
        return "type non accepté (PDF, Word, OpenDocument, PNG ou JPEG seulement)"
    if not any(contenu.startswith(sig) for sig in SIGNATURES[extension]):
        return "le contenu ne correspond pas à l'extension"
    return ""


def _garder_pieces(message: MessageRecu, pieces: list[analyse.PieceLue]) -> None:
    for piece in pieces:
        refus = refus_piece(piece.nom, piece.contenu)
        pj = PieceJointeRecue(
            message=message,
            nom=piece.nom,
            type_mime=piece.type_mime[:100],
            taille=len(piece.contenu),
            refus=refus,
        )
        if not refus:
            pj.fichier.save(piece.nom, ContentFile(piece.contenu), save=False)
        pj.save()


# --- The gérant's decisions ---------------------------------------------------------------------


def _verrouiller(message: MessageRecu, *statuts: str) -> MessageRecu:
    message = MessageRecu.objects.select_for_update().get(pk=message.pk)
    if message.statut not in statuts:
        raise RefusMetier(f"Ce message est déjà « {message.get_statut_display()} ».")
    return message


def classer(
    message: MessageRecu,
    *,
    organisation: Organisation,
    contact: Contact | None = None,
    le: date,
    par: Utilisateur | None = None,
) -> MessageRecu:
    """Attach a message « à classer » to an organisation: it becomes an Interaction there."""
    if contact is not None and contact.organisation_id != organisation.pk:
        raise RefusMetier("Ce contact n'appartient pas à cette organisation.")
    with transaction.atomic():
        message = _verrouiller(message, StatutMessage.A_CLASSER, StatutMessage.IGNORE)
        message.organisation = organisation
        message.contact = contact
        message.statut = StatutMessage.RATTACHE
        message.traite_par = par if getattr(par, "pk", None) else None
        message.interaction = _interaction(message, le=_jour(message.envoye_le, _fin_du(le)))
        message.save()
    return message


def _fin_du(le: date) -> datetime:
    return timezone.make_aware(datetime.combine(le, datetime.max.time()))


def ignorer(message: MessageRecu, *, par: Utilisateur | None = None) -> MessageRecu:
    with transaction.atomic():
        message = _verrouiller(message, StatutMessage.A_CLASSER, StatutMessage.MALFORME)
        message.statut = StatutMessage.IGNORE
        message.traite_par = par if getattr(par, "pk", None) else None
        message.save(update_fields=["statut", "traite_par"])
    return message


def _type_prestation(texte: str) -> str:
    bas = texte.lower()
    if "formation" in bas or "former" in bas:
        return "formation"
    if "évaluation" in bas or "evaluation" in bas or "assessment" in bas or "bilan" in bas:
        return "evaluation"
    return "conseil"


def creer_demande(message: MessageRecu, *, le: date, par: Utilisateur | None = None) -> Demande:
    """A new request by email (J0, PROC-020 §3.1), pre-filled from the message: the
    organisation guessed from the sender's domain (or named after it), the sender as contact,
    the text as the description. The gérant completes it on the request's page."""
    with transaction.atomic():
        message = _verrouiller(message, StatutMessage.A_CLASSER)
        organisation = rattachement.organisation_du_domaine(message.expediteur)
        prenom, _, nom = (message.nom_expediteur or "").strip().rpartition(" ")
        demande = enregistrer_demande(
            recue_le=_jour(message.envoye_le, _fin_du(le)),
            canal=Canal.EMAIL,
            contexte=Contexte.AUTRE,
            type_prestation=_type_prestation(f"{message.sujet} {message.texte}"),
            description=f"{message.sujet}\n\n{message.texte}".strip(),
            organisation=organisation,
            nouvelle_organisation=message.expediteur.rsplit("@", 1)[-1],
            source=Source.EMAIL,
            nouveau_contact={
                "prenom": prenom[:100],
                "nom": (nom or message.expediteur.split("@")[0])[:100],
                "email": message.expediteur,
            },
            par=par,
        )
        message.organisation = demande.organisation
        message.contact = demande.contact
        message.statut = StatutMessage.RATTACHE
        message.traite_par = par if getattr(par, "pk", None) else None
        message.interaction = _interaction(message, le=demande.recue_le)
        message.save()
    return demande


def date_report(message: MessageRecu) -> date | None:
    """The day after the absent person's return (a working day), when a relance can be moved."""
    return ajouter_jours_ouvres(message.retour_le, 1) if message.retour_le else None


def reporter_au_retour(message: MessageRecu, *, le: date, par: Utilisateur | None = None) -> Devis:
    """« Reporter la relance au lendemain de son retour »: the quote's relance moves to the
    working day after the return date the out-of-office message gave, the reason filled in."""
    au = date_report(message)
    if message.devis is None or au is None:
        raise RefusMetier("Ce message ne donne pas de date de retour pour un devis.")
    qui = message.nom_expediteur or message.expediteur
    return reporter_relance(
        message.devis,
        au=au,
        motif=(f"Réponse automatique de {qui} : absent, de retour le {message.retour_le:%d/%m/%Y}"),
        le=le,
        par=par,
    )
