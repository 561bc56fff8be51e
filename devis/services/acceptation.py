"""The client's answers on the quote's public page: « Bon pour accord » (with the stamped PDF
kept as the agreement's document), a refusal with its reason, or a question for the gérant."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.exceptions import RefusMetier
from crm.historique import motiver
from devis.models import Accord, Devis, MotifRefus, QuestionClient, Reponse, TypeAccord
from devis.services.lien import DejaAccepte, verifier_ouvert, verrouiller_ouvert
from devis.services.notifications import confirmer_au_client, contexte_gerant, prevenir_gerants
from devis.services.signature import tampon_acceptation, verifier_signature
from devis.services.suivi import enregistrer_reponse


def _jour_et_moment(le: date | datetime) -> tuple[date, datetime | None]:
    """The business date of ``le`` and, when ``le`` is a datetime, the exact moment."""
    if isinstance(le, datetime):
        moment = le if timezone.is_aware(le) else timezone.make_aware(le)
        return timezone.localtime(moment).date(), moment
    return le, None


def _nommer_derniere_version(devis: Devis, raison: str) -> None:
    """Give the quote's latest history record a reason (the caller holds the row lock)."""
    derniere = devis.history.order_by("-history_date", "-history_id").first()
    if derniere is not None:
        type(derniere).objects.filter(pk=derniere.pk).update(history_change_reason=raison[:100])


def accepter_en_ligne(
    devis: Devis,
    *,
    nom: str,
    fonction: str,
    ip: str | None,
    navigateur: str,
    le: date | datetime,
    signature: str | None = None,
) -> Accord:
    """« Bon pour accord » given by the client on the quote's public page.

    Invariants: the PDF is rendered before the transaction and its exact bytes are kept as the
    agreement's document, with their SHA-256. In one transaction, the quote's row locked, the
    link is checked open (not answered, revised, cancelled or expired on ``le``), the answer is
    set by ``enregistrer_reponse`` (which stops the relance and « sans suite » rules) and the
    ``Accord`` (type « acceptation en ligne ») is created with who, when, IP and browser. The
    database holds one agreement per quote: a second acceptance, even at the same instant, gets
    ``DejaAccepte``. The revue de contrat is left to the gérant, before launch. After the commit,
    the gérant is emailed and the client gets a confirmation with the stamped PDF.

    ``le`` is the moment of acceptance (a datetime; a plain date is the business date only).
    """
    from devis.pdf import devis_pdf

    nom = " ".join((nom or "").split())[:150]
    fonction = " ".join((fonction or "").split())[:150]
    if not nom:
        raise RefusMetier("Indiquez votre nom pour accepter le devis.")
    if not fonction:
        raise RefusMetier("Indiquez votre fonction pour accepter le devis.")
    signature = verifier_signature(signature or "")
    jour, moment = _jour_et_moment(le)
    # Cheap check first: a dead link renders no PDF.
    verifier_ouvert(devis, le=jour)

    pdf = devis_pdf(devis)  # outside the transaction: rendering is slow and takes no lock
    empreinte = hashlib.sha256(pdf).hexdigest()

    with transaction.atomic():
        devis = verrouiller_ouvert(devis, le=jour)
        enregistrer_reponse(
            devis,
            decision=Reponse.ACCEPTE,
            le=jour,
            commentaire=f"Accepté en ligne par {nom} ({fonction}).",
        )
        _nommer_derniere_version(devis, f"Acceptation en ligne par {nom} ({fonction})")
        accord = Accord(
            devis=devis,
            type=TypeAccord.ACCEPTATION_EN_LIGNE,
            recu_le=jour,
            signataire_nom=nom,
            signataire_fonction=fonction,
            ip=ip or None,
            navigateur=(navigateur or "")[:1000],
            empreinte_pdf=empreinte,
            horodatage=moment,
            signature=signature,
            document_nom=f"{devis.reference} - accepté en ligne.pdf",
        )
        motiver(accord, "Acceptation en ligne par le lien client")
        try:
            with transaction.atomic():
                accord.document.save("accepte.pdf", ContentFile(pdf), save=False)
                accord.save()
        except IntegrityError as exc:
            if accord.document:
                accord.document.delete(save=False)
            raise DejaAccepte("Ce devis est déjà accepté.") from exc

    devis.refresh_from_db()
    prevenir_gerants(
        "devis-accepte",
        contexte_gerant(devis, accord=accord, moment=tampon_acceptation(accord)["le"]),
        motif="acceptation_en_ligne",
        objet=devis,
    )
    confirmer_au_client(devis, accord)
    return accord


def refuser_en_ligne(
    devis: Devis,
    *,
    le: date | datetime,
    motif_refus: MotifRefus | None = None,
    precision: str = "",
    nom: str = "",
) -> Devis:
    """The client declines the quote on its public page, with a reason (listed or typed).

    Same rules as a manual answer (``enregistrer_reponse``, row locked, link checked open); the
    quote's history says it came from the link, and the gérant is emailed after the commit.
    """
    precision = (precision or "").strip()[:2000]
    nom = " ".join((nom or "").split())[:150]
    if motif_refus is None and not precision:
        raise RefusMetier("Indiquez la raison de votre refus : choisissez un motif ou précisez-la.")
    jour, _ = _jour_et_moment(le)
    par_qui = f" par {nom}" if nom else ""
    with transaction.atomic():
        devis = verrouiller_ouvert(devis, le=jour)
        devis = enregistrer_reponse(
            devis,
            decision=Reponse.REFUSE,
            le=jour,
            motif_refus=motif_refus,
            commentaire=f"Refusé en ligne{par_qui}." + (f"\n{precision}" if precision else ""),
        )
        raison = motif_refus.libelle if motif_refus else precision
        _nommer_derniere_version(devis, f"Refus en ligne{par_qui} : {raison}")
    prevenir_gerants(
        "devis-refus",
        contexte_gerant(devis, motif_refus=motif_refus, precision=precision, nom=nom),
        motif="refus_en_ligne",
        objet=devis,
    )
    return devis


def poser_question(
    devis: Devis,
    *,
    message: str,
    le: date | datetime,
    nom: str = "",
    ip: str | None = None,
    navigateur: str = "",
) -> QuestionClient:
    """A question from the client on the quote's open link, for the gérant.

    Kept as a ``QuestionClient`` and as a line of the quote's history; the gérant is emailed
    after the commit. A question is not an answer: the relance rules keep running (the gérant
    records « en discussion » if the exchange becomes one).
    """
    message = (message or "").strip()[:2000]
    nom = " ".join((nom or "").split())[:150]
    if not message:
        raise RefusMetier("Écrivez votre question.")
    jour, _ = _jour_et_moment(le)
    with transaction.atomic():
        devis = verrouiller_ouvert(devis, le=jour)
        question = QuestionClient.objects.create(
            devis=devis,
            posee_le=jour,
            nom=nom,
            message=message,
            ip=ip or None,
            navigateur=(navigateur or "")[:1000],
        )
        extrait = message if len(message) <= 60 else message[:59] + "…"
        motiver(devis, f"Question du client : « {extrait} »")
        devis.save(update_fields=["modifie_le"])
    prevenir_gerants(
        "devis-question",
        contexte_gerant(devis, question=question),
        motif="question_client",
        objet=devis,
    )
    return question
