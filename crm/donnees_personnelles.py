"""The core's part of a person's data: the contact itself, their exchanges, their requests (and
the feasibility reviews of those), their organisation's notes, the emails sent to them."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from crm.effacement import Mentions, derniere_date, emails_lies, nettoyer, nettoyer_emails
from crm.extensions import DonneesPersonnelles, donnees_personnelles
from crm.models import (
    Contact,
    Demande,
    EmailEnvoye,
    Interaction,
    Mission,
    Organisation,
    RevueFaisabilite,
    Tache,
)


def _iso(valeur):
    return valeur.isoformat() if valeur else None


def emails_a(contact: Contact):
    if not contact.email:
        return EmailEnvoye.objects.none()
    return EmailEnvoye.objects.filter(
        Q(destinataires__icontains=contact.email) | Q(copie__icontains=contact.email)
    )


def exporter(contact: Contact) -> dict:
    contact = Contact.objects.select_related("organisation").get(pk=contact.pk)
    return {
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
        "emails": [
            {
                "cree_le": _iso(e.cree_le),
                "sujet": e.sujet,
                "motif": e.motif,
                "statut": e.get_statut_display(),
            }
            for e in emails_a(contact).order_by("cree_le", "pk")
        ],
    }


def effacer(contact: Contact, *, mentions: Mentions, remplacement: str, le) -> None:
    """The contact row stays (quotes, surveys and complaints point to it) without any personal
    datum; their exchanges, requests and reviews, and their organisation's notes and missions'
    notes, lose every mention of them; the emails sent to them are kept for the records without
    their address, and their attachments are deleted."""
    org = contact.organisation_id
    emails_envoyes = list(emails_a(contact).values_list("pk", flat=True))
    nettoyer(
        Contact.objects.filter(pk=contact.pk),
        mentions=mentions,
        remplacement=remplacement,
        valeurs={
            "civilite": "",
            "prenom": "",
            "nom": f"Contact effacé n° {contact.pk}",
            "fonction": "",
            "email": "",
            "telephone": "",
            "mobile": "",
            "ne_pas_prospecter": True,
            "archive": True,
        },
    )
    nettoyer(
        Interaction.objects.filter(contact=contact), mentions=mentions, remplacement=remplacement
    )
    demandes = nettoyer(
        Demande.objects.filter(Q(contact=contact) | Q(organisation_id=org)),
        mentions=mentions,
        remplacement=remplacement,
    )
    for d in Demande.objects.filter(pk__in=demandes):
        if (
            d.fiche_de_poste_nom
            and mentions.remplacer(d.fiche_de_poste_nom, "") != d.fiche_de_poste_nom
        ):
            d.fiche_de_poste.delete(save=False)
            nettoyer(
                Demande.objects.filter(pk=d.pk),
                mentions=mentions,
                remplacement=remplacement,
                valeurs={"fiche_de_poste": "", "fiche_de_poste_nom": ""},
            )
    nettoyer(
        RevueFaisabilite.objects.filter(demande__in=demandes),
        mentions=mentions,
        remplacement=remplacement,
    )
    nettoyer(Organisation.objects.filter(pk=org), mentions=mentions, remplacement=remplacement)
    nettoyer(
        Mission.objects.filter(devis__organisation_id=org),
        mentions=mentions,
        remplacement=remplacement,
    )
    nettoyer(
        Interaction.objects.filter(organisation_id=org),
        mentions=mentions,
        remplacement=remplacement,
    )
    # Task titles are free text written about anyone (« Rappeler Mme Durand »), linked or not
    # to the person's records: every one is rewritten (tasks are few), history included.
    nettoyer(Tache.objects.all(), mentions=mentions, remplacement=remplacement)
    raison = "Effacement RGPD"
    nettoyer_emails(
        EmailEnvoye.objects.filter(pk__in=emails_envoyes)
        | emails_lies(Demande, demandes)
        | emails_lies(Contact, [contact.pk]),
        mentions=mentions,
        remplacement=remplacement,
        raison=raison,
    )


def anonymiser(org: Organisation, *, remplacement: str, le) -> None:
    """An inactive prospect: its name and address, the summaries of its exchanges, its
    requests' texts and job descriptions go; the rows stay (counts, sectors, dates)."""
    vide = Mentions(motif="", motif_sur="")
    nettoyer(
        Organisation.objects.filter(pk=org.pk),
        mentions=vide,
        remplacement=remplacement,
        valeurs={
            "raison_sociale": f"Prospect anonymisé n° {org.pk}",
            "siret": "",
            "adresse": "",
            "complement_adresse": "",
            "code_postal": "",
            "ville": "",
            "telephone": "",
            "site_web": "",
            "recommande_par_personne": "",
            "notes": "",
            "archivee": True,
            "ne_pas_prospecter": True,
        },
    )
    nettoyer(
        Interaction.objects.filter(organisation=org),
        mentions=vide,
        remplacement=remplacement,
        valeurs={"resume": remplacement},
    )
    nettoyer(
        Tache.objects.filter(
            content_type=ContentType.objects.get_for_model(Organisation), objet_id=org.pk
        ),
        mentions=vide,
        remplacement=remplacement,
        valeurs={"titre": remplacement},
    )
    demandes = Demande.objects.filter(organisation=org)
    for d in demandes:
        if d.fiche_de_poste:
            d.fiche_de_poste.delete(save=False)
    nettoyer(
        demandes,
        mentions=vide,
        remplacement=remplacement,
        valeurs={
            "description": remplacement,
            "profil_attendu": "",
            "delai_souhaite": "",
            "fiche_de_poste": "",
            "fiche_de_poste_nom": "",
        },
    )


donnees_personnelles.ajouter(
    DonneesPersonnelles(
        cle="crm",
        titre="Contact, échanges et demandes",
        exporter=exporter,
        effacer=effacer,
        anonymiser=anonymiser,
        derniere_activite=lambda: [
            derniere_date(Interaction, "date"),
            derniere_date(Demande, "recue_le"),
        ],
        ordre=10,
    )
)
