"""Complaints (issue 5): the phases in order, reopening by the gérant, deadlines across
holidays, numbering under concurrency, emails sent and recorded."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from crm.exceptions import RefusMetier
from crm.models import Compteur, EmailEnvoye
from reclamations.models import Reclamation
from reclamations.services import (
    accuser_reception,
    clore,
    enregistrer_reclamation,
    qualifier,
    repondre,
    rouvrir,
)
from tests.factories import (
    ContactFactory,
    OrganisationFactory,
    nature_reclamation,
    reclamation_recue,
)

pytestmark = pytest.mark.django_db
avec_commit = pytest.mark.django_db(transaction=True)

JEUDI = date(2026, 3, 5)


# --- Deadlines across weekends and holidays -----------------------------------------------------


def test_deadlines_skip_the_may_day_holiday_and_count_saturday_as_jour_ouvrable():
    r = reclamation_recue(date(2026, 4, 30))  # Thursday; Friday 1 May is off
    assert r.accuse_du_le == date(2026, 5, 5)  # Mon 4, Tue 5 (jours ouvrés)
    assert r.reponse_due_le == date(2026, 5, 7)  # Sat 2, Mon 4, Tue 5, Wed 6, Thu 7


def test_deadlines_of_a_complaint_received_on_a_saturday():
    r = reclamation_recue(date(2026, 3, 7))
    assert r.accuse_du_le == date(2026, 3, 10)  # Mon 9, Tue 10
    assert r.reponse_due_le == date(2026, 3, 13)  # Mon 9 … Fri 13


# --- Status transitions ----------------------------------------------------------------------------


def test_the_six_phases_in_order_reach_close():
    r = reclamation_recue()
    r = accuser_reception(r, le=JEUDI, mode="telephone")
    assert (r.statut, r.accuse_le, r.accuse_mode) == ("accusee", JEUDI, "telephone")
    r = qualifier(
        r, nature=nature_reclamation("Qualité de la prestation"), gravite="majeure", fondee=True
    )
    assert r.statut == "en_traitement"
    r = repondre(r, le=date(2026, 3, 9), reponse="Nous refaisons le rapport.", envoyer_email=False)
    assert (r.statut, r.repondue_le) == ("repondue", date(2026, 3, 9))
    r = clore(r, le=date(2026, 3, 12), client_satisfait=True, verification="Appel du 12/03.")
    assert (r.statut, r.close_le, r.client_satisfait) == ("close", date(2026, 3, 12), True)


def test_answer_before_acknowledgement_is_refused_with_the_reason():
    r = reclamation_recue()
    with pytest.raises(RefusMetier, match="Accusez d'abord réception"):
        repondre(r, le=JEUDI, reponse="Réponse.", envoyer_email=False)
    assert Reclamation.objects.get(pk=r.pk).statut == "recue"


def test_closing_before_the_answer_is_refused_with_the_reason():
    r = accuser_reception(reclamation_recue(), le=JEUDI, mode="telephone")
    with pytest.raises(RefusMetier, match="qu'une fois la réponse donnée"):
        clore(r, le=JEUDI, client_satisfait=True, verification="Appel.")
    assert Reclamation.objects.get(pk=r.pk).statut == "accusee"


def test_second_acknowledgement_second_answer_and_second_closing_are_refused():
    r = accuser_reception(reclamation_recue(), le=JEUDI, mode="telephone")
    with pytest.raises(RefusMetier, match="déjà été donné"):
        accuser_reception(r, le=JEUDI, mode="telephone")
    r = repondre(r, le=JEUDI, reponse="Réponse.", envoyer_email=False)
    with pytest.raises(RefusMetier, match="déjà été donnée"):
        repondre(r, le=JEUDI, reponse="Autre.", envoyer_email=False)
    r = clore(r, le=JEUDI, client_satisfait=False, verification="Appel.")
    with pytest.raises(RefusMetier, match="déjà close"):
        clore(r, le=JEUDI, client_satisfait=True, verification="Appel.")
    with pytest.raises(RefusMetier, match="rouvrez-la"):
        qualifier(r, gravite="critique")


def test_dates_going_backwards_are_refused():
    r = reclamation_recue()
    with pytest.raises(RefusMetier, match="précéder la réclamation"):
        accuser_reception(r, le=JEUDI - timedelta(days=1), mode="telephone")
    r = accuser_reception(r, le=date(2026, 3, 6), mode="telephone")
    with pytest.raises(RefusMetier, match="précéder l'accusé"):
        repondre(r, le=JEUDI, reponse="Réponse.", envoyer_email=False)


def test_compensation_other_than_a_service_needs_an_amount():
    r = accuser_reception(reclamation_recue(), le=JEUDI, mode="telephone")
    with pytest.raises(RefusMetier, match="montant"):
        repondre(r, le=JEUDI, reponse="Remise.", compensation="remise", envoyer_email=False)
    r = repondre(
        r,
        le=JEUDI,
        reponse="Remise.",
        compensation="remise",
        montant_compensation="150.00",
        envoyer_email=False,
    )
    assert str(r.montant_compensation) == "150.00"


def test_the_database_refuses_a_close_date_without_an_answer():
    r = reclamation_recue()
    with pytest.raises(IntegrityError), transaction.atomic():
        Reclamation.objects.filter(pk=r.pk).update(close_le=JEUDI)


def _close() -> Reclamation:
    r = accuser_reception(reclamation_recue(), le=JEUDI, mode="telephone")
    r = repondre(r, le=JEUDI, reponse="Réponse.", envoyer_email=False)
    return clore(r, le=JEUDI, client_satisfait=True, verification="Appel.")


def test_only_the_gerant_reopens_and_the_reason_is_kept_in_the_history(gerant, consultant):
    r = _close()
    with pytest.raises(RefusMetier, match="Seul le gérant"):
        rouvrir(r, raison="Le client rappelle.", par=consultant)
    with pytest.raises(RefusMetier, match="raison"):
        rouvrir(r, raison="  ", par=gerant)
    r = rouvrir(
        r, raison="Le client rappelle : le rapport refait a encore des erreurs.", par=gerant
    )
    assert (r.statut, r.close_le, r.client_satisfait) == ("repondue", None, None)
    derniere = r.history.order_by("-history_date", "-history_id").first()
    assert derniere.history_change_reason == (
        "Réouverture : Le client rappelle : le rapport refait a encore des erreurs."
    )
    assert derniere.history_user == gerant
    with pytest.raises(RefusMetier, match="Seule une réclamation close"):
        rouvrir(r, raison="Encore.", par=gerant)


def test_reopening_page_is_for_the_gerant_and_shows_the_reason_in_the_history(
    client, gerant, consultant
):
    r = _close()
    client.force_login(consultant)
    assert client.post(
        reverse("reclamations:rouvrir", args=[r.pk]), {"raison": "X"}
    ).status_code in (
        403,
        404,
    )
    client.force_login(gerant)
    reponse = client.post(
        reverse("reclamations:rouvrir", args=[r.pk]), {"raison": "Nouvelle erreur signalée."}
    )
    assert reponse.status_code == 302
    page = client.get(r.get_absolute_url()).content.decode()
    assert "Nouvelle erreur signalée." in page
    assert Reclamation.objects.get(pk=r.pk).statut == "repondue"


# --- Numbering under concurrency ------------------------------------------------------------------


@avec_commit
def test_eight_complaints_recorded_at_once_get_eight_consecutive_numbers():
    org = OrganisationFactory()
    depart = threading.Barrier(8)
    erreurs: list[BaseException] = []

    def enregistrer(i: int) -> None:
        from django.db import connection as connexion_du_fil

        try:
            depart.wait(timeout=30)
            enregistrer_reclamation(organisation=org, recue_le=JEUDI, description=f"Plainte {i}")
        except BaseException as exc:  # reported to the main thread
            erreurs.append(exc)
        finally:
            connexion_du_fil.close()

    fils = [threading.Thread(target=enregistrer, args=(i,)) for i in range(8)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(timeout=120)
    assert not erreurs, erreurs
    numeros = sorted(Reclamation.objects.values_list("numero", flat=True))
    assert numeros == [f"REC-2026-{i:04d}" for i in range(1, 9)], connection.vendor
    assert Compteur.objects.get(prefixe="REC", annee=2026).dernier == 8


def test_a_refused_complaint_takes_no_number():
    org = OrganisationFactory()
    with pytest.raises(RefusMetier):
        enregistrer_reclamation(organisation=org, recue_le=JEUDI, description="   ")
    assert reclamation_recue(organisation=org).numero == "REC-2026-0001"


# --- Emails sent and recorded ---------------------------------------------------------------------


@avec_commit
def test_acknowledgement_and_answer_are_emailed_to_the_contact_and_recorded(gerant):
    r = reclamation_recue()
    r = accuser_reception(r, le=JEUDI, mode="email", par=gerant)
    assert len(mail.outbox) == 1
    accuse = mail.outbox[0]
    assert accuse.to == [r.contact.email]
    assert r.numero in accuse.subject
    assert "11 mars 2026" in accuse.body  # the answer deadline is stated
    r = repondre(
        r, le=date(2026, 3, 9), reponse="Nous refaisons le rapport gratuitement.", par=gerant
    )
    assert len(mail.outbox) == 2
    assert "Nous refaisons le rapport gratuitement." in mail.outbox[1].body
    enregistres = EmailEnvoye.objects.filter(object_id=str(r.pk)).order_by("pk")
    assert [(e.motif, e.statut) for e in enregistres] == [
        ("reclamation_accuse", "envoye"),
        ("reclamation_reponse", "envoye"),
    ]
    assert all(e.par == gerant for e in enregistres)


@avec_commit
def test_acknowledgement_by_email_without_an_address_is_refused():
    r = reclamation_recue(contact=ContactFactory(email=""))
    with pytest.raises(RefusMetier, match="par téléphone"):
        accuser_reception(r, le=JEUDI, mode="email")
    assert mail.outbox == []
    assert Reclamation.objects.get(pk=r.pk).accuse_le is None
