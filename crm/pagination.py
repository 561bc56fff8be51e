"""Bounded pagination shared by every list (performance issue #9).

Django's Paginator counts the whole filtered set on every page and a deep page makes the
database skip every earlier row: both costs grow with the history. Here the count stops at
``CRM_PAGINATION_LIMITE`` + 1 rows, so only the first ``CRM_PAGINATION_LIMITE`` rows are
reachable; past that, the page says so and asks for a narrower search instead of a wrong total.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property


class PaginateurBorne(Paginator):
    """A Paginator whose ``count`` is at most ``limite``.

    ``limite_depassee`` tells whether rows exist beyond it. Pages stay those of Django (same
    slicing, same ``get_page`` fallbacks), over the first ``limite`` rows only.
    """

    def __init__(self, object_list, per_page, *, limite: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.limite = limite

    @cached_property
    def _compte_borne(self) -> int:
        """Rows in the list, counted up to ``limite`` + 1 at most."""
        lignes = self.object_list
        if isinstance(lignes, QuerySet):
            # SELECT COUNT(*) FROM (SELECT pk … LIMIT limite+1): the database stops at that
            # many rows. Without the ordering it need not sort the set first, and selecting the
            # pk alone keeps annotations (a quote's total, a subquery per row) out of the count.
            lignes = lignes.order_by().values("pk")[: self.limite + 1]
            return lignes.count()
        return len(lignes[: self.limite + 1])

    @cached_property
    def count(self) -> int:
        return min(self._compte_borne, self.limite)

    @property
    def limite_depassee(self) -> bool:
        return self._compte_borne > self.limite

    @property
    def limite_affichee(self) -> str:
        """The limit grouped by thousands, French style: 2000 → « 2 000 » (no-break space)."""
        return f"{self.limite:,}".replace(",", "\N{NO-BREAK SPACE}")

    @property
    def total_affiche(self) -> str:
        """The exact total, or « 2 000+ » when rows lie beyond the limit."""
        return f"{self.limite_affichee}+" if self.limite_depassee else str(self.count)


def paginer(request: HttpRequest, lignes, *, par_page: int = 25) -> Page:
    """The page asked by ``?page=`` of ``lignes`` (a queryset, ordered), bounded by
    ``CRM_PAGINATION_LIMITE``. A missing, invalid or too large number gives the first or the
    last reachable page, as ``Paginator.get_page`` does."""
    paginateur = PaginateurBorne(lignes, par_page, limite=settings.CRM_PAGINATION_LIMITE)
    return paginateur.get_page(request.GET.get("page"))
