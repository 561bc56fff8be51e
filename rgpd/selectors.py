"""Reads for the RGPD rules: when each prospect was last in contact with the firm."""

from __future__ import annotations

from datetime import date

from django.db.models import DateField, Exists, Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest, TruncDate

from crm.calendrier import ajouter_mois
from crm.models import Demande, Interaction, Organisation
from devis.models import Devis, StatutDevis
from reclamations.models import Reclamation
from rgpd.models import Signalement, StatutSignalement

# CNIL référentiel « gestion commerciale »: a prospect's data is kept 3 years from the last
# contact coming from them, then deleted or anonymised.
DUREE_CONSERVATION_MOIS = 36
TRES_ANCIEN = date(1900, 1, 1)


def _derniere(modele, champ: str, *, tronquer: bool = False) -> Coalesce:
    valeur = TruncDate(champ) if tronquer else champ
    sous_requete = (
        modele.objects.filter(organisation=OuterRef("pk"))
        .order_by()
        .values("organisation")
        .annotate(m=Max(valeur))
        .values("m")[:1]
    )
    # Each term is made non-null: SQLite's scalar MAX() is NULL as soon as one argument is.
    return Coalesce(Subquery(sous_requete, output_field=DateField()), Value(TRES_ANCIEN))


def avec_dernier_contact(qs: QuerySet[Organisation]) -> QuerySet[Organisation]:
    """Annotate ``dernier_contact``: the latest of the organisation's creation, exchanges,
    requests, quotes (created, sent, answered) and complaints."""
    return qs.annotate(
        dernier_contact=Greatest(
            Coalesce(TruncDate("cree_le"), Value(TRES_ANCIEN)),
            _derniere(Interaction, "date"),
            _derniere(Demande, "recue_le"),
            _derniere(Devis, "cree_le", tronquer=True),
            _derniere(Devis, "envoye_le"),
            _derniere(Devis, "reponse_le"),
            _derniere(Reclamation, "recue_le"),
            output_field=DateField(),
        )
    )


def seuil_inactivite(le: date) -> date:
    return ajouter_mois(le, -DUREE_CONSERVATION_MOIS)


def prospects() -> QuerySet[Organisation]:
    """Organisations that are not clients (no accepted quote) and not already anonymised."""
    return Organisation.objects.exclude(
        Exists(Devis.objects.filter(organisation=OuterRef("pk"), statut=StatutDevis.ACCEPTE))
    ).exclude(
        Exists(
            Signalement.objects.filter(
                organisation=OuterRef("pk"), statut=StatutSignalement.ANONYMISE
            )
        )
    )


def prospects_inactifs(le: date) -> QuerySet[Organisation]:
    """Prospects with no contact for 3 years as of ``le`` (strictly before the threshold)."""
    return avec_dernier_contact(prospects()).filter(dernier_contact__lt=seuil_inactivite(le))


def signalements_ouverts() -> QuerySet[Signalement]:
    return Signalement.objects.filter(statut=StatutSignalement.SIGNALE).select_related(
        "organisation"
    )
