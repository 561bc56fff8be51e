"""« Réponses reçues — à qualifier » in the rules' report (DESIGN §10).

Not a rule that acts: the pause itself is the quote's ``reponse_recue_le`` (set when the reply
is read, cleared when the answer is recorded), which R1 and R2 honour in ``devis.regles``. The
list holds from the moment the reply is read, whatever date it is given; it writes nothing, so
it is safe twice, concurrently and after downtime.
"""

from __future__ import annotations

from datetime import date

from crm.extensions import regle
from devis.selectors import numeros, reponses_a_qualifier


@regle(
    "courrier_reponses_a_qualifier",
    libelles={"reponses_a_qualifier": "Réponses reçues par email, à qualifier"},
    ordre=35,
)
def _reponses_a_qualifier(le: date, *, simuler: bool) -> dict[str, list[str]]:
    return {"reponses_a_qualifier": numeros(reponses_a_qualifier())}
