"""French number formatting shared by templates, PDFs, emails, exports and views."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import numberformat

# An ordinary space between thousands, as amounts have always been printed here (quotes sent,
# PDFs, emails); templates wrap amounts in « text-nowrap » so they never break.
SEPARATEUR_MILLIERS = " "


def format_euros(valeur: object, *, symbole: bool = True) -> str:
    """1234.5 → « 1 234,50 € » (space as thousands separator, comma for decimals).

    Rounded half up to the cent first: Django's formatter truncates extra decimals. Grouping is
    forced because ``USE_THOUSAND_SEPARATOR`` stays off (it would also group ids in templates).
    """
    if valeur is None or valeur == "":
        return ""
    try:
        montant = Decimal(str(valeur)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(valeur)
    texte = numberformat.format(
        montant,
        ",",
        decimal_pos=2,
        grouping=3,
        thousand_sep=SEPARATEUR_MILLIERS,
        force_grouping=True,
        use_l10n=False,
    )
    return f"{texte} €" if symbole else str(texte)


def telephone_e164(numero: str) -> str:
    """« 05 44 64 78 63 » → « +33544647863 »: a French number as E.164, for ``tel:`` links (a
    space is not allowed in a URI, and a phone dials the international form from abroad too).

    Separators (spaces, dots, dashes, brackets) go; « 00 » becomes « + »; ten digits starting with
    0 are French. Anything else keeps its digits (and a leading « + »): still a valid ``tel:``.
    """
    texte = (numero or "").strip()
    chiffres = "".join(c for c in texte if c.isdigit())
    if texte.startswith("+"):
        return f"+{chiffres}"
    if chiffres.startswith("00") and len(chiffres) > 4:
        return f"+{chiffres[2:]}"
    if len(chiffres) == 10 and chiffres.startswith("0"):
        return f"+33{chiffres[1:]}"
    return chiffres
