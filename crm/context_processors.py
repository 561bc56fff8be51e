from __future__ import annotations

from crm.roles import est_consultant, est_gerant, libelle_role


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "est_gerant": est_gerant(user),
        "est_consultant": est_consultant(user),
        "role": libelle_role(user),
    }
