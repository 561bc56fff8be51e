"""French formatting helpers for templates: amounts, dates, statuses."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString

from crm import extensions
from crm.formats import format_euros, telephone_e164

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


@register.filter
def tel(numero) -> str:
    """``href="{{ contact.telephone|tel }}"`` → ``tel:+33544647863`` (see ``telephone_e164``)."""
    return f"tel:{telephone_e164(str(numero or ''))}"


@register.filter
def datetime_html(valeur) -> str:
    """A moment for a ``<time datetime>``: local time to the second (HTML allows at most
    three digits of a second's fraction, Python's ISO format gives six)."""
    if not valeur:
        return ""
    return timezone.localtime(valeur).isoformat(timespec="seconds")


# --- What other apps add to the core's pages (crm/extensions.py) -------------------------------


def _url_action(action, obj, request) -> str:
    url = action.url(obj)
    if action.garder_filtres and request is not None:
        # The list's filters, then the action's own parameters (e.g. ``format=xlsx``).
        chemin, _, parametres = url.partition("?")
        url = f"{chemin}?{request.GET.urlencode()}&{parametres}"
    return url


@register.simple_tag(takes_context=True)
def actions_page(context, page: str, obj=None, groupe: str = extensions.BOUTONS):
    """``{% actions_page "mission" mission %}``: the links and one-button forms the apps add to
    a core page, for the signed-in user (``groupe="plus"``: as items of the « Plus » drop-down)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    actions = [
        (action, _url_action(action, obj, request))
        for action in extensions.actions_pages.tous()
        if action.page == page and action.groupe == groupe and action.visible(user, obj)
    ]
    if not actions:
        return ""
    gabarit = context.template.engine.get_template("crm/_actions_page.html")
    with context.push(actions_contribuees=actions, groupe_actions=groupe):
        return gabarit.render(context)


@register.simple_tag(takes_context=True)
def panneaux_page(context, page: str, obj=None):
    """``{% panneaux_page "mission" mission %}``: the apps' panels of a core page, each rendered
    from its own template with the page's context plus what its ``contexte`` computed."""
    request = context.get("request")
    sortie = SafeString("")
    for panneau in extensions.panneaux_pages.tous():
        if panneau.page != page:
            continue
        donnees = panneau.contexte(request, obj)
        if donnees is None:
            continue
        gabarit = context.template.engine.get_template(panneau.gabarit)
        with context.push(**donnees):
            sortie += gabarit.render(context)
    return sortie


@register.simple_tag(takes_context=True)
def taches_objet(context, obj):
    """``{% taches_objet devis %}``: the tasks panel of an app's own page (the core's pages get
    it as a page panel), the same template and context."""
    from crm.taches import contexte_taches

    donnees = contexte_taches(context.get("request"), obj)
    if donnees is None:
        return ""
    gabarit = context.template.engine.get_template("crm/_taches.html")
    with context.push(**donnees):
        return gabarit.render(context)
