"""Moving one quote's relance (DESIGN §10, issue « suivi sans trou »): the client is away, the
relance comes the day they are back, exactly once, and « sans suite » moves with it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import date, timedelta

import pytest
from django.db import connection

from crm.calendrier import ajouter_jours_ouvres
from crm.exceptions import RefusMetier
from crm.regles import appliquer
from devis.models import Devis, Relance, StatutDevis
from devis.services import (
    RelanceDejaFaite,
    enregistrer_relance,
    enregistrer_reponse,
    reporter_relance,
)
from tests.factories import devis_envoye
from tests.outils import RACINE, url_base_de_test

# Sent Wednesday 16 December 2026: relance due on the 5th jour ouvré, Wednesday 23 December;
# « sans suite » one month later, 16 January 2027.
ENVOI = date(2026, 12, 16)
DUE = date(2026, 12, 23)
RETOUR = date(2027, 1, 5)  # « en congés jusqu'au 4 janvier »


@pytest.mark.django_db
def test_relance_moved_across_christmas_is_due_the_day_the_client_is_back_exactly_once():
    devis = devis_envoye(ENVOI)
    assert devis.relance_due_le == DUE == ajouter_jours_ouvres(ENVOI, 5)
    assert devis.sans_suite_le == date(2027, 1, 16)

    reporter_relance(devis, au=RETOUR, motif="En congés jusqu'au 4 janvier", le=date(2026, 12, 18))

    devis.refresh_from_db()
    assert devis.relance_due_le == RETOUR
    # Moved by 13 calendar days (23 December → 5 January), so is « sans suite ».
    assert devis.sans_suite_le == date(2027, 1, 29)
    for jour in (DUE, date(2026, 12, 31), date(2027, 1, 4)):
        assert devis.numero not in appliquer(jour)["relances_dues"], jour
    assert not Relance.objects.exists()
    assert devis.numero in appliquer(RETOUR)["relances_dues"]
    assert devis.numero in appliquer(RETOUR)["relances_dues"]  # the rule again: still one
    assert Relance.objects.filter(devis=devis).count() == 1
    assert Relance.objects.get(devis=devis).due_le == RETOUR
    # Not « sans suite » on the old date, but on the shifted one.
    assert devis.numero not in appliquer(date(2027, 1, 16))["sans_suite"]
    assert Devis.objects.get(pk=devis.pk).statut == StatutDevis.ENVOYE
    assert devis.numero in appliquer(date(2027, 1, 29))["sans_suite"]


@pytest.mark.django_db
def test_relance_moved_twice_after_the_rule_created_it_moves_the_same_row():
    devis = devis_envoye(ENVOI)
    appliquer(DUE)  # R1 creates the relance, due today
    relance = Relance.objects.get(devis=devis)
    reporter_relance(devis, au=date(2026, 12, 28), motif="Rappeler lundi", le=DUE)
    reporter_relance(devis, au=RETOUR, motif="Finalement absent jusqu'au 4", le=date(2026, 12, 28))
    assert Relance.objects.filter(devis=devis).count() == 1
    relance.refresh_from_db()
    assert relance.due_le == RETOUR
    devis.refresh_from_db()
    # 23/12 → 28/12 (+5) then 28/12 → 05/01 (+8): « sans suite » moved by 13 days in all.
    assert devis.sans_suite_le == date(2027, 1, 29)
    raisons = list(
        Devis.history.filter(id=devis.pk).values_list("history_change_reason", flat=True)
    )
    assert "Relance reportée au 05/01/2027 : Finalement absent jusqu'au 4" in raisons
    assert "Relance reportée au 28/12/2026 : Rappeler lundi" in raisons
    assert Relance.history.filter(id=relance.pk, history_change_reason__contains="05/01/2027")


@pytest.mark.django_db
def test_moving_a_relance_earlier_never_brings_sans_suite_forward():
    devis = devis_envoye(ENVOI)
    reporter_relance(devis, au=date(2026, 12, 21), motif="Il rappelle lundi", le=date(2026, 12, 17))
    devis.refresh_from_db()
    assert devis.relance_due_le == date(2026, 12, 21)
    assert devis.sans_suite_le == date(2027, 1, 16)


@pytest.mark.django_db
def test_the_gerant_can_set_the_sans_suite_date_explicitly():
    devis = devis_envoye(ENVOI)
    reporter_relance(
        devis, au=RETOUR, motif="Congés", le=date(2026, 12, 18), sans_suite_au=date(2027, 2, 15)
    )
    devis.refresh_from_db()
    assert devis.sans_suite_le == date(2027, 2, 15)
    with pytest.raises(RefusMetier, match="doit suivre la nouvelle date de relance"):
        reporter_relance(
            devis, au=date(2027, 1, 20), motif="x", le=RETOUR, sans_suite_au=date(2027, 1, 20)
        )


@pytest.mark.django_db
def test_moving_is_refused_after_the_relance_after_an_answer_and_to_a_past_date():
    devis = devis_envoye(ENVOI)
    with pytest.raises(RefusMetier, match="postérieure au 18/12/2026"):
        reporter_relance(devis, au=date(2026, 12, 18), motif="Congés", le=date(2026, 12, 18))
    with pytest.raises(RefusMetier, match="postérieure"):
        reporter_relance(devis, au=date(2026, 12, 17), motif="Congés", le=date(2026, 12, 18))
    with pytest.raises(RefusMetier, match="pourquoi"):
        reporter_relance(devis, au=RETOUR, motif="  ", le=date(2026, 12, 18))

    enregistrer_relance(devis, mode="telephone", le=DUE, note="Messagerie")
    with pytest.raises(RelanceDejaFaite, match="déjà été faite le 23/12/2026"):
        reporter_relance(devis, au=RETOUR, motif="Congés", le=DUE)

    autre = devis_envoye(ENVOI)
    enregistrer_reponse(autre, decision="refuse", le=date(2026, 12, 18))
    with pytest.raises(RefusMetier, match="déjà une réponse"):
        reporter_relance(autre, au=RETOUR, motif="Congés", le=date(2026, 12, 18))

    # Nothing changed by the refusals.
    devis.refresh_from_db()
    assert (devis.relance_due_le, devis.sans_suite_le) == (DUE, date(2027, 1, 16))
    assert Relance.objects.get(devis=devis).due_le == DUE


@pytest.mark.django_db(transaction=True)
def test_moves_during_concurrent_rule_runs_keep_one_relance_on_the_new_date():
    """Two ``proc020`` processes create the relances while the gérant moves every one of them:
    each quote ends with at most one relance, and a relance that exists is due on the new
    date (a move is never overwritten by a rule that read the old one)."""
    lots = [devis_envoye(ENVOI) for _ in range(40)]
    env = {
        **os.environ,
        "DATABASE_URL": url_base_de_test(),
        "DJANGO_SETTINGS_MODULE": "crm.settings",
    }
    commande = [sys.executable, "manage.py", "proc020", "--date", DUE.isoformat(), "--json"]
    processus = [
        subprocess.Popen(
            commande, cwd=RACINE, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    erreurs: list[Exception] = []

    def deplacer():
        try:
            for devis in lots:
                reporter_relance(devis, au=RETOUR, motif="Fermeture annuelle", le=DUE)
        except Exception as exc:  # reported below
            erreurs.append(exc)
        finally:
            connection.close()

    fil = threading.Thread(target=deplacer)
    fil.start()
    sorties = [p.communicate(timeout=180) for p in processus]
    fil.join(180)
    assert not erreurs, erreurs
    for p, (stdout, stderr) in zip(processus, sorties, strict=True):
        assert p.returncode == 0, stderr.decode()
        assert json.loads(stdout.decode())["erreurs"] == []
    for devis in lots:
        devis.refresh_from_db()
        assert devis.relance_due_le == RETOUR
        relances = list(Relance.objects.filter(devis=devis))
        assert len(relances) <= 1
        assert all(r.due_le == RETOUR for r in relances), devis.numero
    assert not any(
        n in appliquer(DUE + timedelta(days=1))["relances_dues"] for n in (d.numero for d in lots)
    )


@pytest.mark.django_db(transaction=True)
def test_a_move_landing_while_r1_holds_its_batch_is_applied_to_the_relance_r1_creates():
    """Deterministic interleaving: the move is made right after R1 has read its batch. R1 locks
    the batch's quotes, so the move waits for R1's commit and then moves the relance R1 just
    created; without the lock, R1 would insert a relance on the old date after the move."""
    from devis.regles import creer_relances_dues

    devis = devis_envoye(ENVOI)
    lectures: list[str] = []
    fil: list[threading.Thread] = []

    def deplacer():
        try:
            reporter_relance(devis, au=RETOUR, motif="Fermeture annuelle", le=DUE)
        finally:
            connection.close()

    def apres_la_lecture_du_lot(execute, sql, params, many, context):
        resultat = execute(sql, params, many, context)
        if sql.lstrip().upper().startswith("SELECT") and '"devis_devis"' in sql:
            lectures.append(sql)
            if len(lectures) == 2 and not fil:  # the batch's re-read, inside its transaction
                fil.append(threading.Thread(target=deplacer))
                fil[0].start()
                fil[0].join(1.5)  # finishes at once without the lock, waits with it
        return resultat

    with connection.execute_wrapper(apres_la_lecture_du_lot):
        creer_relances_dues(DUE)
    fil[0].join(30)
    devis.refresh_from_db()
    assert devis.relance_due_le == RETOUR
    assert Relance.objects.get(devis=devis).due_le == RETOUR


@pytest.mark.django_db
def test_a_long_reason_is_kept_cut_to_the_history_column_on_both_databases():
    """The history's reason column holds 100 characters (PostgreSQL refuses more)."""
    devis = devis_envoye(ENVOI)
    motif = "Absente jusqu'au 5 janvier inclus ; pour toute urgence, joindre l'assistante " * 3
    reporter_relance(devis, au=RETOUR, motif=motif, le=date(2026, 12, 18))
    raison = Devis.history.filter(id=devis.pk).first().history_change_reason
    assert len(raison) == 100 and raison.startswith("Relance reportée au 05/01/2027 : Absente")
    assert raison.endswith("…")
