"""Drafting a quote (PROC-020 §3.3): a new draft from the standard template or a request, its
lines and edits while it is a draft, and after sending a new version or a cancellation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from crm.exceptions import RefusMetier
from crm.extensions import Utilisateur
from crm.historique import motiver
from crm.models import Contact, Demande, Organisation
from devis.models import Devis, LigneDevis, LigneModele, ModeleDevis, StatutDevis, Unite
from devis.services.lien import renouveler_lien

# The texts and terms a new draft takes from the standard template (« Modèle de devis IOD »).
CHAMPS_DU_MODELE = (
    "contexte",
    "methodologie",
    "tests",
    "delai",
    "conditions",
    "validite_jours",
    "taux_tva",
)
# What a draft's edit may change; the rest (status, number, dates, token) belongs to the
# services that send, answer and revise it.
CHAMPS_BROUILLON = ("objet", "contact", *CHAMPS_DU_MODELE)


def _copier_lignes(lignes: Iterable[LigneDevis | LigneModele], *, vers: Devis) -> None:
    """Copy lines (of the standard template or of a previous version) onto a new draft."""
    LigneDevis.objects.bulk_create(
        LigneDevis(
            devis=vers,
            ordre=ligne.ordre,
            designation=ligne.designation,
            quantite=ligne.quantite,
            unite=ligne.unite,
            prix_unitaire_ht=ligne.prix_unitaire_ht,
        )
        for ligne in lignes
    )


def creer_devis(
    *,
    organisation: Organisation,
    objet: str,
    demande: Demande | None = None,
    contact: Contact | None = None,
    par: Utilisateur | None = None,
    avec_modele: bool = True,
) -> Devis:
    """A draft quote, pre-filled from the standard template (« Modèle de devis IOD »)."""
    modele = ModeleDevis.courant()
    with transaction.atomic():
        devis = Devis(
            organisation=organisation,
            demande=demande,
            contact=contact or (demande.contact if demande else None),
            objet=objet,
            cree_par=par if getattr(par, "pk", None) else None,
        )
        if avec_modele:
            for champ in CHAMPS_DU_MODELE:
                setattr(devis, champ, getattr(modele, champ))
            if demande is not None and demande.description and not devis.contexte.strip():
                devis.contexte = demande.description
        devis.save()
        if avec_modele:
            _copier_lignes(modele.lignes.all(), vers=devis)
    return devis


def creer_devis_depuis_demande(demande: Demande, *, par: Utilisateur | None = None) -> Devis:
    objet = f"{demande.get_type_prestation_display()} — {demande.get_contexte_display().lower()}"
    return creer_devis(organisation=demande.organisation, objet=objet, demande=demande, par=par)


def ajouter_ligne(
    devis: Devis,
    *,
    designation: str,
    quantite: Decimal | int | str,
    prix_unitaire_ht: Decimal | int | str,
    unite: str = "jour",
) -> LigneDevis:
    if devis.statut != StatutDevis.BROUILLON:
        raise RefusMetier("Un devis envoyé ne se modifie plus : créez une nouvelle version.")
    ordre = devis.lignes.count() + 1
    return LigneDevis.objects.create(
        devis=devis,
        ordre=ordre,
        designation=designation,
        quantite=Decimal(str(quantite)),
        prix_unitaire_ht=Decimal(str(prix_unitaire_ht)),
        unite=unite,
    )


@dataclass(frozen=True)
class LigneSaisie:
    """One line of a draft as typed: ``id`` names an existing line to keep, None a new one."""

    designation: str
    quantite: Decimal
    prix_unitaire_ht: Decimal
    unite: str = Unite.JOUR
    id: int | None = None


def modifier_brouillon(
    devis: Devis, *, champs: Mapping[str, object], lignes: Sequence[LigneSaisie]
) -> Devis:
    """Save a draft's fields and its lines together; a sent quote is changed only by a new version.

    ``champs`` holds some of ``CHAMPS_BROUILLON``. The draft's lines become ``lignes``, in that
    order: lines named by ``id`` are kept (updated when they changed), the others are deleted,
    lines without ``id`` are added. The quote's row is locked, so an edit cannot land on a quote
    sent meanwhile.
    """
    inconnus = set(champs) - set(CHAMPS_BROUILLON)
    if inconnus:
        raise ValueError(f"Champs non modifiables d'un brouillon : {sorted(inconnus)}")
    with transaction.atomic():
        devis = Devis.objects.select_for_update().get(pk=devis.pk)
        if devis.statut != StatutDevis.BROUILLON:
            raise RefusMetier(
                "Ce devis a été envoyé : créez une nouvelle version pour le modifier."
            )
        for champ, valeur in champs.items():
            setattr(devis, champ, valeur)
        devis.save()
        existantes = {ligne.pk: ligne for ligne in devis.lignes.all()}
        gardees = {saisie.id for saisie in lignes if saisie.id is not None}
        if gardees - set(existantes):
            raise RefusMetier(
                "Une ligne de ce devis a été supprimée entre-temps : rechargez la page."
            )
        for ligne in existantes.values():
            if ligne.pk not in gardees:
                ligne.delete()
        for ordre, saisie in enumerate(lignes, start=1):
            ligne = existantes[saisie.id] if saisie.id is not None else LigneDevis(devis=devis)
            valeurs = {
                "ordre": ordre,
                "designation": saisie.designation,
                "quantite": saisie.quantite,
                "unite": saisie.unite,
                "prix_unitaire_ht": saisie.prix_unitaire_ht,
            }
            if ligne.pk is None or any(getattr(ligne, k) != v for k, v in valeurs.items()):
                for k, v in valeurs.items():
                    setattr(ligne, k, v)
                ligne.save()
    return devis


# --- Versions, cancellation ----------------------------------------------------------------------


def reviser_devis(devis: Devis, *, par: Utilisateur | None = None) -> Devis:
    """A new draft version of a sent quote; the old one is cancelled (its link dies)."""
    if devis.statut != StatutDevis.ENVOYE:
        raise RefusMetier("Seul un devis envoyé et sans réponse définitive peut être révisé.")
    with transaction.atomic():
        ancien = Devis.objects.select_for_update().get(pk=devis.pk)
        if ancien.statut != StatutDevis.ENVOYE:
            raise RefusMetier("Ce devis vient d'être modifié par ailleurs.")
        nouveau = Devis.objects.get(pk=ancien.pk)
        nouveau.pk = nouveau.id = None
        nouveau._state.adding = True
        # A revision keeps the number of the quote it replaces: DEV-2026-0003 v2.
        nouveau.version = ancien.version + 1
        nouveau.remplace = ancien
        nouveau.statut = StatutDevis.BROUILLON
        nouveau.envoye_le = nouveau.reponse_le = nouveau.relance_due_le = None
        nouveau.sans_suite_le = nouveau.classe_sans_suite_le = None
        nouveau.prochain_contact_le = None
        nouveau.reponse = ""
        nouveau.jeton_nonce = ""
        nouveau.jeton_empreinte = None
        nouveau.cree_par = par if getattr(par, "pk", None) else ancien.cree_par
        nouveau.save()
        _copier_lignes(ancien.lignes.all(), vers=nouveau)
        ancien.statut = StatutDevis.ANNULE
        renouveler_lien(ancien)
        motiver(ancien, "Remplacé par une nouvelle version")
        ancien.save()
    return nouveau


def numero_version(devis: Devis) -> str:
    return devis.reference


def annuler_devis(devis: Devis, *, par: Utilisateur | None = None) -> Devis:
    if devis.statut not in (StatutDevis.BROUILLON, StatutDevis.ENVOYE):
        raise RefusMetier("Seul un brouillon ou un devis en attente peut être annulé.")
    with transaction.atomic():
        devis = Devis.objects.select_for_update().get(pk=devis.pk)
        devis.statut = StatutDevis.ANNULE
        renouveler_lien(devis)
        motiver(devis, "Devis annulé")
        devis.save()
    return devis
