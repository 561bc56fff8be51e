"""Quote permissions for the groups, the default « Modèle de devis IOD » and refusal reasons."""

from decimal import Decimal

from django.db import migrations

from crm.roles import GERANT, LIRE_ECRIRE, accorder_permissions

MOTIFS = [
    "Prix trop élevé",
    "Délai trop long",
    "Concurrent retenu",
    "Projet abandonné ou reporté",
    "Besoin traité en interne",
    "Autre",
]


def creer(apps, schema_editor):
    accorder_permissions(
        apps,
        GERANT,
        "devis",
        {
            "devis": LIRE_ECRIRE,
            "lignedevis": LIRE_ECRIRE,
            "relance": LIRE_ECRIRE,
            "accord": LIRE_ECRIRE,
            "modeledevis": LIRE_ECRIRE,
            "lignemodele": LIRE_ECRIRE,
            "motifrefus": LIRE_ECRIRE,
        },
    )
    MotifRefus = apps.get_model("devis", "MotifRefus")
    for libelle in MOTIFS:
        MotifRefus.objects.get_or_create(libelle=libelle)
    ModeleDevis = apps.get_model("devis", "ModeleDevis")
    if ModeleDevis.objects.exists():
        return
    modele = ModeleDevis.objects.create(
        contexte="Vous nous avez sollicités pour …",
        methodologie=(
            "1. Entretien de cadrage avec le commanditaire (profil attendu, enjeux, contraintes).\n"
            "2. Passation des tests et questionnaires retenus.\n"
            "3. Entretien approfondi avec un consultant IOD.\n"
            "4. Restitution écrite et orale au commanditaire."
        ),
        tests="Inventaire de personnalité, test d'aptitudes cognitives, mise en situation.",
        delai="Démarrage sous 48 heures après réception de l'accord ; restitution sous 5 jours ouvrés.",
        conditions=(
            "Prix en euros hors taxes, TVA au taux en vigueur. Acompte de 30 % à la commande, "
            "solde à réception de facture, paiement à 30 jours. Frais de déplacement hors Île-de-France "
            "facturés au réel. Toute annulation moins de 48 heures avant une intervention est due."
        ),
        validite_jours=30,
        taux_tva=Decimal("20.00"),
        email_corps="",
    )
    LigneModele = apps.get_model("devis", "LigneModele")
    LigneModele.objects.create(
        modele=modele,
        ordre=1,
        designation="Entretien de cadrage",
        quantite=Decimal("1"),
        unite="forfait",
        prix_unitaire_ht=Decimal("350.00"),
    )
    LigneModele.objects.create(
        modele=modele,
        ordre=2,
        designation="Évaluation individuelle (tests et entretien)",
        quantite=Decimal("1"),
        unite="personne",
        prix_unitaire_ht=Decimal("1200.00"),
    )
    LigneModele.objects.create(
        modele=modele,
        ordre=3,
        designation="Restitution écrite et orale",
        quantite=Decimal("1"),
        unite="forfait",
        prix_unitaire_ht=Decimal("450.00"),
    )


class Migration(migrations.Migration):
    dependencies = [("devis", "0001_initial"), ("crm", "0003_groupes_et_donnees")]
    operations = [migrations.RunPython(creer, migrations.RunPython.noop)]
