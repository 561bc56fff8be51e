"""The core's entries of the navigation (the other apps bring their own, see crm/extensions.py)."""

from __future__ import annotations

from crm.extensions import COMPTE, EntreeMenu, Utilisateur, menu
from crm.roles import est_gerant


def _libelle_missions(user: Utilisateur) -> str:
    return "Missions" if est_gerant(user) else "Mes missions"


menu.ajouter(
    EntreeMenu("accueil", "Aujourd'hui", "accueil", icone="sun", ordre=10, vues=("accueil",))
)
menu.ajouter(
    EntreeMenu(
        "organisations",
        "Prospects & clients",
        "crm:organisations",
        icone="building",
        ordre=20,
        vues=("organisations", "organisation"),
    )
)
menu.ajouter(
    EntreeMenu(
        "demandes",
        "Demandes",
        "crm:demandes",
        icone="inbox",
        ordre=30,
        vues=("demandes", "demande", "revue"),
    )
)
menu.ajouter(
    EntreeMenu(
        "missions",
        "Missions",
        "crm:missions",
        icone="kanban",
        ordre=50,
        vues=("missions", "mission"),
        libelle_pour=_libelle_missions,
    )
)
menu.ajouter(
    EntreeMenu(
        "digest",
        "Aperçu du digest",
        "crm:apercu_digest",
        icone="envelope-paper",
        ordre=10,
        zone=COMPTE,
        visible=est_gerant,
    )
)
menu.ajouter(
    EntreeMenu(
        "entreprise",
        "Identité de l'entreprise",
        "crm:entreprise",
        icone="building-gear",
        ordre=20,
        zone=COMPTE,
        visible=est_gerant,
    )
)
menu.ajouter(
    EntreeMenu(
        "administration",
        "Administration",
        "admin:index",
        icone="gear",
        ordre=90,
        zone=COMPTE,
        visible=est_gerant,
    )
)
menu.ajouter(
    EntreeMenu(
        "mot_de_passe",
        "Changer mon mot de passe",
        "password_change",
        icone="key",
        ordre=95,
        zone=COMPTE,
    )
)
menu.ajouter(
    EntreeMenu(
        "double_facteur",
        "Double authentification",
        "double_facteur",
        icone="shield-lock",
        ordre=96,
        zone=COMPTE,
    )
)
