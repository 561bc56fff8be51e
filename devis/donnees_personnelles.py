"""The quotes' part of a person's data: their quotes (texts, answer comment, history and its
change reasons), the relances, the questions they asked, their online acceptance, and the
emails about those quotes (sent to them, or telling the gérant of their answer)."""

from __future__ import annotations

import re

from django.core.files.base import ContentFile
from django.db.models import Exists, OuterRef, Q

from crm.effacement import Mentions, derniere_date, emails_lies, nettoyer, nettoyer_emails
from crm.extensions import DonneesPersonnelles, donnees_personnelles
from devis.models import (
    Accord,
    Devis,
    LigneDevis,
    QuestionClient,
    Relance,
    StatutDevis,
    TypeAccord,
)

# A question's words are the person's own, even without their name: the extract the quote's
# history keeps of it goes too.
_EXTRAIT_QUESTION = re.compile(r"(Question du client : )«.*»", re.DOTALL)


def _iso(valeur):
    return valeur.isoformat() if valeur else None


def exporter(contact) -> dict:
    devis = Devis.objects.avec_totaux().filter(contact=contact).order_by("pk")
    return {
        "devis": [
            {
                "reference": d.reference,
                "objet": d.objet,
                "statut": d.get_statut_display(),
                "envoye_le": _iso(d.envoye_le),
                "reponse_le": _iso(d.reponse_le),
                "commentaire_reponse": d.commentaire_reponse,
                "total_ht": str(d.total_ht),
            }
            for d in devis
        ],
        "questions": [
            {"posee_le": _iso(q.posee_le), "nom": q.nom, "message": q.message}
            for q in QuestionClient.objects.filter(devis__contact=contact).order_by("pk")
        ],
        "acceptations_en_ligne": [
            {
                "devis": a.devis.reference,
                "signataire_nom": a.signataire_nom,
                "signataire_fonction": a.signataire_fonction,
                "horodatage": _iso(a.horodatage),
                "ip": a.ip,
                "navigateur": a.navigateur,
            }
            for a in Accord.objects.filter(
                devis__contact=contact, type=TypeAccord.ACCEPTATION_EN_LIGNE
            ).select_related("devis")
        ],
    }


def effacer(contact, *, mentions: Mentions, remplacement: str, le) -> None:
    """Issued quotes and agreements are commercial records (kept 10 years, Code de commerce
    L123-22): they stay, without the person. Their texts, the answer comment and the history
    (values and change reasons) lose every mention; the questions they asked lose their words,
    name, IP and browser; an online acceptance loses signer, signature, IP and browser, and its
    stored PDF (which names them) is replaced by the quote rendered now, anonymised — the SHA-256
    of the accepted PDF stays as the proof. An uploaded purchase order is the client company's
    document: kept, as a commercial record."""
    org = contact.organisation_id
    le_sien = set(Devis.objects.filter(contact=contact).values_list("pk", flat=True))
    # The addresses they answered from name them in the gérant's notifications too.
    mentions = mentions.avec(
        [
            *QuestionClient.objects.filter(devis__in=le_sien).values_list("ip", flat=True),
            *Accord.objects.filter(devis__in=le_sien).values_list("ip", flat=True),
        ]
    )
    pks = nettoyer(
        Devis.objects.filter(Q(contact=contact) | Q(organisation_id=org)),
        mentions=mentions,
        remplacement=remplacement,
    )
    for h in Devis.history.filter(id__in=le_sien, history_change_reason__contains="Question"):
        raison = _EXTRAIT_QUESTION.sub(rf"\1« {remplacement} »", h.history_change_reason or "")
        Devis.history.filter(pk=h.pk).update(history_change_reason=raison)
    nettoyer(LigneDevis.objects.filter(devis__in=pks), mentions=mentions, remplacement=remplacement)
    nettoyer(Relance.objects.filter(devis__in=pks), mentions=mentions, remplacement=remplacement)
    nettoyer(
        QuestionClient.objects.filter(devis__in=le_sien),
        mentions=mentions,
        remplacement=remplacement,
        valeurs={"nom": "", "message": remplacement, "ip": None, "navigateur": ""},
    )
    nettoyer(
        QuestionClient.objects.filter(devis__in=pks),
        mentions=mentions,
        remplacement=remplacement,
    )
    en_ligne = Accord.objects.filter(devis__in=le_sien, type=TypeAccord.ACCEPTATION_EN_LIGNE)
    nettoyer(
        en_ligne,
        mentions=mentions,
        remplacement=remplacement,
        valeurs={
            "signataire_nom": remplacement,
            "signataire_fonction": "",
            "ip": None,
            "navigateur": "",
            "signature": "",
        },
    )
    nettoyer(Accord.objects.filter(devis__in=pks), mentions=mentions, remplacement=remplacement)
    for accord in en_ligne.select_related("devis"):
        _remplacer_pdf(accord)
    nettoyer_emails(
        emails_lies(Devis, pks),
        mentions=mentions,
        remplacement=remplacement,
        raison="Effacement RGPD",
    )


def _remplacer_pdf(accord: Accord) -> None:
    from devis.pdf import devis_pdf

    if accord.document:
        accord.document.delete(save=False)
    accord.document.save("accepte.pdf", ContentFile(devis_pdf(accord.devis)), save=False)
    Accord.objects.filter(pk=accord.pk).update(document=accord.document.name)
    Accord.history.filter(id=accord.pk).update(document=accord.document.name)


def anonymiser(org, *, remplacement: str, le) -> None:
    nettoyer(
        Devis.objects.filter(organisation=org),
        mentions=Mentions(motif="", motif_sur=""),
        remplacement=remplacement,
        valeurs={"objet": remplacement, "contexte": "", "commentaire_reponse": ""},
    )


donnees_personnelles.ajouter(
    DonneesPersonnelles(
        cle="devis",
        titre="Devis, questions et acceptations",
        exporter=exporter,
        effacer=effacer,
        anonymiser=anonymiser,
        derniere_activite=lambda: [
            derniere_date(Devis, "cree_le", tronquer=True),
            derniere_date(Devis, "envoye_le"),
            derniere_date(Devis, "reponse_le"),
        ],
        client=lambda: Exists(
            Devis.objects.filter(organisation=OuterRef("pk"), statut=StatutDevis.ACCEPTE)
        ),
        ordre=20,
    )
)
