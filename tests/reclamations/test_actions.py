"""Corrective and preventive actions (issue 5): follow-up, effectiveness, the actions page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.exceptions import RefusMetier
from reclamations.models import Action
from reclamations.services import (
    creer_action,
    suivre_action,
)
from tests.factories import (
    reclamation_recue,
)

pytestmark = pytest.mark.django_db


# --- Corrective and preventive actions -------------------------------------------------------


def test_action_follow_up_done_then_effectiveness_checked(gerant):
    r = reclamation_recue()
    action = creer_action(
        description="Relire chaque rapport à deux.", echeance=date(2026, 4, 1), reclamation=r
    )
    with pytest.raises(RefusMetier, match="une fois l'action réalisée"):
        suivre_action(action, le=date(2026, 3, 20), statut="en_cours", efficacite_verifiee=True)
    action = suivre_action(action, le=date(2026, 3, 20), statut="faite", par=gerant)
    assert (action.statut, action.realisee_le, action.verifiee_le) == (
        "faite",
        date(2026, 3, 20),
        None,
    )
    with pytest.raises(RefusMetier, match="comment l'efficacité"):
        suivre_action(action, le=date(2026, 5, 4), statut="faite", efficacite_verifiee=True)
    with pytest.raises(RefusMetier, match="futur"):
        suivre_action(action, le=date(2026, 5, 4), statut="faite", realisee_le=date(2026, 5, 5))
    action = suivre_action(
        action,
        le=date(2026, 5, 4),
        statut="faite",
        efficacite_verifiee=True,
        efficacite_commentaire="Aucune erreur sur les 12 rapports suivants.",
    )
    assert (action.efficacite_verifiee, action.verifiee_le, action.realisee_le) == (
        True,
        date(2026, 5, 4),
        date(2026, 3, 20),
    )
    assert action.history.first().history_change_reason == "Suivi de l'action"


def test_actions_page_lists_overdue_first_and_the_owner_follows_up(
    client, gerant, consultant, autre_consultant
):
    aujourdhui = timezone.localdate()
    plus_tard = creer_action(
        description="Former l'équipe", echeance=aujourdhui + timedelta(days=30)
    )
    faite = creer_action(description="Nouveau modèle", echeance=aujourdhui - timedelta(days=60))
    suivre_action(faite, le=aujourdhui, statut="faite")
    en_retard = creer_action(
        description="Check-list de relecture",
        echeance=aujourdhui - timedelta(days=3),
        responsable=consultant,
    )
    client.force_login(gerant)
    page = client.get(reverse("reclamations:actions"))
    assert [a.pk for a in page.context["page"]] == [en_retard.pk, plus_tard.pk, faite.pk]
    assert (
        "en-retard" in page.content.decode().split("Check-list de relecture")[0].rsplit("<tr", 1)[1]
    )

    client.force_login(autre_consultant)
    assert client.get(reverse("reclamations:action_suivre", args=[en_retard.pk])).status_code == 404
    client.force_login(consultant)
    reponse = client.post(
        reverse("reclamations:action_suivre", args=[en_retard.pk]),
        {"statut": "faite", "realisee_le": aujourdhui.isoformat(), "efficacite_verifiee": ""},
    )
    assert reponse.status_code == 302
    assert Action.objects.get(pk=en_retard.pk).statut == "faite"


def test_a_new_action_from_a_complaint(client_gerant, gerant):
    r = reclamation_recue()
    reponse = client_gerant.post(
        reverse("reclamations:action_creer", args=[r.pk]),
        {
            "type": "preventive",
            "description": "Valider le planning avec le client.",
            "responsable": gerant.pk,
            "echeance": "2026-04-30",
        },
    )
    assert reponse.status_code == 302
    action = Action.objects.get()
    assert (action.reclamation, action.type, action.statut) == (r, "preventive", "a_faire")
