"""The weekly digest (DESIGN §6): one HTML + text email per active user with something to chase,
the gérant sees everything, a consultant only their own clients and missions, at most one per
user per ISO week."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from crm.digest import envoyer_digests
from crm.models import DigestHebdo, EmailEnvoye
from crm.regles import appliquer
from crm.roles import GERANT
from reclamations.services import enregistrer_reclamation
from tests.factories import OrganisationFactory, devis_envoye, mission_lancee
from tests.outils import MOT_DE_PASSE

# Emails leave only outside any transaction (crm.emails.expedier refuses otherwise): these tests
# commit for real; the serialized rollback brings back the groups a flush removes.
pytestmark = pytest.mark.django_db(transaction=True)

LUNDI = date(2026, 3, 9)  # ISO week 11
MERCREDI = date(2026, 3, 11)
LUNDI_SUIVANT = date(2026, 3, 16)  # ISO week 12


def _message_pour(user):
    messages = [m for m in mail.outbox if m.to == [user.email]]
    assert len(messages) == 1, [m.to for m in mail.outbox]
    return messages[0]


def _html(message) -> str:
    htmls = [contenu for contenu, type_mime in message.alternatives if type_mime == "text/html"]
    assert len(htmls) == 1
    return htmls[0]


@pytest.fixture
def semaine(gerant, consultant, autre_consultant):
    """Work for the week of Monday 9 March 2026, as the 07:00 rules leave it at 08:00."""
    a_moi = devis_envoye(date(2026, 3, 2), organisation=OrganisationFactory(responsable=consultant))
    au_cabinet = devis_envoye(date(2026, 3, 3), organisation=OrganisationFactory())
    mission = mission_lancee(
        date(2026, 2, 2),
        debut=date(2026, 2, 16),
        fin=date(2026, 3, 6),
        consultants=[consultant],
        organisation=OrganisationFactory(raison_sociale="Mission de Camille SA"),
    )
    plainte = enregistrer_reclamation(
        organisation=mission.devis.organisation,
        mission=mission,
        recue_le=date(2026, 3, 4),
        description="Le rapport n'est pas arrivé.",
    )
    appliquer(LUNDI)
    return {"a_moi": a_moi, "au_cabinet": au_cabinet, "mission": mission, "plainte": plainte}


def test_digest_goes_to_each_user_with_something_to_chase(
    semaine, gerant, consultant, autre_consultant
):
    assert envoyer_digests(le=LUNDI) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([gerant.email, consultant.email])
    for user in (gerant, consultant):
        message = _message_pour(user)
        assert message.body.strip()
        assert "<html" in _html(message).lower() or "<p" in _html(message).lower()
    assert not [m for m in mail.outbox if autre_consultant.email in m.to]


def test_gerant_digest_holds_everything(semaine, gerant):
    envoyer_digests(le=LUNDI)
    message = _message_pour(gerant)
    for contenu in (message.body, _html(message)):
        assert semaine["a_moi"].numero in contenu
        assert semaine["au_cabinet"].numero in contenu
        assert semaine["plainte"].numero in contenu


def test_consultant_digest_holds_only_their_clients_and_missions(semaine, consultant):
    envoyer_digests(le=LUNDI)
    message = _message_pour(consultant)
    for contenu in (message.body, _html(message)):
        assert semaine["a_moi"].numero in contenu  # organisation they are responsable for
        assert semaine["plainte"].numero in contenu  # complaint on their mission
        assert "Mission de Camille SA" in contenu  # their mission ended without debrief
        assert semaine["au_cabinet"].numero not in contenu


def test_user_with_nothing_to_chase_gets_no_email_but_a_marker(semaine, autre_consultant):
    envoyer_digests(le=LUNDI)
    marqueur = DigestHebdo.objects.get(utilisateur=autre_consultant)
    assert (marqueur.annee_iso, marqueur.semaine_iso, marqueur.statut) == (2026, 11, "vide")
    assert marqueur.email is None


def test_digest_is_sent_at_most_once_per_iso_week(semaine, gerant, consultant):
    assert envoyer_digests(le=LUNDI) == 2
    assert envoyer_digests(le=LUNDI) == 0
    assert envoyer_digests(le=MERCREDI) == 0
    assert len(mail.outbox) == 2
    assert DigestHebdo.objects.filter(annee_iso=2026, semaine_iso=11).count() == 3
    for user in (gerant, consultant):
        marqueur = DigestHebdo.objects.get(utilisateur=user, semaine_iso=11)
        assert marqueur.statut == "envoye"
        assert marqueur.email.statut == "envoye"
        assert marqueur.email.destinataires == user.email
    assert EmailEnvoye.objects.filter(motif="digest").count() == 2


def test_a_new_digest_goes_out_the_next_week(semaine, gerant):
    envoyer_digests(le=LUNDI)
    mail.outbox.clear()
    appliquer(LUNDI_SUIVANT)
    assert envoyer_digests(le=LUNDI_SUIVANT) >= 1
    assert _message_pour(gerant)
    assert DigestHebdo.objects.filter(utilisateur=gerant).count() == 2
    assert DigestHebdo.objects.filter(utilisateur=gerant, semaine_iso=12, statut="envoye").exists()


def test_digest_missed_on_monday_is_sent_later_in_the_week(semaine, gerant):
    assert envoyer_digests(le=MERCREDI) == 2
    assert envoyer_digests(le=LUNDI) == 0  # same ISO week


def test_inactive_user_gets_no_digest(semaine, django_user_model):
    parti = django_user_model.objects.create_user(
        username="ancien",
        email="ancien@iod.example",
        password=MOT_DE_PASSE,
        is_active=False,
    )
    parti.groups.add(Group.objects.get(name=GERANT))
    envoyer_digests(le=LUNDI)
    assert not [m for m in mail.outbox if parti.email in m.to]
    assert not DigestHebdo.objects.filter(utilisateur=parti).exists()


def test_nobody_gets_a_digest_when_there_is_nothing_to_chase(gerant, consultant):
    assert envoyer_digests(le=LUNDI) == 0
    assert mail.outbox == []
    assert set(DigestHebdo.objects.values_list("statut", flat=True)) == {"vide"}


def test_overdue_complaints_are_listed_first(semaine, gerant):
    envoyer_digests(le=LUNDI)
    message = _message_pour(gerant)
    for contenu in (message.body, _html(message)):
        plainte = contenu.index(semaine["plainte"].numero)
        assert plainte < contenu.index(semaine["a_moi"].numero)
        assert plainte < contenu.index(semaine["au_cabinet"].numero)
