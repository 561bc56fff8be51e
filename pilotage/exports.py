"""Exports of the main lists (CSV or Excel, with the list's filters) and of a client's file.

Built with tablib (openpyxl for .xlsx). Cells starting with = + - @ are prefixed with « ' »
so that a spreadsheet never runs a formula typed into the CRM (CSV/formula injection).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import tablib
from django.db.models import QuerySet

from crm.filters import DemandeFilter, OrganisationFilter
from crm.models import Contact, Demande, Interaction, Mission, Organisation
from crm.texte import sans_formule
from devis.models import Devis
from devis.selectors import liste_filtree
from reclamations.models import Reclamation

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


def _csv(valeur):
    # French Excel reads « ; », dd/mm/yyyy and a decimal comma.
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, datetime):
        return f"{valeur:%d/%m/%Y %H:%M}"
    if isinstance(valeur, date):
        return f"{valeur:%d/%m/%Y}"
    if isinstance(valeur, Decimal):
        return str(valeur).replace(".", ",")
    return valeur


def _xlsx(valeur):
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, datetime):
        return valeur.replace(tzinfo=None)  # Excel knows no time zone
    return valeur


def jeu(titre: str, entetes: list[str], lignes: Iterable[list], *, format: str) -> tablib.Dataset:
    conv = _csv if format == "csv" else _xlsx
    donnees = tablib.Dataset(title=titre[:31], headers=entetes)
    for ligne in lignes:
        donnees.append(["" if v is None else sans_formule(conv(v)) for v in ligne])
    return donnees


def exporter(donnees: tablib.Dataset, format: str) -> bytes:
    if format == "csv":
        return ("\ufeff" + donnees.export("csv", delimiter=";")).encode("utf-8")
    return donnees.export("xlsx")


def en_csv(entetes: list[str], lignes: Iterable[list]) -> bytes:
    """A CSV file for French Excel, cells guarded against formulas (the audit file's tables)."""
    return exporter(jeu("", entetes, lignes, format="csv"), "csv")


def nom_utilisateur(u) -> str:
    return (u.get_full_name() or u.username) if u else ""


# --- The lists, with their filters -------------------------------------------------------------


@dataclass
class Liste:
    titre: str
    entetes: list[str]
    lignes: Iterable[list]


def organisations(params, user) -> Liste:
    from crm.acces import organisations_visibles

    qs = organisations_visibles(user).avec_statut().select_related("responsable", "recommande_par")
    qs = OrganisationFilter(params, queryset=qs).qs.order_by("raison_sociale", "pk")
    return Liste(
        "Organisations",
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


def demandes(params, user) -> Liste:
    from crm.acces import demandes_visibles

    qs = DemandeFilter(params, queryset=demandes_visibles(user)).qs.order_by("-recue_le", "-pk")
    return Liste(
        "Demandes",
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


def _lignes_devis(qs) -> Iterable[list]:
    for d in qs:
        yield [
            d.reference,
            d.organisation.raison_sociale,
            d.contact.nom_complet if d.contact else "",
            d.objet,
            d.get_statut_display(),
            d.total_ht,
            d.taux_tva,
            d.envoye_le,
            d.relance_due_le,
            d.reponse_le,
            d.motif_refus.libelle if d.motif_refus_id and d.motif_refus else "",
        ]


ENTETES_DEVIS = [
    "Numéro",
    "Organisation",
    "Contact",
    "Objet",
    "Statut",
    "Total HT (€)",
    "TVA (%)",
    "Envoyé le",
    "Relance due le",
    "Réponse le",
    "Motif du refus",
]


def devis(params, user) -> Liste:
    qs = liste_filtree(params).select_related("motif_refus")
    return Liste("Devis", ENTETES_DEVIS, _lignes_devis(qs.iterator(chunk_size=500)))


def filtrer_reclamations(params, user) -> QuerySet[Reclamation]:
    """The complaints list's own filters (reclamations.filters.ReclamationFilter)."""
    from reclamations.filters import ReclamationFilter
    from reclamations.selectors import reclamations_visibles

    qs = ReclamationFilter(params, queryset=reclamations_visibles(user)).qs
    return qs.order_by("-recue_le", "-pk")


# The whole record of a complaint: the list's export, the client's file and the audit file.
ENTETES_RECLAMATIONS = [
    "Numéro",
    "Reçue le",
    "Organisation",
    "Contact",
    "Canal",
    "Nature",
    "Gravité",
    "Description",
    "Statut",
    "Accusé dû le",
    "Accusé le",
    "Réponse due le",
    "Répondue le",
    "Fondée",
    "Analyse des causes",
    "Réponse",
    "Compensation",
    "Montant",
    "Close le",
    "Client de nouveau satisfait",
    "Responsable",
]


def lignes_reclamations(qs: QuerySet[Reclamation]) -> Iterable[list]:
    for r in qs.select_related("organisation", "contact", "nature", "responsable"):
        yield [
            r.numero,
            r.recue_le,
            r.organisation.raison_sociale,
            r.contact.nom_complet if r.contact else "",
            r.get_canal_display(),
            str(r.nature) if r.nature else "",
            r.get_gravite_display(),
            r.description,
            r.get_statut_display(),
            r.accuse_du_le,
            r.accuse_le,
            r.reponse_due_le,
            r.repondue_le,
            r.fondee,
            r.analyse,
            r.reponse,
            r.get_compensation_display(),
            r.montant_compensation,
            r.close_le,
            r.client_satisfait,
            nom_utilisateur(r.responsable),
        ]


def reclamations(params, user) -> Liste:
    qs = filtrer_reclamations(params, user)
    return Liste("Réclamations", ENTETES_RECLAMATIONS, lignes_reclamations(qs))


LISTES = {
    "organisations": organisations,
    "demandes": demandes,
    "devis": devis,
    "reclamations": reclamations,
}


def exporter_liste(nom: str, params, user, format: str) -> bytes:
    liste = LISTES[nom](params, user)
    return exporter(jeu(liste.titre, liste.entetes, liste.lignes, format=format), format)


# --- A client's whole file ---------------------------------------------------------------------


def dossier_client(org: Organisation) -> bytes:
    """One workbook, one sheet per kind: the organisation, its contacts, interactions,
    requests, quotes, missions and complaints (a fixed number of queries)."""
    f = "xlsx"
    fiche = jeu(
        "Organisation",
        ["Champ", "Valeur"],
        [
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
        ],
        format=f,
    )
    contacts = jeu(
        "Contacts",
        ["Civilité", "Prénom", "Nom", "Fonction", "Email", "Téléphone", "Mobile", "Archivé"],
        (
            [c.civilite, c.prenom, c.nom, c.fonction, c.email, c.telephone, c.mobile, c.archive]
            for c in Contact.objects.filter(organisation=org).order_by("nom", "prenom")
        ),
        format=f,
    )
    interactions = jeu(
        "Échanges",
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
        format=f,
    )
    demandes_ = jeu(
        "Demandes",
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
        format=f,
    )
    devis_ = jeu(
        "Devis",
        ENTETES_DEVIS,
        _lignes_devis(
            Devis.objects.avec_totaux()
            .filter(organisation=org)
            .select_related("organisation", "contact", "motif_refus")
            .order_by("-pk")
        ),
        format=f,
    )
    missions = jeu(
        "Missions",
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
        format=f,
    )
    reclamations_ = jeu(
        "Réclamations",
        ENTETES_RECLAMATIONS,
        lignes_reclamations(
            Reclamation.objects.filter(organisation=org).order_by("-recue_le", "-pk")
        ),
        format=f,
    )
    livre = tablib.Databook(
        [fiche, contacts, interactions, demandes_, devis_, missions, reclamations_]
    )
    return livre.export("xlsx")
