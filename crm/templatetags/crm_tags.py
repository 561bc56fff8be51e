"""French formatting helpers for templates: amounts, dates, statuses."""

from __future__ import annotations

from decimal import Decimal

from django import template

from crm.formats import format_euros

register = template.Library()


@register.filter
def euros(valeur) -> str:
    return format_euros(valeur)


@register.filter
def nombre_fr(valeur) -> str:
    """Quantities: 2 → « 2 », 1.5 → « 1,5 »."""
    if valeur is None:
        return ""
    texte = format(Decimal(str(valeur)).normalize(), "f")
    return texte.replace(".", ",")


@register.filter
def pourcent(valeur) -> str:
    if valeur is None:
        return "—"
    return f"{Decimal(str(valeur)).quantize(Decimal('0.1'))} %".replace(".", ",")
