"""The quote as a PDF (« Modèle de devis IOD »)."""

from __future__ import annotations

from crm.models import Entreprise
from crm.pdf import rendre_pdf
from devis.models import Devis


def devis_pdf(devis: Devis, *, fetcher=None, acceptation=None) -> bytes:
    devis = (
        Devis.objects.select_related("organisation", "contact", "remplace")
        .prefetch_related("lignes")
        .get(pk=devis.pk)
    )
    return rendre_pdf(
        "pdf/devis.html",
        {"devis": devis, "entreprise": Entreprise.courante(), "acceptation": acceptation},
        fetcher=fetcher,
    )
