"""RGPD actions (CNIL référentiel « gestion commerciale »): flag and anonymise inactive
prospects, export and erase one person's data, record an objection to prospecting.

Every action writes one ``JournalRGPD`` line in the same transaction as its effect. Erasure and
anonymisation keep the legal records (quotes, agreements, complaints, emails sent: PROC-020 §4)
but strip the personal data from them and from their change history (django-simple-history
keeps old values, so the history rows of the touched objects are rewritten too).
"""

from __future__ import annotations

import csv
import io
import logging
import re
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from crm.models import Contact, Demande, EmailEnvoye, Interaction, Organisation, StatutEmail
from crm.roles import GERANT
from crm.texte import sans_formule
from devis.models import Devis
from reclamations.models import Reclamation
from rgpd import selectors
from rgpd.models import ActionRGPD, JournalRGPD, Signalement, StatutSignalement
from satisfaction.models import Enquete, Reponse

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


def _reecrire_historique(modele, pks: list[int], raison: str) -> None:
    """Replace the change history of these rows by one entry holding their current values:
    the old rows keep the personal data that was just removed."""
    if not pks:
        return
    modele.history.filter(id__in=pks).delete()
    objets = list(modele.objects.filter(pk__in=pks))
    modele.history.bulk_history_create(objets, default_change_reason=raison)


def _effacer_mentions(texte: str, mentions: list[str]) -> str:
    for mention in sorted({m for m in mentions if m and len(m) >= 3}, key=len, reverse=True):
        texte = re.sub(re.escape(mention), EFFACE, texte, flags=re.IGNORECASE)
    return texte


def _mentions(contact: Contact) -> list[str]:
    complet = " ".join(p for p in (contact.prenom, contact.nom) if p)
    return [contact.email, complet, contact.nom, contact.telephone, contact.mobile]


def _anonymiser_emails(filtre: Q, mentions: list[str], *, raison: str) -> None:
    """Emails kept for the records: recipient and personal mentions removed, attachments (which
    name the person) deleted, and any still waiting abandoned — never sent to an erased person."""
    for email in EmailEnvoye.objects.filter(filtre):
        for piece in email.pieces_jointes:
            chemin = Path(settings.MEDIA_ROOT) / piece["chemin"]
            chemin.unlink(missing_ok=True)
        champs = {
            "destinataires": _effacer_mentions(email.destinataires, mentions),
            "copie": _effacer_mentions(email.copie, mentions),
            "sujet": _effacer_mentions(email.sujet, mentions)[:255],
            "corps_texte": _effacer_mentions(email.corps_texte, mentions),
            "corps_html": _effacer_mentions(email.corps_html, mentions),
            "pieces_jointes": [],
        }
        if email.statut != StatutEmail.ENVOYE:
            champs["statut"] = StatutEmail.ABANDONNE
            champs["erreur"] = (email.erreur + "\n" + raison).strip()
        EmailEnvoye.objects.filter(pk=email.pk).update(**champs)


def _anonymiser_contact(contact: Contact, *, raison: str) -> None:
    mentions = _mentions(contact)
    Contact.objects.filter(pk=contact.pk).update(
        civilite="",
        prenom="",
        nom=f"Contact effacé n° {contact.pk}",
        fonction="",
        email="",
        telephone="",
        mobile="",
        ne_pas_prospecter=True,
        archive=True,
        modifie_le=timezone.now(),
    )
    _reecrire_historique(Contact, [contact.pk], raison)

    interactions = Interaction.objects.filter(contact=contact)
    for i in interactions:
        Interaction.objects.filter(pk=i.pk).update(resume=_effacer_mentions(i.resume, mentions))
    _reecrire_historique(Interaction, [i.pk for i in interactions], raison)

    reclamations = list(Reclamation.objects.filter(contact=contact))
    for r in reclamations:
        Reclamation.objects.filter(pk=r.pk).update(
            description=_effacer_mentions(r.description, mentions),
            analyse=_effacer_mentions(r.analyse, mentions),
            reponse=_effacer_mentions(r.reponse, mentions),
        )
    _reecrire_historique(Reclamation, [r.pk for r in reclamations], raison)

    # Survey answers stay in the indicators; the client's own words go.
    Reponse.objects.filter(enquete__contact=contact).update(
        commentaire="", consentement_citation=False
    )
    if contact.email:
        _anonymiser_emails(
            Q(destinataires__icontains=contact.email) | Q(copie__icontains=contact.email),
            mentions,
            raison=raison,
        )


# --- Per-person rights ---------------------------------------------------------------------------


