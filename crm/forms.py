from __future__ import annotations

import re

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils import timezone

from crm.champs import choix_modele
from crm.models import (
    COORDONNEES_ORGANISATION,
    IDENTITE_ORGANISATION,
    Contact,
    Decision,
    Demande,
    Entreprise,
    Interaction,
    Organisation,
    Source,
    SuiteNoGo,
)


class ConnexionForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Identifiant ou mot de passe incorrect. Vérifiez la saisie (majuscules comprises).",
        "inactive": "Ce compte est désactivé.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Identifiant"
        self.fields["password"].label = "Mot de passe"
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})


class ReinitialisationForm(PasswordResetForm):
    email = forms.EmailField(label="Adresse email", max_length=254)


OUI_NON = [(True, "Oui"), (False, "Non")]


class RevueForm(forms.Form):
    """Revue de faisabilité (PROC-020 §3.2): three questions, each with a comment."""

    competence = forms.TypedChoiceField(
        label="Compétence : avons-nous l'expertise requise (test spécifique, langue…) ?",
        choices=OUI_NON,
        coerce=lambda v: v in (True, "True"),
        widget=forms.RadioSelect,
    )
    competence_commentaire = forms.CharField(
        label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    disponibilite = forms.TypedChoiceField(
        label="Disponibilité : pouvons-nous tenir les délais (24–48 h pour l'évaluation) ?",
        choices=OUI_NON,
        coerce=lambda v: v in (True, "True"),
        widget=forms.RadioSelect,
    )
    disponibilite_commentaire = forms.CharField(
        label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    independance = forms.TypedChoiceField(
        label="Indépendance : sommes-nous libres de tout conflit d'intérêts (REF-001) ?",
        choices=OUI_NON,
        coerce=lambda v: v in (True, "True"),
        widget=forms.RadioSelect,
    )
    independance_commentaire = forms.CharField(
        label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    decision = forms.ChoiceField(
        label="Décision",
        choices=[("go", "Go : on établit le devis"), ("no_go", "No Go")],
        widget=forms.RadioSelect,
    )
    suite = forms.ChoiceField(
        label="En cas de No Go",
        required=False,
        choices=[
            ("", "—"),
            ("decliner", "Décliner"),
            ("reorienter", "Réorienter vers un partenaire"),
        ],
    )
    partenaire = forms.CharField(
        label="Partenaire (si réorientation)", required=False, max_length=200
    )
    motif = forms.CharField(
        label="Motif de la décision", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == Decision.NO_GO:
            if not data.get("suite"):
                self.add_error(
                    "suite", "Pour un No Go, indiquez si la demande est déclinée ou réorientée."
                )
            if data.get("suite") == SuiteNoGo.REORIENTER and not data.get("partenaire", "").strip():
                self.add_error(
                    "partenaire", "Nommez le partenaire vers qui la demande est réorientée."
                )
        elif data.get("decision") == Decision.GO:
            data["suite"] = ""
            manquants = [
                libelle
                for champ, libelle in (
                    ("competence", "compétence"),
                    ("disponibilite", "disponibilité"),
                    ("independance", "indépendance"),
                )
                if data.get(champ) is False
            ]
            if manquants:
                self.add_error(
                    "decision",
                    f"Un Go suppose un « oui » aux trois questions ; réponse « non » pour : {', '.join(manquants)}.",
                )
        return data


# --- Business forms (organisations, contacts, interactions, requests) --------------------------


class MontantField(forms.DecimalField):
    """Accepts French amounts as typed: « 1 234,50 », « 1234.50 », « 1 234,50 € ».

    A text input, not type=number: browsers refuse a comma or a space in a number input.
    """

    widget = forms.TextInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("localize", True)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s\u00a0\u202f€]", "", value).replace(",", ".")
        try:
            return super().to_python(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                "Saisissez un nombre, par exemple 1 234,50.", code="invalid"
            ) from None

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        attrs["inputmode"] = "decimal"
        return attrs


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def refuser_futur(valeur):
    if valeur and valeur > timezone.localdate():
        raise forms.ValidationError("Cette date est dans le futur.")
    return valeur


class DateMetierField(forms.DateField):
    """A business date typed by a user: a date picker, today by default, never in the future."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", DateInput())
        kwargs.setdefault("initial", timezone.localdate)
        kwargs["validators"] = [*kwargs.get("validators", []), refuser_futur]
        super().__init__(*args, **kwargs)


TYPES_FICHIERS = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
SIGNATURES = {
    ".pdf": [b"%PDF"],
    ".doc": [b"\xd0\xcf\x11\xe0"],
    ".docx": [b"PK\x03\x04"],
    ".odt": [b"PK\x03\x04"],
    ".png": [b"\x89PNG"],
    ".jpg": [b"\xff\xd8\xff"],
    ".jpeg": [b"\xff\xd8\xff"],
}
TAILLE_MAX = 10 * 1024 * 1024


def valider_document(fichier):
    """PDF, Word, OpenDocument or image, checked by its content (magic bytes), 10 Mo at most."""
    if not fichier:
        return fichier
    import os

    extension = os.path.splitext(fichier.name)[1].lower()
    if extension not in TYPES_FICHIERS:
        raise forms.ValidationError(
            "Type de fichier refusé : PDF, Word (.doc, .docx), .odt, PNG ou JPEG seulement."
        )
    if fichier.size > TAILLE_MAX:
        raise forms.ValidationError("Fichier trop volumineux : 10 Mo au maximum.")
    debut = fichier.read(8)
    fichier.seek(0)
    if not any(debut.startswith(sig) for sig in SIGNATURES[extension]):
        raise forms.ValidationError("Le contenu du fichier ne correspond pas à son extension.")
    return fichier


class OrganisationForm(forms.ModelForm):
    site_web = forms.URLField(label="Site web", required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = [
            *IDENTITE_ORGANISATION,
            *COORDONNEES_ORGANISATION,
            "source",
            "recommande_par",
            "recommande_par_personne",
            "cle",
            "frequence_point_jours",
            "responsable",
            "ne_pas_prospecter",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def clean_siret(self):
        return self.cleaned_data["siret"].replace(" ", "")

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("cle") and not data.get("frequence_point_jours"):
            self.add_error(
                "frequence_point_jours",
                "Pour un client clé, indiquez tous les combien de jours le rencontrer.",
            )
        return data


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = [
            "civilite",
            "prenom",
            "nom",
            "fonction",
            "email",
            "telephone",
            "mobile",
            "ne_pas_prospecter",
        ]


class InteractionForm(forms.ModelForm):
    date = DateMetierField(label="Date")

    class Meta:
        model = Interaction
        fields = ["type", "date", "contact", "resume"]
        widgets = {"resume": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        choix_modele(self, "contact").queryset = organisation.contacts.filter(archive=False)
        self.fields["contact"].required = False


class DemandeForm(forms.ModelForm):
    """J0 on the phone: an existing organisation, or a new one typed in the same form."""

    organisation = forms.ModelChoiceField(
        label="Organisation existante",
        queryset=Organisation.objects.filter(archivee=False),
        required=False,
    )
    nouvelle_organisation = forms.CharField(
        label="… ou nouvelle organisation", required=False, max_length=200
    )
    nouvelle_source = forms.ChoiceField(
        label="Source (nouvelle organisation)",
        required=False,
        choices=[("", "—"), *Source.choices],
    )
    contact_existant = forms.ModelChoiceField(
        label="Contact existant", queryset=Contact.objects.none(), required=False
    )
    contact_nom = forms.CharField(
        label="… ou nouveau contact : nom", required=False, max_length=100
    )
    contact_prenom = forms.CharField(label="Prénom", required=False, max_length=100)
    contact_email = forms.EmailField(label="Email", required=False)
    contact_telephone = forms.CharField(label="Téléphone", required=False, max_length=25)
    recue_le = DateMetierField(label="Reçue le")
    fiche_de_poste = forms.FileField(
        label="Fiche de poste (PDF, Word, image ; 10 Mo max.)",
        required=False,
        validators=[valider_document],
    )

    class Meta:
        model = Demande
        fields = [
            "recue_le",
            "canal",
            "contexte",
            "type_prestation",
            "description",
            "profil_attendu",
            "delai_souhaite",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "profil_attendu": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        org_id = self.data.get("organisation") or self.initial.get("organisation")
        qs = Contact.objects.filter(archive=False).select_related("organisation")
        choix_modele(self, "contact_existant").queryset = (
            qs.filter(organisation_id=org_id) if org_id else qs
        )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if not data.get("organisation") and not data.get("nouvelle_organisation", "").strip():
            self.add_error(
                "organisation", "Choisissez une organisation ou saisissez-en une nouvelle."
            )
        contact = data.get("contact_existant")
        if (
            contact
            and data.get("organisation")
            and contact.organisation_id != data["organisation"].pk
        ):
            self.add_error(
                "contact_existant", "Ce contact n'appartient pas à l'organisation choisie."
            )
        return data


class EntrepriseForm(forms.ModelForm):
    site_web = forms.URLField(label="Site web", required=False, assume_scheme="https")

    class Meta:
        model = Entreprise
        fields = [
            "raison_sociale",
            "forme_juridique",
            "capital",
            "adresse",
            "code_postal",
            "ville",
            "siret",
            "tva_intracommunautaire",
            "telephone",
            "email",
            "site_web",
            "logo",
            "signataire",
            "mentions",
        ]
        widgets = {"mentions": forms.Textarea(attrs={"rows": 3})}

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "size") and logo.size > 2 * 1024 * 1024:
            raise forms.ValidationError("Logo trop volumineux : 2 Mo au maximum.")
        return logo
