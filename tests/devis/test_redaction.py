"""Editing a draft quote: the service takes values (fields and lines), the page does the forms."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from crm.exceptions import RefusMetier
from devis.models import LigneDevis
from devis.services import LigneSaisie, modifier_brouillon
from tests.factories import DevisFactory, devis_envoye

pytestmark = pytest.mark.django_db

LUNDI = date(2026, 3, 2)


def _lignes(devis) -> list[tuple]:
    return [
        (ligne.ordre, ligne.designation, ligne.quantite, ligne.unite, ligne.prix_unitaire_ht)
        for ligne in devis.lignes.all()
    ]


def test_modifier_brouillon_sets_fields_and_makes_the_lines_those_given_in_order():
    devis = DevisFactory(lignes=[("Entretien", 1, "500.00"), ("Rapport", 2, "300.00")])
    entretien, rapport = devis.lignes.all()
    modifier_brouillon(
        devis,
        champs={"objet": "Bilan de compétences", "validite_jours": 45},
        lignes=[
            LigneSaisie(
                designation="Rapport écrit",
                quantite=Decimal("3"),
                prix_unitaire_ht=Decimal("300.00"),
                unite="forfait",
                id=rapport.pk,
            ),
            LigneSaisie(designation="Restitution", quantite=Decimal("1"), prix_unitaire_ht=0),
        ],
    )
    devis.refresh_from_db()
    assert devis.objet == "Bilan de compétences" and devis.validite_jours == 45
    assert _lignes(devis) == [
        (1, "Rapport écrit", Decimal("3.00"), "forfait", Decimal("300.00")),
        (2, "Restitution", Decimal("1.00"), "jour", Decimal("0.00")),
    ]
    assert not LigneDevis.objects.filter(pk=entretien.pk).exists()
    assert devis.lignes.first().pk == rapport.pk


def test_modifier_brouillon_leaves_unchanged_lines_unsaved():
    devis = DevisFactory(lignes=[("Entretien", 1, "500.00")])
    ligne = devis.lignes.get()
    LigneDevis.objects.filter(pk=ligne.pk).update(ordre=1)
    avant = ligne.history.count()
    modifier_brouillon(
        devis,
        champs={},
        lignes=[
            LigneSaisie(
                designation="Entretien",
                quantite=Decimal("1.00"),
                prix_unitaire_ht=Decimal("500.00"),
                unite="forfait",
                id=ligne.pk,
            )
        ],
    )
    assert ligne.history.count() == avant


def test_modifier_brouillon_refuses_a_sent_quote_and_changes_nothing():
    devis = devis_envoye(LUNDI)
    with pytest.raises(RefusMetier, match="nouvelle version"):
        modifier_brouillon(devis, champs={"objet": "Autre"}, lignes=[])
    devis.refresh_from_db()
    assert devis.objet != "Autre" and devis.lignes.count() == 1


def test_modifier_brouillon_refuses_fields_a_draft_edit_does_not_own():
    devis = DevisFactory()
    with pytest.raises(ValueError):
        modifier_brouillon(devis, champs={"statut": "envoye"}, lignes=[])


def test_draft_page_saves_the_form_and_its_lines(client_gerant):
    devis = DevisFactory(lignes=[("Entretien", 1, "500.00"), ("Rapport", 2, "300.00")])
    entretien, rapport = devis.lignes.all()
    donnees = {
        "objet": "Évaluation de deux candidats",
        "contact": devis.contact_id,
        "contexte": "Contexte",
        "methodologie": "",
        "tests": "",
        "delai": "",
        "conditions": "",
        "validite_jours": "30",
        "taux_tva": "20",
        "lignes-TOTAL_FORMS": "4",
        "lignes-INITIAL_FORMS": "2",
        "lignes-MIN_NUM_FORMS": "0",
        "lignes-MAX_NUM_FORMS": "1000",
        "lignes-0-id": entretien.pk,
        "lignes-0-designation": "Entretien",
        "lignes-0-quantite": "2",
        "lignes-0-unite": "jour",
        "lignes-0-prix_unitaire_ht": "500",
        "lignes-1-id": rapport.pk,
        "lignes-1-designation": "Rapport",
        "lignes-1-quantite": "2",
        "lignes-1-unite": "jour",
        "lignes-1-prix_unitaire_ht": "300",
        "lignes-1-DELETE": "on",
        "lignes-2-designation": "Restitution",
        "lignes-2-quantite": "1",
        "lignes-2-unite": "forfait",
        "lignes-2-prix_unitaire_ht": "250",
        "lignes-3-unite": "jour",  # an extra row nobody typed in (its select keeps « jour »)
    }
    reponse = client_gerant.post(f"/devis/{devis.pk}/modifier/", donnees)
    assert reponse.status_code == 302, (
        reponse.context["form"].errors,
        reponse.context["lignes"].errors,
    )
    devis.refresh_from_db()
    assert devis.objet == "Évaluation de deux candidats"
    assert [(d, q, p) for _, d, q, _, p in _lignes(devis)] == [
        ("Entretien", Decimal("2.00"), Decimal("500.00")),
        ("Restitution", Decimal("1.00"), Decimal("250.00")),
    ]
    assert not LigneDevis.objects.filter(pk=rapport.pk).exists()
