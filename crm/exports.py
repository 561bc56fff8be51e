"""The core's exports (``crm.extensions.Export``): the lists of organisations and requests,
with their pages' filters, and the core's sheets of a client's file (the organisation, its
contacts, exchanges, requests and missions)."""

from __future__ import annotations

from collections.abc import Iterable

from crm.extensions import Export, exports
from crm.filters import DemandeFilter, OrganisationFilter
from crm.models import Contact, Demande, Interaction, Mission
from crm.roles import nom_utilisateur


def _organisations(params, user) -> tuple[list[str], Iterable[list]]:
    from crm.acces import organisations_visibles

    qs = organisations_visibles(user).avec_statut().select_related("responsable", "recommande_par")
    qs = OrganisationFilter(params, queryset=qs).qs.order_by("raison_sociale", "pk")
    return (
        [
            "Raison sociale",
            "Statut",
            "SIRET",
            "Secteur",
            "Adresse",
            "Complément",
            "Code postal",
            "Ville",
            "Pays",
            "Téléphone",
            "Site web",
            "Source",
            "Recommandée par",
            "Client clé",
            "Responsable",
            "Archivée",
        ],
        (
            [
                o.raison_sociale,
                o.statut_commercial,
                o.siret,
                o.secteur,
                o.adresse,
                o.complement_adresse,
                o.code_postal,
                o.ville,
                o.pays,
                o.telephone,
                o.site_web,
                o.get_source_display(),
                " — ".join(
                    n
                    for n in (
                        o.recommande_par.raison_sociale if o.recommande_par else "",
                        o.recommande_par_personne,
                    )
                    if n
                ),
                o.cle,
                nom_utilisateur(o.responsable),
                o.archivee,
            ]
            for o in qs.iterator(chunk_size=500)
        ),
    )


def _demandes(params, user) -> tuple[list[str], Iterable[list]]:
    from crm.acces import demandes_visibles

    qs = DemandeFilter(params, queryset=demandes_visibles(user)).qs.order_by("-recue_le", "-pk")
    return (
        [
            "Reçue le",
            "Organisation",
            "Contact",
            "Canal",
            "Contexte",
            "Type de prestation",
            "Description",
            "Délai souhaité",
            "Statut",
            "Qualifiée le",
        ],
        (
            [
                d.recue_le,
                d.organisation.raison_sociale,
                d.contact.nom_complet if d.contact else "",
                d.get_canal_display(),
                d.get_contexte_display(),
                d.get_type_prestation_display(),
                d.description,
                d.delai_souhaite,
                d.get_statut_display(),
                d.qualifiee_le,
            ]
            for d in qs.iterator(chunk_size=500)
        ),
    )


exports.ajouter(
    Export(
        cle="organisations",
        titre="Organisations",
        libelle="Prospects et clients",
        lignes=_organisations,
        ordre=10,
    )
)


# --- The core's sheets of a client's whole file -------------------------------------------------


def _fiche(org) -> tuple[list[str], Iterable[list]]:
    return ["Champ", "Valeur"], [
        ["Raison sociale", org.raison_sociale],
        ["Statut", org.statut_commercial],
        ["SIRET", org.siret],
        ["Secteur", org.secteur],
        ["Adresse", org.adresse],
        ["Complément", org.complement_adresse],
        ["Code postal", org.code_postal],
        ["Ville", org.ville],
        ["Pays", org.pays],
        ["Téléphone", org.telephone],
        ["Site web", org.site_web],
        ["Source", org.get_source_display()],
        ["Recommandée par", str(org.recommande_par or org.recommande_par_personne or "")],
        ["Client clé", org.cle],
        ["Fréquence des points (jours)", org.frequence_point_jours],
        ["Responsable", nom_utilisateur(org.responsable)],
        ["Ne pas prospecter", org.ne_pas_prospecter],
        ["Notes", org.notes],
        ["Créée le", org.cree_le],
    ]


def _contacts(org) -> tuple[list[str], Iterable[list]]:
    return (
        ["Civilité", "Prénom", "Nom", "Fonction", "Email", "Téléphone", "Mobile", "Archivé"],
        (
            [c.civilite, c.prenom, c.nom, c.fonction, c.email, c.telephone, c.mobile, c.archive]
            for c in Contact.objects.filter(organisation=org).order_by("nom", "prenom")
        ),
    )


def _echanges(org) -> tuple[list[str], Iterable[list]]:
    return (
        ["Date", "Type", "Contact", "Auteur", "Résumé"],
        (
            [
                i.date,
                i.get_type_display(),
                i.contact.nom_complet if i.contact else "",
                nom_utilisateur(i.auteur),
                i.resume,
            ]
            for i in Interaction.objects.filter(organisation=org)
            .select_related("contact", "auteur")
            .order_by("-date", "-pk")
        ),
    )


def _demandes_du_client(org) -> tuple[list[str], Iterable[list]]:
    return (
        ["Reçue le", "Contexte", "Type de prestation", "Description", "Statut", "Décision"],
        (
            [
                d.recue_le,
                d.get_contexte_display(),
                d.get_type_prestation_display(),
                d.description,
                d.get_statut_display(),
                (
                    f"{d.revue.get_decision_display()} le {d.revue.decidee_le:%d/%m/%Y}"
                    + (f" — {d.revue.motif}" if d.revue.motif else "")
                )
                if hasattr(d, "revue")
                else "",
            ]
            for d in Demande.objects.filter(organisation=org)
            .select_related("revue")
            .order_by("-recue_le", "-pk")
        ),
    )


def _missions(org) -> tuple[list[str], Iterable[list]]:
    return (
        ["Devis", "Objet", "Début", "Fin", "Statut", "Consultants"],
        (
            [
                m.devis.reference,
                m.devis.objet,
                m.debut,
                m.fin,
                m.get_statut_display(),
                ", ".join(nom_utilisateur(u) for u in m.consultants.all()),
            ]
            for m in Mission.objects.filter(devis__organisation=org)
            .select_related("devis")
            .prefetch_related("consultants")
        ),
    )


for _export in (
    Export(cle="fiche", titre="Organisation", dossier_client=_fiche, ordre=11),
    Export(cle="contacts", titre="Contacts", dossier_client=_contacts, ordre=12),
    Export(cle="echanges", titre="Échanges", dossier_client=_echanges, ordre=13),
    Export(
        cle="demandes",
        titre="Demandes",
        lignes=_demandes,
        dossier_client=_demandes_du_client,
        ordre=20,
    ),
    Export(cle="missions", titre="Missions", dossier_client=_missions, ordre=35),
):
    exports.ajouter(_export)
