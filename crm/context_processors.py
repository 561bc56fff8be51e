from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from crm.extensions import COMPTE, PRINCIPAL, menu
from crm.roles import est_consultant, est_gerant, libelle_role


def _entrees(request: HttpRequest, zone: str) -> list[dict[str, Any]]:
    match = request.resolver_match
    espace, vue = (match.namespace, match.url_name) if match else ("", "")
    return [
        {
            "libelle": e.libelle_pour(request.user) if e.libelle_pour else e.libelle,
            "url": reverse(e.url),
            "icone": e.icone,
            "actif": e.actif(espace, vue or ""),
        }
        for e in menu.tous()
        if e.zone == zone and e.visible(request.user)
    ]


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The role and the navigation, as contributed by the apps (``crm.extensions.menu``)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "est_gerant": est_gerant(user),
        "est_consultant": est_consultant(user),
        "role": libelle_role(user),
        "menu_principal": _entrees(request, PRINCIPAL),
        "menu_compte": _entrees(request, COMPTE),
    }
