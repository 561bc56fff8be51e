"""The quotes' lines of the weekly digest and of the « Aujourd'hui » page."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse

from crm.digest import Ligne, limiter, section
from devis import selectors


@section("relances", "Relances à faire", ordre=20)
def relances(user, le: date) -> list[Ligne]:
    _, dimanche = selectors.semaine(le)
    lignes = []
    for r in limiter(selectors.relances_a_faire(dimanche, user=user)):
        d = r.devis
        lignes.append(
            Ligne(
                texte=f"{d.numero} — {d.organisation} — {d.objet}",
                url=d.get_absolute_url(),
                detail=f"envoyé le {d.envoye_le:%d/%m/%Y}, relance due le {r.due_le:%d/%m/%Y}"
                + (f" — {d.contact.nom_complet}" if d.contact else ""),
                en_retard=r.due_le < le,
                telephone=d.contact.telephone_principal if d.contact else "",
                relance_url=reverse("devis:relance", args=[d.pk]) if r.due_le <= le else "",
            )
        )
    # Relances falling due later this week, not yet created by the daily rule.
    for d in limiter(selectors.relances_de_la_semaine(le, dimanche, user=user)):
        lignes.append(
            Ligne(
                texte=f"{d.numero} — {d.organisation} — {d.objet}",
                url=d.get_absolute_url(),
                detail=f"relance due le {d.relance_due_le:%d/%m/%Y}",
                en_retard=d.relance_due_le < le,
                telephone=d.contact.telephone_principal if d.contact else "",
            )
        )
    return lignes


@section("bientot_sans_suite", "Devis bientôt « sans suite »", ordre=30)
def bientot_sans_suite(user, le: date) -> list[Ligne]:
    fin = le + timedelta(days=7)
    return [
        Ligne(
            texte=f"{d.numero} — {d.organisation} — {d.objet}",
            url=d.get_absolute_url(),
            detail=f"sans réponse depuis le {d.envoye_le:%d/%m/%Y}, classé sans suite le {d.sans_suite_le:%d/%m/%Y}",
            telephone=d.contact.telephone_principal if d.contact else "",
        )
        for d in limiter(selectors.bientot_sans_suite(le, fin, user=user))
    ]


@section("sans_suite", "Classés « sans suite » la semaine dernière", ordre=40)
def classes_sans_suite(user, le: date) -> list[Ligne]:
    lundi, _ = selectors.semaine(le)
    return [
        Ligne(
            texte=f"{d.numero} — {d.organisation} — {d.objet}",
            url=d.get_absolute_url(),
            detail=f"classé le {d.classe_sans_suite_le:%d/%m/%Y}",
        )
        for d in limiter(selectors.classes_sans_suite(lundi - timedelta(days=7), le, user=user))
    ]
