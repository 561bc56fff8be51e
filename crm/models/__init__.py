"""The core's models (DESIGN §4), one module per concern; every name is importable from
``crm.models`` as before (migrations name ``crm.models.valider_siret`` and ``_chemin_fiche``)."""

from __future__ import annotations

from crm.models.affaires import (  # noqa: F401
    Canal,
    Contexte,
    Decision,
    Demande,
    Mission,
    MissionQuerySet,
    RevueFaisabilite,
    StatutDemande,
    StatutMission,
    SuiteNoGo,
    TypePrestation,
    _chemin_fiche,
)
from crm.models.recherche import IndexRecherche  # noqa: F401
from crm.models.registres import (  # noqa: F401
    Compteur,
    DigestHebdo,
    EmailEnvoye,
    StatutDigest,
    StatutEmail,
)
from crm.models.relations import (  # noqa: F401
    COORDONNEES_ORGANISATION,
    IDENTITE_ORGANISATION,
    TYPES_RENCONTRE,
    Civilite,
    Contact,
    Interaction,
    Organisation,
    OrganisationQuerySet,
    SensInteraction,
    Source,
    TypeInteraction,
)
from crm.models.socle import (  # noqa: F401
    Entreprise,
    Horodate,
    chemin_aleatoire,
    par_qui,
    telephone_validator,
    valider_siret,
)
from crm.models.taches import Tache, TacheQuerySet  # noqa: F401
