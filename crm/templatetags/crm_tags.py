"""French formatting helpers for templates: amounts, dates, statuses."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()


def format_euros(valeur, *, symbole: bool = True) -> str:
    """1234.5 → « 1 234,50 € » (space as thousands separator, comma for decimals)."""
    if valeur is None or valeur == "":
        return ""
    try:
        montant = Decimal(str(valeur)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(valeur)
    signe = "-" if montant < 0 else ""
    entier, _, decimales = f"{abs(montant):.2f}".partition(".")
    groupes = []
    while entier:
        groupes.insert(0, entier[-3:])
        entier = entier[:-3]
    texte = f"{signe}{' '.join(groupes)},{decimales}"
    return f"{texte} €" if symbole else texte


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
