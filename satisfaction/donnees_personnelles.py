"""The satisfaction part of a person's data: the surveys sent to them and their answers, and
the debriefs of their organisation's missions (the client's words)."""

from __future__ import annotations

from crm.effacement import Mentions, emails_lies, nettoyer, nettoyer_emails
from crm.extensions import DonneesPersonnelles, donnees_personnelles
from satisfaction.models import Debrief, Enquete, Reponse


def _iso(valeur):
    return valeur.isoformat() if valeur else None


def exporter(contact) -> dict:
    enquetes = Enquete.objects.filter(contact=contact).select_related("reponse").order_by("pk")
    return {
        "enquetes": [
            {
                "creee_le": _iso(e.creee_le),
                "envoyee_le": _iso(e.envoyee_le),
                "reponse": (
                    {
                        "satisfaction": e.reponse.satisfaction,
                        "recommandation": e.reponse.recommandation,
                        "effort": e.reponse.effort,
                        "commentaire": e.reponse.commentaire,
                        "repondue_le": _iso(e.reponse.repondue_le),
                    }
                    if e.repondue
                    else None
                ),
            }
            for e in enquetes
        ],
        "debriefs": [
            {"mission": str(d.mission), "verbatim": d.verbatim}
            for d in Debrief.objects.filter(mission__devis__contact=contact).order_by("pk")
        ],
    }


def effacer(contact, *, mentions: Mentions, remplacement: str, le) -> None:
    """Survey answers stay in the indicators (scores); the person's own words go, and so does
    their consent to be quoted. Debriefs of their organisation's missions keep the consultant's
    record without any mention of them; on the person's own missions, the client's verbatim
    (their words) goes."""
    nettoyer(
        Reponse.objects.filter(enquete__contact=contact),
        mentions=mentions,
        remplacement=remplacement,
        valeurs={"commentaire": "", "consentement_citation": False},
    )
    enquetes = nettoyer(
        Enquete.objects.filter(contact=contact), mentions=mentions, remplacement=remplacement
    )
    nettoyer(
        Debrief.objects.filter(mission__devis__contact=contact),
        mentions=mentions,
        remplacement=remplacement,
        valeurs={"verbatim": ""},
    )
    debriefs = nettoyer(
        Debrief.objects.filter(mission__devis__organisation_id=contact.organisation_id),
        mentions=mentions,
        remplacement=remplacement,
    )
    nettoyer_emails(
        emails_lies(Enquete, enquetes) | emails_lies(Debrief, debriefs),
        mentions=mentions,
        remplacement=remplacement,
        raison="Effacement RGPD",
    )


donnees_personnelles.ajouter(
    DonneesPersonnelles(
        cle="satisfaction",
        titre="Enquêtes et débriefs",
        exporter=exporter,
        effacer=effacer,
        ordre=40,
    )
)
