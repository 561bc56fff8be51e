"""To whom a message belongs, in this order (issue 15): the thread (``In-Reply-To`` and
``References`` against ``EmailEnvoye.message_id``), a quote or complaint number in the subject,
the sender's address against a contact. Reads only."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import models

from crm.models import Contact, EmailEnvoye, Organisation
from devis.models import Devis
from reclamations.models import Reclamation

NUMERO = re.compile(r"\b(DEV|REC)-(\d{4})-(\d{4})\b", re.IGNORECASE)


@dataclass
class Cible:
    organisation: Organisation | None = None
    contact: Contact | None = None
    devis: Devis | None = None
    reclamation: Reclamation | None = None
    par: str = ""  # how it was found: « fil », « numéro », « adresse »


def _contact(adresse: str, organisation: Organisation | None = None) -> Contact | None:
    qs = Contact.objects.filter(email__iexact=adresse, archive=False)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.select_related("organisation").order_by("pk").first()


def _domaine(adresse: str) -> str:
    return adresse.rsplit("@", 1)[-1].lower()


def _cible_objet(objet: models.Model, adresse: str, par: str) -> Cible:
    organisation = getattr(objet, "organisation", None)
    contact = _contact(adresse, organisation) if organisation else None
    return Cible(
        organisation=organisation,
        contact=contact or getattr(objet, "contact", None),
        devis=objet if isinstance(objet, Devis) else None,
        reclamation=objet if isinstance(objet, Reclamation) else None,
        par=par,
    )


def par_fil(references: list[str], adresse: str) -> Cible | None:
    if not references:
        return None
    for email in (
        EmailEnvoye.objects.filter(message_id__in=references, content_type__isnull=False)
        .select_related("content_type")
        .order_by("-cree_le")
    ):
        modele = email.content_type.model_class() if email.content_type else None
        objet = modele._default_manager.filter(pk=email.object_id).first() if modele else None
        if objet is not None and getattr(objet, "organisation", None) is not None:
            return _cible_objet(objet, adresse, "fil")
    return None


def par_numero(sujet: str, adresse: str) -> Cible | None:
    """A number in the subject counts only from someone of that organisation (a contact, or
    a contact's mail domain): a stranger naming a quote does not stop its clock."""
    for genre, annee, rang in NUMERO.findall(sujet):
        numero = f"{genre.upper()}-{annee}-{rang}"
        modele = Devis if genre.upper() == "DEV" else Reclamation
        objet = (
            modele.objects.filter(numero=numero)
            .select_related("organisation", "contact")
            .order_by("-pk")
            .first()
        )
        if objet is None:
            continue
        domaines = {
            _domaine(e)
            for e in Contact.objects.filter(organisation=objet.organisation)
            .exclude(email="")
            .values_list("email", flat=True)
        }
        if _domaine(adresse) in domaines:
            return _cible_objet(objet, adresse, "numéro")
    return None


def par_adresse(adresse: str) -> Cible | None:
    contact = _contact(adresse)
    if contact is None:
        return None
    return Cible(organisation=contact.organisation, contact=contact, par="adresse")


def trouver(*, references: list[str], sujet: str, adresse: str) -> Cible:
    return (
        par_fil(references, adresse)
        or par_numero(sujet, adresse)
        or par_adresse(adresse)
        or Cible()
    )


def organisation_du_domaine(adresse: str) -> Organisation | None:
    """The organisation an unknown sender probably belongs to: one whose contacts write from
    the same domain (webmail domains excepted), else whose website is on it."""
    domaine = _domaine(adresse)
    if domaine in WEBMAILS:
        return None
    contact = (
        Contact.objects.filter(email__iendswith=f"@{domaine}")
        .select_related("organisation")
        .order_by("pk")
        .first()
    )
    if contact is not None:
        return contact.organisation
    return Organisation.objects.filter(site_web__icontains=domaine).order_by("pk").first()


WEBMAILS = {
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "outlook.fr",
    "hotmail.com",
    "hotmail.fr",
    "live.fr",
    "live.com",
    "yahoo.com",
    "yahoo.fr",
    "orange.fr",
    "wanadoo.fr",
    "free.fr",
    "sfr.fr",
    "laposte.net",
    "icloud.com",
    "protonmail.com",
    "proton.me",
}
