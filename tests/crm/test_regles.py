"""The daily rules (DESIGN §5): R1 relance unique, R2 sans suite, complaint deadlines and
requests to qualify, through `crm.regles.appliquer` and `manage.py proc020`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.calendrier import ajouter_jours_ouvrables, ajouter_jours_ouvres
from crm.extensions import Regle, regles
from crm.regles import appliquer
from crm.services import qualifier_demande
from devis.models import Devis, Relance
from devis.regles import classer_sans_suite, creer_relances_dues
from devis.services import enregistrer_relance, enregistrer_reponse
from reclamations.models import Reclamation
from reclamations.services import accuser_reception, clore, enregistrer_reclamation, repondre
from tests.factories import DemandeFactory, OrganisationFactory, devis_envoye
from tests.outils import RACINE, url_base_de_test

pytestmark = pytest.mark.django_db


LUNDI = date(2026, 3, 2)  # relance due Monday 9 March, sans suite on 2 April
RELANCE_DUE = date(2026, 3, 9)
SANS_SUITE = date(2026, 4, 2)


def proc020(le: date, *options: str) -> dict:
    sortie = StringIO()
    call_command("proc020", "--date", le.isoformat(), "--json", *options, stdout=sortie)
    resultat = json.loads(sortie.getvalue())
    assert resultat["erreurs"] == []
    return resultat


# --- R1 relance unique ---------------------------------------------------------------------------


def test_proc020_json_has_the_contract_keys():
    resultat = proc020(LUNDI)
    assert resultat["date"] == "2026-03-02"
    for cle in ("relances_dues", "sans_suite", "reclamations_en_retard", "demandes_a_qualifier"):
        assert resultat[cle] == []


def test_relance_is_not_created_the_day_before_it_is_due():
    devis = devis_envoye(LUNDI)
    assert devis.relance_due_le == RELANCE_DUE
    resultat = proc020(RELANCE_DUE - timedelta(days=1))
    assert devis.numero not in resultat["relances_dues"]
    assert not Relance.objects.exists()


def test_relance_is_created_on_its_due_date():
    devis = devis_envoye(LUNDI)
    resultat = proc020(RELANCE_DUE)
    assert resultat["relances_dues"] == [devis.numero]
    relance = Relance.objects.get(devis=devis)
    assert (relance.due_le, relance.faite_le) == (RELANCE_DUE, None)


def test_relance_is_created_once_when_rules_run_twice():
    devis = devis_envoye(LUNDI)
    premier = proc020(RELANCE_DUE)
    second = proc020(RELANCE_DUE)
    assert premier["relances_creees"] == [devis.numero]
    assert second["relances_creees"] == []
    assert second["relances_dues"] == [devis.numero]  # still on the to-do list
    for jour in (RELANCE_DUE + timedelta(days=1), RELANCE_DUE + timedelta(days=10)):
        appliquer(jour)
    assert Relance.objects.filter(devis=devis).count() == 1
    assert Relance.history.filter(devis_id=devis.pk).count() == 1


def test_relance_done_leaves_the_to_do_list_and_is_not_recreated():
    devis = devis_envoye(LUNDI)
    proc020(RELANCE_DUE)
    enregistrer_relance(devis, mode="telephone", le=RELANCE_DUE)
    resultat = proc020(RELANCE_DUE + timedelta(days=1))
    assert resultat["relances_dues"] == []
    assert Relance.objects.filter(devis=devis).count() == 1


def test_devis_answered_before_its_due_date_gets_no_relance_and_never_becomes_sans_suite():
    devis = devis_envoye(LUNDI)
    enregistrer_reponse(devis, decision="en_discussion", le=date(2026, 3, 5))
    for jour in (RELANCE_DUE, SANS_SUITE, SANS_SUITE + timedelta(days=60)):
        resultat = proc020(jour)
        assert devis.numero not in resultat["relances_dues"]
        assert devis.numero not in resultat["sans_suite"]
    assert not Relance.objects.exists()
    assert Devis.objects.get(pk=devis.pk).statut == "envoye"


def test_relance_across_may_holidays_is_due_on_the_fifth_jour_ouvre():
    devis = devis_envoye(date(2026, 4, 30))  # Thursday; 1 and 8 May are Fridays off
    assert devis.relance_due_le == ajouter_jours_ouvres(date(2026, 4, 30), 5) == date(2026, 5, 11)
    assert proc020(date(2026, 5, 8))["relances_dues"] == []
    assert proc020(date(2026, 5, 10))["relances_dues"] == []
    assert proc020(date(2026, 5, 11))["relances_dues"] == [devis.numero]


def test_r1_runs_a_bounded_number_of_queries_per_batch(settings):
    settings.CRM_REGLES_LOT = 10
    lots = [devis_envoye(LUNDI) for _ in range(35)]
    with CaptureQueriesContext(connection) as requetes:
        crees = creer_relances_dues(RELANCE_DUE)
    assert crees == [d.numero for d in lots]
    # One read of the candidates, then per batch of 10: its re-read, the insert, the read-back,
    # the history insert, and the savepoint's two statements (the test runs in a transaction).
    assert len(requetes) <= 1 + 4 * 6, [q["sql"][:80] for q in requetes.captured_queries]
    assert Relance.objects.count() == 35
    for devis in lots:
        assert Relance.history.filter(devis_id=devis.pk, history_type="+").count() == 1


def test_quote_answered_while_r1_runs_gets_no_relance(settings):
    settings.CRM_REGLES_LOT = 2
    premier, second, repondu = (devis_envoye(LUNDI) for _ in range(3))
    lectures = []

    def repondre_apres_la_premiere_lecture(execute, sql, params, many, context):
        resultat = execute(sql, params, many, context)
        if not lectures:
            lectures.append(sql)
            # The answer arrives after the candidates were read, before the last batch.
            Devis.objects.filter(pk=repondu.pk).update(reponse_le=RELANCE_DUE)
        return resultat

    with connection.execute_wrapper(repondre_apres_la_premiere_lecture):
        crees = creer_relances_dues(RELANCE_DUE)
    assert crees == [premier.numero, second.numero]
    assert not Relance.objects.filter(devis=repondu).exists()


def test_rules_run_without_jit_on_postgresql_and_leave_the_session_as_it_was():
    """PostgreSQL: the rules run with JIT off and the session's setting comes back. SQLite has
    no such setting: nothing about it is sent there."""
    vus = []

    def _lire_jit(le, *, simuler):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('jit')")
                vus.append(cursor.fetchone()[0])
        else:
            vus.append("sans objet")
        return {}

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET jit = on")
    with (
        regles.temporairement(Regle(cle="test_lire_jit", fonction=_lire_jit, ordre=1)),
        CaptureQueriesContext(connection) as ctx,
    ):
        appliquer(LUNDI)
    if connection.vendor == "postgresql":
        assert vus == ["off"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('jit')")
            assert cursor.fetchone()[0] == "on"
    else:
        assert vus == ["sans objet"]  # the rules ran
        assert not any("jit" in q["sql"] for q in ctx.captured_queries)


# --- R2 sans suite -------------------------------------------------------------------------------


def test_devis_becomes_sans_suite_on_sans_suite_le_not_before_whether_or_not_relanced():
    relance_faite = devis_envoye(LUNDI)
    sans_relance = devis_envoye(LUNDI)
    proc020(RELANCE_DUE)
    enregistrer_relance(relance_faite, mode="telephone", le=RELANCE_DUE)

    veille = proc020(SANS_SUITE - timedelta(days=1))
    assert veille["sans_suite"] == []
    assert set(Devis.objects.values_list("statut", flat=True)) == {"envoye"}

    jour = proc020(SANS_SUITE)
    assert sorted(jour["sans_suite"]) == sorted([relance_faite.numero, sans_relance.numero])
    for devis in (relance_faite, sans_relance):
        devis.refresh_from_db()
        assert (devis.statut, devis.classe_sans_suite_le) == ("sans_suite", SANS_SUITE)
    # An undone relance of a devis classed sans suite is no longer to do.
    assert jour["relances_dues"] == []
    # Idempotent: the next run classes nothing more.
    assert proc020(SANS_SUITE + timedelta(days=1))["sans_suite"] == []


def test_r2_runs_a_bounded_number_of_queries_per_batch(settings):
    settings.CRM_REGLES_LOT = 10
    lots = [devis_envoye(LUNDI) for _ in range(25)]
    with CaptureQueriesContext(connection) as requetes:
        classes = classer_sans_suite(SANS_SUITE)
    assert classes == [d.numero for d in lots]
    # Per batch of 10: the locking read, one UPDATE, the history insert, the savepoint's two
    # statements; the short third batch ends the loop.
    assert len(requetes) <= 3 * 5, [q["sql"][:80] for q in requetes.captured_queries]
    for devis in lots:
        devis.refresh_from_db()
        assert (devis.statut, devis.classe_sans_suite_le) == ("sans_suite", SANS_SUITE)
        assert devis.history.filter(statut="sans_suite", history_type="~").count() == 1


def test_late_answer_to_a_sans_suite_devis_is_still_recorded():
    devis = devis_envoye(LUNDI)
    proc020(SANS_SUITE)
    devis = enregistrer_reponse(devis, decision="accepte", le=SANS_SUITE + timedelta(days=3))
    assert devis.statut == "accepte"


def test_catch_up_after_downtime_creates_the_relance_once_and_classes_sans_suite():
    devis = devis_envoye(LUNDI)
    resultat = proc020(LUNDI + timedelta(days=40))
    assert resultat["sans_suite"] == [devis.numero]
    assert resultat["relances_creees"] == [devis.numero]
    assert Relance.objects.filter(devis=devis).count() == 1
    assert Devis.objects.get(pk=devis.pk).statut == "sans_suite"
    proc020(LUNDI + timedelta(days=41))
    assert Relance.objects.filter(devis=devis).count() == 1


def test_dry_run_reports_without_changing_anything():
    devis = devis_envoye(LUNDI)
    reclamation = enregistrer_reclamation(
        organisation=devis.organisation, recue_le=LUNDI, description="Rapport en retard."
    )
    jour = LUNDI + timedelta(days=40)
    historique = devis.history.count()
    simulation = proc020(jour, "--dry-run")
    assert simulation["simulation"] is True
    assert simulation["sans_suite"] == [devis.numero]
    assert simulation["reclamations_en_retard"] == [reclamation.numero]
    assert not Relance.objects.exists()
    devis.refresh_from_db()
    assert devis.statut == "envoye"
    assert devis.history.count() == historique

    reel = proc020(jour)
    assert reel["simulation"] is False
    assert reel["sans_suite"] == simulation["sans_suite"]
    assert Relance.objects.count() == 1


def test_dry_run_lists_relance_dues_like_the_real_run():
    devis = devis_envoye(LUNDI)
    assert proc020(RELANCE_DUE, "--dry-run")["relances_dues"] == [devis.numero]
    assert not Relance.objects.exists()
    assert proc020(RELANCE_DUE)["relances_dues"] == [devis.numero]


def test_proc020_text_summary_is_french():
    devis = devis_envoye(LUNDI)
    sortie = StringIO()
    call_command("proc020", "--date", RELANCE_DUE.isoformat(), stdout=sortie)
    texte = sortie.getvalue()
    assert "09/03/2026" in texte
    assert devis.numero in texte


def test_proc020_refuses_an_invalid_date_in_french():
    with pytest.raises(CommandError, match="Date invalide"):
        call_command("proc020", "--date", "2026-02-30", stdout=StringIO())


# --- Complaints ----------------------------------------------------------------------------------


def test_complaint_is_numbered_per_year_with_both_deadlines():
    org = OrganisationFactory()
    recue = date(2026, 3, 5)  # Thursday
    premiere = enregistrer_reclamation(organisation=org, recue_le=recue, description="Retard.")
    seconde = enregistrer_reclamation(organisation=org, recue_le=recue, description="Erreur.")
    en_2027 = enregistrer_reclamation(organisation=org, recue_le=date(2027, 1, 4), description="X.")
    assert (premiere.numero, seconde.numero, en_2027.numero) == (
        "REC-2026-0001",
        "REC-2026-0002",
        "REC-2027-0001",
    )
    assert premiere.accuse_du_le == ajouter_jours_ouvres(recue, 2) == date(2026, 3, 9)
    assert premiere.reponse_due_le == ajouter_jours_ouvrables(recue, 5) == date(2026, 3, 11)
    assert premiere.statut == "recue"


def test_complaint_is_overdue_from_the_day_after_an_unmet_acknowledgement():
    r = enregistrer_reclamation(
        organisation=OrganisationFactory(), recue_le=date(2026, 3, 5), description="Retard."
    )
    assert proc020(r.accuse_du_le)["reclamations_en_retard"] == []
    assert proc020(r.accuse_du_le + timedelta(days=1))["reclamations_en_retard"] == [r.numero]


def test_complaint_acknowledged_but_unanswered_is_overdue_after_the_answer_deadline():
    r = enregistrer_reclamation(
        organisation=OrganisationFactory(), recue_le=date(2026, 3, 5), description="Retard."
    )
    accuser_reception(r, le=r.accuse_du_le, mode="telephone")
    assert proc020(r.accuse_du_le + timedelta(days=1))["reclamations_en_retard"] == []
    assert proc020(r.reponse_due_le)["reclamations_en_retard"] == []
    assert proc020(r.reponse_due_le + timedelta(days=1))["reclamations_en_retard"] == [r.numero]


def test_complaint_handled_in_time_is_never_overdue():
    r = enregistrer_reclamation(
        organisation=OrganisationFactory(), recue_le=date(2026, 3, 5), description="Retard."
    )
    accuser_reception(r, le=date(2026, 3, 6), mode="telephone")
    repondre(r, le=r.reponse_due_le, reponse="Nous refaisons le rapport.", envoyer_email=False)
    for jour in (r.reponse_due_le + timedelta(days=1), r.reponse_due_le + timedelta(days=30)):
        assert proc020(jour)["reclamations_en_retard"] == []
    clore(r, le=date(2026, 3, 20), client_satisfait=True, verification="Appel du client.")
    assert Reclamation.objects.get(pk=r.pk).statut == "close"
    assert proc020(date(2026, 4, 1))["reclamations_en_retard"] == []


def test_answer_late_is_still_overdue_until_it_is_given():
    r = enregistrer_reclamation(
        organisation=OrganisationFactory(), recue_le=date(2026, 3, 5), description="Retard."
    )
    assert proc020(date(2026, 3, 16))["reclamations_en_retard"] == [r.numero]
    accuser_reception(r, le=date(2026, 3, 16), mode="telephone")
    assert proc020(date(2026, 3, 16))["reclamations_en_retard"] == [r.numero]  # answer late too
    repondre(r, le=date(2026, 3, 16), reponse="Réponse tardive.", envoyer_email=False)
    assert proc020(date(2026, 3, 17))["reclamations_en_retard"] == []


# --- Requests to qualify -----------------------------------------------------------------------


def test_demande_still_nouvelle_after_two_jours_ouvres_is_to_qualify():
    demande = DemandeFactory(recue_le=date(2026, 3, 5))  # Thursday → due Monday 9 March
    qualifiee = DemandeFactory(recue_le=date(2026, 3, 5))
    qualifier_demande(qualifiee, le=date(2026, 3, 6))
    assert proc020(date(2026, 3, 9))["demandes_a_qualifier"] == []
    a_qualifier = proc020(date(2026, 3, 10))["demandes_a_qualifier"]
    assert len(a_qualifier) == 1
    assert f"Demande {demande.pk}" in a_qualifier[0]
    assert str(demande.organisation) in a_qualifier[0]


# --- Concurrency: several proc020 processes at once ---------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("decalage", [7, 40], ids=["relance-due", "relance-et-sans-suite"])
def test_concurrent_proc020_processes_create_exactly_one_relance_per_devis(decalage):
    lots = [devis_envoye(LUNDI) for _ in range(50)]
    le = LUNDI + timedelta(days=decalage)
    env = {
        **os.environ,
        "DATABASE_URL": url_base_de_test(),
        "DJANGO_SETTINGS_MODULE": "crm.settings",
    }
    commande = [sys.executable, "manage.py", "proc020", "--date", le.isoformat(), "--json"]
    processus = [
        subprocess.Popen(
            commande, cwd=RACINE, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(4)
    ]
    sorties = [p.communicate(timeout=180) for p in processus]
    for p, (stdout, stderr) in zip(processus, sorties, strict=True):
        assert p.returncode == 0, stderr.decode()
        assert "database is locked" not in stderr.decode()
        resultat = json.loads(stdout.decode())
        assert resultat["erreurs"] == []
    crees = set()
    for stdout, _ in sorties:
        crees.update(json.loads(stdout.decode())["relances_creees"])
    numeros = {d.numero for d in lots}
    assert crees == numeros
    assert Relance.objects.count() == 50
    assert Relance.history.count() == 50
    if decalage == 40:
        assert Devis.objects.filter(statut="sans_suite").count() == 50
        # Each devis was classed exactly once (one history row for the change).
        assert Devis.history.filter(statut="sans_suite").count() == 50
