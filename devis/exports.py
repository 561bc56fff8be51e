"""The quotes' exports (``crm.extensions.Export``): their list, with the list's own filters,
and the sheet of a client's file."""

from __future__ import annotations

from collections.abc import Iterable

from crm.extensions import Export, exports
from devis.models import Devis
from devis.selectors import liste_filtree


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


def _liste(params, user) -> tuple[list[str], Iterable[list]]:
    qs = liste_filtree(params).select_related("motif_refus")
    return ENTETES_DEVIS, _lignes_devis(qs.iterator(chunk_size=500))


def _du_client(org) -> tuple[list[str], Iterable[list]]:
    qs = (
        Devis.objects.avec_totaux()
        .filter(organisation=org)
        .select_related("organisation", "contact", "motif_refus")
        .order_by("-pk")
    )
    return ENTETES_DEVIS, _lignes_devis(qs)


exports.ajouter(
    Export(cle="devis", titre="Devis", lignes=_liste, dossier_client=_du_client, ordre=30)
)
