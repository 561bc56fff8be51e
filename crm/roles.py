"""The two roles of DESIGN §7, as Django groups created by a data migration."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Exists, Model, OuterRef, QuerySet

if TYPE_CHECKING:
    from crm.extensions import Utilisateur

M = TypeVar("M", bound=Model)

GERANT = "Gérant"
CONSULTANT = "Consultant"
ROLES = (GERANT, CONSULTANT)


def _annotation(role: str) -> str:
    return "_crm_role_" + ("gerant" if role == GERANT else "consultant")


def avec_roles(utilisateurs: QuerySet[M]) -> QuerySet[M]:
    """Users with their roles read in the same query (the authentication backend loads the
    signed-in user this way, so a page pays no query for its rights checks)."""
    from django.contrib.auth.models import Group

    # Annotations named at run time: the plugin cannot see them, the queryset's model stays.
    annotes: QuerySet[M] = utilisateurs.annotate(
        **{
            _annotation(role): Exists(Group.objects.filter(name=role, user=OuterRef("pk")))
            for role in ROLES
        }
    )
    return annotes


def _groupes(user: Utilisateur) -> set[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    # Cached on the user object: one query per request, whatever the number of checks.
    cache = getattr(user, "_crm_groupes", None)
    if cache is None:
        if hasattr(user, _annotation(GERANT)):  # loaded through avec_roles()
            cache = {role for role in ROLES if getattr(user, _annotation(role))}
        else:
            cache = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user._crm_groupes = cache
    return cache


def est_gerant(user: Utilisateur) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active) or GERANT in _groupes(user)


def est_consultant(user: Utilisateur) -> bool:
    return CONSULTANT in _groupes(user)


def libelle_role(user: Utilisateur) -> str:
    if est_gerant(user):
        return "Gérant"
    if est_consultant(user):
        return "Consultant"
    return "Utilisateur"


def accorder_permissions(
    # The migration's historical registry: its app configs are stubs (see models_module below).
    apps: Any,
    groupe: str,
    app_label: str,
    droits: dict[str, list[str]],
) -> None:
    """Used by data migrations: give ``groupe`` the actions on each model of ``app_label``.

    ``droits`` maps a model name to actions (``view``, ``add``, ``change``). Each app grants
    its own permissions in its own migration, so the core never depends on the other apps.
    """
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations (post_migrate); create this
    # app's now. The historical app config is a stub without models_module: set it for the call.
    config = apps.get_app_config(app_label)
    avant = getattr(config, "models_module", None)
    config.models_module = avant or True
    try:
        create_permissions(config, verbosity=0, apps=apps)
    finally:
        config.models_module = avant
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    g, _ = Group.objects.get_or_create(name=groupe)
    for modele, actions in droits.items():
        codenames = [f"{action}_{modele}" for action in actions]
        perms = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        if perms.count() != len(codenames):
            raise RuntimeError(f"Permissions manquantes pour {app_label}.{modele} : {codenames}")
        g.permissions.add(*perms)


LIRE_ECRIRE = ["view", "add", "change"]
LIRE = ["view"]


def nom_utilisateur(u: Utilisateur) -> str:
    """A user's name as the tables and files show it (empty for nobody)."""
    return (u.get_full_name() or u.username) if u else ""