def donnees_contact(contact: Contact) -> dict:
    """Everything the CRM holds about one person (right of access and portability)."""
    contact = Contact.objects.select_related("organisation").get(pk=contact.pk)
    devis = Devis.objects.avec_totaux().filter(contact=contact).order_by("pk")
    enquetes = Enquete.objects.filter(contact=contact).select_related("reponse").order_by("pk")
    emails = EmailEnvoye.objects.none()
    if contact.email:
        emails = EmailEnvoye.objects.filter(
            Q(destinataires__icontains=contact.email) | Q(copie__icontains=contact.email)
        ).order_by("cree_le")

    def _iso(valeur):
        return valeur.isoformat() if valeur else None

    return {
        "genere_le": timezone.now().isoformat(),
        "responsable_du_traitement": _responsable(),
        "contact": {
            "id": contact.pk,
            "civilite": contact.civilite,
            "prenom": contact.prenom,
            "nom": contact.nom,
            "fonction": contact.fonction,
            "email": contact.email,
            "telephone": contact.telephone,
            "mobile": contact.mobile,
            "organisation": contact.organisation.raison_sociale,
            "ne_pas_prospecter": contact.ne_pas_prospecter,
            "cree_le": _iso(contact.cree_le),
        },
        "echanges": [
            {"date": _iso(i.date), "type": i.get_type_display(), "resume": i.resume}
            for i in Interaction.objects.filter(contact=contact).order_by("date", "pk")
        ],
        "demandes": [
            {
                "recue_le": _iso(d.recue_le),
                "canal": d.get_canal_display(),
                "description": d.description,
                "statut": d.get_statut_display(),
            }
            for d in Demande.objects.filter(contact=contact).order_by("recue_le", "pk")
        ],
        "devis": [
            {
                "reference": d.reference,
                "objet": d.objet,
                "statut": d.get_statut_display(),
                "envoye_le": _iso(d.envoye_le),
                "reponse_le": _iso(d.reponse_le),
                "total_ht": str(d.total_ht),
            }
            for d in devis
        ],
        "enquetes": [
            {
                "creee_le": _iso(e.creee_le),
                "envoyee_le": _iso(e.envoyee_le),
                "reponse": (
                    {
                        "satisfaction": e.reponse.satisfaction,
                        "recommandation": e.reponse.recommandation,
                        "effort": e.reponse.effort,
                        "commentaire": e.reponse.commentaire,
                        "repondue_le": _iso(e.reponse.repondue_le),
                    }
                    if e.repondue
                    else None
                ),
            }
            for e in enquetes
        ],
        "reclamations": [
            {
                "numero": r.numero,
                "recue_le": _iso(r.recue_le),
                "description": r.description,
                "statut": r.get_statut_display(),
            }
            for r in Reclamation.objects.filter(contact=contact).order_by("recue_le", "pk")
        ],
        "emails": [
            {
                "cree_le": _iso(e.cree_le),
                "sujet": e.sujet,
                "motif": e.motif,
                "statut": e.get_statut_display(),
            }
            for e in emails
        ],
    }


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
    for champ, valeur in donnees["contact"].items():
        ecrivain.writerow(["contact", "", champ, _cellule(valeur)])
    for rubrique in ("echanges", "demandes", "devis", "enquetes", "reclamations", "emails"):
        for n, ligne in enumerate(donnees[rubrique], start=1):
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
        _anonymiser_contact(contact, raison="Effacement RGPD")
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
        objet._change_reason = "Opposition à la prospection (RGPD)"
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
    """Strip a prospect of every personal datum: its contacts (as for an erasure), its name and
    address, the summaries of its exchanges, its requests' descriptions and job descriptions,
    and its quotes' texts. Rows stay (the figures — counts, amounts, sectors — remain usable)."""
    raison = "Anonymisation RGPD (prospect inactif depuis 3 ans)"
    for contact in Contact.objects.filter(organisation=org):
        _anonymiser_contact(contact, raison=raison)
    Organisation.objects.filter(pk=org.pk).update(
        raison_sociale=f"Prospect anonymisé n° {org.pk}",
        siret="",
        adresse="",
        complement_adresse="",
        code_postal="",
        ville="",
        telephone="",
        site_web="",
        recommande_par_personne="",
        notes="",
        archivee=True,
        ne_pas_prospecter=True,
        modifie_le=timezone.now(),
    )
    _reecrire_historique(Organisation, [org.pk], raison)
    interactions = list(Interaction.objects.filter(organisation=org).values_list("pk", flat=True))
    Interaction.objects.filter(pk__in=interactions).update(resume=ANONYMISE)
    _reecrire_historique(Interaction, interactions, raison)
    demandes = list(Demande.objects.filter(organisation=org))
    for d in demandes:
        if d.fiche_de_poste:
            d.fiche_de_poste.delete(save=False)
    Demande.objects.filter(pk__in=[d.pk for d in demandes]).update(
        description=ANONYMISE,
        profil_attendu="",
        delai_souhaite="",
        fiche_de_poste="",
        fiche_de_poste_nom="",
    )
    _reecrire_historique(Demande, [d.pk for d in demandes], raison)
    devis = list(Devis.objects.filter(organisation=org).values_list("pk", flat=True))
    Devis.objects.filter(pk__in=devis).update(objet=ANONYMISE, contexte="", commentaire_reponse="")
    _reecrire_historique(Devis, devis, raison)
    journaliser(
        action=ActionRGPD.ANONYMISATION,
        cible=org,
        par=par,
        detail=f"Prospect sans contact depuis plus de 3 ans, anonymisé le {le:%d/%m/%Y}",
    )
