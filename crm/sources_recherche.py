"""The core's part of the global search: organisations, contacts and requests, and the receivers
that keep their index rows current when they are saved."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.template.defaultfilters import truncatechars

from crm.acces import demandes_visibles, organisations_visibles
from crm.extensions import Resultat, SourceRecherche, sources_recherche
from crm.models import Contact, Demande, Organisation
from crm.recherche import correspondances, normaliser, reindexer

# Saving an organisation with only other fields (a date, a flag) leaves its index as it was.
CHAMPS_INDEXES = {"raison_sociale", "ville", "siret", "secteur", "telephone", "archivee"}


def _portee(qs, organisation, pks, champ="organisation_id"):
    if organisation is not None:
        qs = qs.filter(**{champ: organisation})
    if pks is not None:
        qs = qs.filter(pk__in=pks)
    return qs


# --- Organisations ------------------------------------------------------------------------------


def _textes_organisations(*, organisation=None, pks=None):
    qs = _portee(Organisation.objects.all(), organisation, pks, champ="pk")
    for pk, *champs, telephone, archivee in qs.values_list(
        "pk", "raison_sociale", "ville", "siret", "secteur", "telephone", "archivee"
    ).iterator(chunk_size=2000):
        yield pk, "" if archivee else normaliser(*champs, telephones=[telephone])


def _chercher_organisations(user, termes, limite):
    qs = organisations_visibles(user).filter(
        pk__in=correspondances("organisations", termes), archivee=False
    )
    return [
        Resultat(o.raison_sociale, o.get_absolute_url(), " · ".join(filter(None, [o.ville])))
        for o in qs.order_by("raison_sociale")[:limite]
    ]


sources_recherche.ajouter(
    SourceRecherche(
        "organisations",
        "Organisations",
        _chercher_organisations,
        _textes_organisations,
        icone="building",
        ordre=10,
    )
)


# --- Contacts -----------------------------------------------------------------------------------


def _textes_contacts(*, organisation=None, pks=None):
    qs = _portee(Contact.objects.all(), organisation, pks)
    for pk, prenom, nom, email, telephone, mobile, archive, org_archivee in qs.values_list(
        "pk",
        "prenom",
        "nom",
        "email",
        "telephone",
        "mobile",
        "archive",
        "organisation__archivee",
    ).iterator(chunk_size=2000):
        cache = archive or org_archivee
        yield pk, "" if cache else normaliser(prenom, nom, email, telephones=[telephone, mobile])


def _chercher_contacts(user, termes, limite):
    # Consultants read every client's contacts (DESIGN §7), like the organisations' pages: the
    # contacts of the organisations ``user`` may see, through a join rather than a subquery over
    # every organisation.
    visibles = organisations_visibles(user)
    qs = Contact.objects.filter(
        pk__in=correspondances("contacts", termes), archive=False, organisation__archivee=False
    ).select_related("organisation")
    if visibles.query.where:
        qs = qs.filter(organisation__in=visibles)
    return [
        Resultat(
            c.nom_complet,
            c.get_absolute_url(),
            " · ".join(
                filter(None, [c.organisation.raison_sociale, c.email, c.telephone_principal])
            ),
        )
        for c in qs.order_by("nom", "prenom")[:limite]
    ]


sources_recherche.ajouter(
    SourceRecherche(
        "contacts", "Contacts", _chercher_contacts, _textes_contacts, icone="person", ordre=20
    )
)


# --- Requests -----------------------------------------------------------------------------------


def _textes_demandes(*, organisation=None, pks=None):
    qs = _portee(Demande.objects.all(), organisation, pks)
    for pk, raison_sociale, description in qs.values_list(
        "pk", "organisation__raison_sociale", "description"
    ).iterator(chunk_size=2000):
        yield pk, normaliser(raison_sociale, description[:300])


def _chercher_demandes(user, termes, limite):
    qs = demandes_visibles(user).filter(pk__in=correspondances("demandes", termes))
    return [
        Resultat(
            f"Demande du {d.recue_le:%d/%m/%Y} — {d.organisation}",
            d.get_absolute_url(),
            f"{d.get_statut_display()} · {truncatechars(d.description, 80)}",
        )
        for d in qs.order_by("-recue_le", "-pk")[:limite]
    ]


sources_recherche.ajouter(
    SourceRecherche(
        "demandes", "Demandes", _chercher_demandes, _textes_demandes, icone="inbox", ordre=30
    )
)


# --- Kept current on save -----------------------------------------------------------------------


@receiver(post_save, sender=Organisation, dispatch_uid="recherche_organisation")
def _organisation_enregistree(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw or (update_fields is not None and not CHAMPS_INDEXES & set(update_fields)):
        return
    # Its name is in the text of its contacts, requests, quotes…; archiving hides its contacts.
    reindexer(organisation=instance.pk)


@receiver(post_save, sender=Contact, dispatch_uid="recherche_contact")
def _contact_enregistre(sender, instance, raw=False, **kwargs):
    if not raw:
        reindexer(cle="contacts", pks=[instance.pk])


@receiver(post_save, sender=Demande, dispatch_uid="recherche_demande")
def _demande_enregistree(sender, instance, raw=False, **kwargs):
    if not raw:
        reindexer(cle="demandes", pks=[instance.pk])
