"""The django-import-export resources of the contact import: organisations, then contacts.

Both read the same dataset, one row per line of the file, whose headers the importer has left
as they were: each resource renames them in ``before_import`` (the Outlook and French header
aliases of ``colonnes``), cleans its values in ``before_import_row``, and records what it learns
about each line in the shared ``Suivi`` (the preview's and the report's source). Duplicates are
the matching hooks: ``get_or_init_instance`` finds the existing organisation, ``skip_row`` leaves
existing organisations and duplicate contacts alone once their values have been validated.
Validation is the models' own (``full_clean``), with French messages.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from import_export import resources
from import_export.fields import Field

from crm.historique import motiver
from crm.models import (
    COORDONNEES_ORGANISATION,
    IDENTITE_ORGANISATION,
    Contact,
    Organisation,
    Source,
)
from pilotage.importation import colonnes
from pilotage.importation.doublons import ContactsConnus, Repertoire
from pilotage.importation.rapport import LigneImport


class Suivi:
    """What the resources learn about each line of the file, shared between them."""

    def __init__(self) -> None:
        self.lignes: dict[int, LigneImport] = {}
        self.repertoire: Repertoire | None = None

    def ligne(self, row) -> LigneImport:
        numero = int(row[colonnes.LIGNE])
        if numero not in self.lignes:
            self.lignes[numero] = LigneImport(numero=numero, organisation={}, contact={})
        return self.lignes[numero]


def _champ(modele: str, nom: str) -> Field:
    return Field(attribute=nom, column_name=colonnes.colonne(modele, nom))


def _erreur(message: str) -> ValidationError:
    return ValidationError({NON_FIELD_ERRORS: [message]})


class _FichierDeContacts(resources.ModelResource):
    """Hooks shared by both resources."""

    modele = ""

    def __init__(self, *, suivi: Suivi, raison: str) -> None:
        super().__init__()
        self.suivi = suivi
        self.raison = raison

    def before_import(self, dataset, **kwargs):
        dataset.headers = colonnes.renommer(list(dataset.headers))

    def after_import(self, dataset, result, **kwargs):
        # ModelResource resets the table's id sequence here, for imports that carry ids. Ours
        # never do, and on PostgreSQL a setval to max(id) can move the sequence back under an
        # insert not yet committed by another request.
        pass

    def _nettoyer(self, row, nettoyer) -> dict[str, str]:
        propres = nettoyer(colonnes.valeurs_de(row, self.modele))
        colonnes.remplacer(row, self.modele, propres)
        return propres

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """Skipped rows are validated first: a wrong value is reported even on a duplicate."""
        try:
            self.validate_instance(instance, import_validation_errors)
        except ValidationError:
            return False  # the library validates again, reports the row and saves nothing
        return True

    def _full_clean(self, instance, erreurs: dict, exclure: list[str]) -> None:
        try:
            # Uniqueness and constraints are the database's: the import runs in a transaction.
            instance.full_clean(
                exclude=[*exclure, *erreurs], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            erreurs = exc.update_error_dict(erreurs)
        if erreurs:
            raise ValidationError(erreurs)

    def before_save_instance(self, instance, row, **kwargs):
        motiver(instance, self.raison)


class OrganisationResource(_FichierDeContacts):
    modele = "organisation"

    raison_sociale = _champ(modele, "raison_sociale")
    siret = _champ(modele, "siret")
    secteur = _champ(modele, "secteur")
    adresse = _champ(modele, "adresse")
    complement_adresse = _champ(modele, "complement_adresse")
    code_postal = _champ(modele, "code_postal")
    ville = _champ(modele, "ville")
    pays = _champ(modele, "pays")
    telephone = _champ(modele, "telephone")
    site_web = _champ(modele, "site_web")

    class Meta:
        model = Organisation
        fields = (*IDENTITE_ORGANISATION, *COORDONNEES_ORGANISATION)
        skip_diff = True

    def __init__(self, *, suivi: Suivi, raison: str, par=None) -> None:
        super().__init__(suivi=suivi, raison=raison)
        self.par = par if getattr(par, "pk", None) else None

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.suivi.repertoire = Repertoire()

    def before_import_row(self, row, **kwargs):
        ligne = self.suivi.ligne(row)
        en_trop = row.get(colonnes.EN_TROP)
        if en_trop:
            raise _erreur(en_trop)
        ligne.organisation = self._nettoyer(row, colonnes.nettoyer_organisation)

    def get_or_init_instance(self, instance_loader, row):
        """A new instance, flagged as existing when the row names a known organisation (or
        one of the rows above): it only carries the row's values for validation."""
        ligne = self.suivi.ligne(row)
        if ligne.organisation.get("raison_sociale") and self.suivi.repertoire is not None:
            self.suivi.repertoire.rattacher(ligne)
        return Organisation(), ligne.premiere_du_groupe and not ligne.organisation_existante

    def skip_row(self, instance, original, row, import_validation_errors=None):
        ligne = self.suivi.ligne(row)
        if ligne.premiere_du_groupe and ligne.organisation_existante is None:
            return False  # to create
        return super().skip_row(instance, original, row, import_validation_errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if not instance.raison_sociale:
            raise _erreur("Société manquante.")
        self._full_clean(
            instance, dict(import_validation_errors or {}), ["recommande_par", "responsable"]
        )

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        instance.source = Source.AUTRE
        instance.responsable = self.par

    def after_save_instance(self, instance, row, **kwargs):
        groupe = self.suivi.ligne(row).groupe
        if groupe is not None:
            groupe.creee = instance


class ContactResource(_FichierDeContacts):
    modele = "contact"

    civilite = _champ(modele, "civilite")
    prenom = _champ(modele, "prenom")
    nom = _champ(modele, "nom")
    fonction = _champ(modele, "fonction")
    email = _champ(modele, "email")
    telephone = _champ(modele, "telephone")
    mobile = _champ(modele, "mobile")

    class Meta:
        model = Contact
        fields = ("civilite", "prenom", "nom", "fonction", "email", "telephone", "mobile")
        skip_diff = True
        force_init_instance = True  # never updates a contact: duplicates are skipped

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        colonne_email = colonnes.colonne("contact", "email")
        emails = (
            {str(e).strip().lower() for e in dataset[colonne_email] if e}
            if colonne_email in dataset.headers
            else set()
        )
        organisations = {
            ligne.organisation_existante.pk
            for ligne in self.suivi.lignes.values()
            if ligne.organisation_existante is not None
        }
        self.connus = ContactsConnus(emails, organisations)

    def before_import_row(self, row, **kwargs):
        ligne = self.suivi.ligne(row)
        ligne.contact = self._nettoyer(row, colonnes.nettoyer_contact)

    def init_instance(self, row=None):
        groupe = self.suivi.ligne(row).groupe
        return Contact(organisation=groupe.organisation if groupe else None)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        ligne = self.suivi.ligne(row)
        if not ligne.contact or row.get(colonnes.EN_TROP):
            return True  # no contact on this line, or the line is already in error
        if ligne.contact.get("nom") and ligne.groupe is not None:
            doublon = self.connus.doublon(ligne)
            if doublon:
                ligne.doublons.append(doublon)
            else:
                ligne.contact_a_creer = True
        saute = super().skip_row(instance, original, row, import_validation_errors)
        # Its organisation may be missing only when its own row is in error.
        return saute and (not ligne.contact_a_creer or instance.organisation_id is None)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if not instance.nom:
            raise _erreur("Nom du contact manquant.")
        self._full_clean(instance, dict(import_validation_errors or {}), ["organisation"])
