"""The complaints' exports (``crm.extensions.Export``): their list, with the list's own
filters, and the sheet of a client's file. The audit file writes the same columns."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from crm.extensions import Export, exports
from crm.roles import nom_utilisateur
from reclamations.models import Reclamation


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


def _liste(params, user) -> tuple[list[str], Iterable[list]]:
    return ENTETES_RECLAMATIONS, lignes_reclamations(filtrer_reclamations(params, user))


def _du_client(org) -> tuple[list[str], Iterable[list]]:
    qs = Reclamation.objects.filter(organisation=org).order_by("-recue_le", "-pk")
    return ENTETES_RECLAMATIONS, lignes_reclamations(qs)


exports.ajouter(
    Export(
        cle="reclamations",
        titre="Réclamations",
        lignes=_liste,
        dossier_client=_du_client,
        ordre=40,
    )
)
