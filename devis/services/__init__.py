"""Writes on quotes (PROC-020 §3.3–3.5), one module per concern:

- ``redaction``: drafting, editing a draft, new versions and cancellation;
- ``envoi``: sending (checks, gap-free number, due dates, email to the client);
- ``suivi``: the client's answer and the one relance;
- ``accords``: the agreement, the revue de contrat, launching the mission;
- ``lien``: the client's link (token, whether it still takes an answer);
- ``acceptation``: the client's answers on the public page (accept, refuse, ask);
- ``signature``: the drawn signature kept with an online acceptance, and the PDF stamp;
- ``notifications``: the emails to the client and to the gérant.

Each service owns its transaction; emails and PDFs are produced after the transaction commits,
never inside it. Every public name is re-exported here: ``from devis.services import X`` is the
entry point of DESIGN §9 and §10.
"""

from __future__ import annotations

from crm.exceptions import EnvoiEchoue
from devis.services.acceptation import accepter_en_ligne, poser_question, refuser_en_ligne
from devis.services.accords import (
    RevueContrat,
    enregistrer_accord,
    faire_revue_contrat,
    lancer_mission,
)
from devis.services.envoi import echeances_envoi, envoyer_devis, verifier_envoi_possible
from devis.services.lien import (
    USAGE_JETON,
    DejaAccepte,
    EtatLien,
    LienInactif,
    consultation_expiree,
    devis_par_jeton,
    etat_lien,
    lien_acceptation,
    renouveler_lien,
)
from devis.services.redaction import (
    LigneSaisie,
    ajouter_ligne,
    annuler_devis,
    creer_devis,
    creer_devis_depuis_demande,
    modifier_brouillon,
    numero_version,
    reviser_devis,
)
from devis.services.signature import (
    SIGNATURE_PREFIXE,
    SIGNATURE_TAILLE_MAX,
    tampon_acceptation,
    verifier_signature,
)
from devis.services.suivi import (
    RAISON_REPORT,
    RelanceDejaFaite,
    enregistrer_relance,
    enregistrer_reponse,
    reporter_relance,
    reprendre_suivi,
    signaler_reponse_recue,
)

__all__ = [
    "RAISON_REPORT",
    "SIGNATURE_PREFIXE",
    "SIGNATURE_TAILLE_MAX",
    "USAGE_JETON",
    "DejaAccepte",
    "EnvoiEchoue",
    "EtatLien",
    "LienInactif",
    "LigneSaisie",
    "RelanceDejaFaite",
    "RevueContrat",
    "accepter_en_ligne",
    "ajouter_ligne",
    "annuler_devis",
    "creer_devis",
    "creer_devis_depuis_demande",
    "consultation_expiree",
    "devis_par_jeton",
    "echeances_envoi",
    "enregistrer_accord",
    "enregistrer_relance",
    "enregistrer_reponse",
    "envoyer_devis",
    "etat_lien",
    "faire_revue_contrat",
    "lancer_mission",
    "lien_acceptation",
    "modifier_brouillon",
    "numero_version",
    "poser_question",
    "refuser_en_ligne",
    "reporter_relance",
    "reprendre_suivi",
    "signaler_reponse_recue",
    "renouveler_lien",
    "reviser_devis",
    "tampon_acceptation",
    "verifier_envoi_possible",
    "verifier_signature",
]
