from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from crm.calendrier import ajouter_jours_ouvres
from crm.champs import choix_modele
from crm.exceptions import RefusMetier
from crm.forms import DateInput, DateMetierField, MontantField, valider_document
from crm.models import Contact
from crm.roles import CONSULTANT, nom_utilisateur
from devis.models import (
    Devis,
    LigneDevis,
    LigneModele,
    ModeleDevis,
    ModeRelance,
    MotifRefus,
    Reponse,
    TypeAccord,
)
from devis.services.redaction import CHAMPS_BROUILLON, CHAMPS_DU_MODELE, LigneSaisie
from devis.services.signature import verifier_signature


class EnvoiForm(forms.Form):
    mode = forms.ChoiceField(
        label="Envoi",
        choices=[
            ("email", "Envoyer par email depuis l'application (PDF joint)"),
            ("manuel", "Marquer comme envoyé depuis ma messagerie"),
        ],
        widget=forms.RadioSelect,
        initial="email",
    )
    le = DateMetierField(label="Envoyé le")


class ReponseForm(forms.Form):
    decision = forms.ChoiceField(
        label="Réponse du client", choices=Reponse.choices, widget=forms.RadioSelect
    )
    le = DateMetierField(label="Reçue le")
    motif_refus = forms.ModelChoiceField(
        label="Motif du refus", queryset=MotifRefus.objects.filter(actif=True), required=False
    )
    commentaire = forms.CharField(
        label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    prochain_contact_le = forms.DateField(
        label="Prochain contact le (si en discussion)",
        required=False,
        widget=DateInput(),
        initial=lambda: ajouter_jours_ouvres(timezone.localdate(), 5),
        help_text="Par défaut, 5 jours ouvrés après la réponse : le devis revient alors dans "
        "« À recontacter ».",
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == Reponse.REFUSE and not data.get("motif_refus"):
            self.add_error("motif_refus", "Indiquez le motif du refus.")
        return data


class ReportRelanceForm(forms.Form):
    """Move a quote's relance (``services.reporter_relance``): the service judges the dates."""

    au = forms.DateField(label="Nouvelle date de relance", widget=DateInput())
    motif = forms.CharField(
        label="Motif",
        max_length=500,
        help_text="Gardé dans l'historique du devis (ex. : « en congés jusqu'au 15 »).",
    )
    sans_suite_au = forms.DateField(
        label="Date « sans suite » (facultatif)",
        required=False,
        widget=DateInput(),
        help_text="Sinon, elle est décalée d'autant de jours que la relance.",
    )
    suivant = forms.CharField(required=False, widget=forms.HiddenInput)


class RelanceForm(forms.Form):
    mode = forms.ChoiceField(label="Relance", choices=ModeRelance.choices, widget=forms.RadioSelect)
    le = DateMetierField(label="Faite le")
    note = forms.CharField(
        label="Note (ce que le client a dit)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- Editing a draft quote ------------------------------------------------------------------


class DevisForm(forms.ModelForm):
    taux_tva = MontantField(label="Taux de TVA (%)", min_value=0, max_value=100, decimal_places=2)

    class Meta:
        model = Devis
        fields = list(CHAMPS_BROUILLON)
        widgets = {
            k: forms.Textarea(attrs={"rows": 4})
            for k in ("contexte", "methodologie", "tests", "delai", "conditions")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choix_modele(self, "contact").queryset = Contact.objects.filter(
            organisation=self.instance.organisation, archive=False
        )


class LigneForm(forms.ModelForm):
    quantite = MontantField(
        label="Quantité",
        min_value=0,
        decimal_places=2,
        error_messages={"min_value": "La quantité ne peut pas être négative."},
    )
    prix_unitaire_ht = MontantField(
        label="Prix unitaire HT (€)",
        min_value=0,
        decimal_places=2,
        error_messages={"min_value": "Le prix ne peut pas être négatif."},
    )

    class Meta:
        model = LigneDevis
        fields = ["designation", "quantite", "unite", "prix_unitaire_ht"]


class BaseLigneFormSet(forms.BaseInlineFormSet):
    def saisies(self) -> list[LigneSaisie]:
        """The lines as typed (after ``is_valid``), in the page's order, without the deleted
        lines and the blank extra rows: what ``modifier_brouillon`` takes."""
        return [
            LigneSaisie(
                designation=form.cleaned_data["designation"],
                quantite=form.cleaned_data["quantite"],
                unite=form.cleaned_data["unite"],
                prix_unitaire_ht=form.cleaned_data["prix_unitaire_ht"],
                id=form.instance.pk,
            )
            for form in self.forms
            if form not in self.deleted_forms and (form.instance.pk or form.has_changed())
        ]


# The factory returns a subclass of ``formset``; django-stubs types it as the base class.
LigneFormSet = cast(
    type[BaseLigneFormSet],
    forms.inlineformset_factory(
        Devis,
        LigneDevis,
        form=LigneForm,
        formset=BaseLigneFormSet,
        extra=2,
        can_delete=True,
        min_num=0,
    ),
)


# --- Agreement, contract review, launch ---------------------------------------------------------


class AccordForm(forms.Form):
    type = forms.ChoiceField(
        label="Type d'accord",
        choices=[c for c in TypeAccord.choices if c[0] != "acceptation_en_ligne"],
    )
    recu_le = DateMetierField(label="Reçu le")
    reference_client = forms.CharField(
        label="Référence client (n° de bon de commande)", required=False, max_length=100
    )
    document = forms.FileField(
        label="Document (PDF, Word, image ; 10 Mo max.)",
        required=False,
        validators=[valider_document],
    )


class RevueContratForm(forms.Form):
    prix_conforme = forms.TypedChoiceField(
        label="Le prix de l'accord correspond-il au devis ?",
        choices=[(True, "Oui"), (False, "Non")],
        coerce=lambda v: v in (True, "True"),
        widget=forms.RadioSelect,
    )
    conditions_conformes = forms.TypedChoiceField(
        label="Les conditions (délais, modalités) correspondent-elles au devis ?",
        choices=[(True, "Oui"), (False, "Non")],
        coerce=lambda v: v in (True, "True"),
        widget=forms.RadioSelect,
    )
    ecarts = forms.CharField(
        label="Écarts constatés", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    resolution_ecarts = forms.CharField(
        label="Comment les écarts ont été résolus",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("prix_conforme") is False or data.get("conditions_conformes") is False:
            if not data.get("ecarts", "").strip():
                self.add_error("ecarts", "Décrivez les écarts entre l'accord et le devis.")
        return data


class ConsultantsField(forms.ModelMultipleChoiceField):
    """Consultants shown by their full name (the username when they have none)."""

    def label_from_instance(self, obj: Any) -> str:
        return nom_utilisateur(obj)


class LancementForm(forms.Form):
    debut = forms.DateField(
        label="Début de la mission", widget=DateInput(), initial=timezone.localdate
    )
    fin = forms.DateField(label="Fin prévue", widget=DateInput(), required=False)
    consultants = ConsultantsField(
        label="Consultants",
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    notes = forms.CharField(
        label="Notes de lancement (transmission du dossier)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choix_modele(self, "consultants").queryset = (
            get_user_model()
            .objects.filter(is_active=True, groups__name=CONSULTANT)
            .order_by("last_name")
        )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("fin") and data.get("debut") and data["fin"] < data["debut"]:
            self.add_error("fin", "La fin ne peut pas précéder le début.")
        return data


class ModeleDevisForm(forms.ModelForm):
    taux_tva = MontantField(label="Taux de TVA (%)", min_value=0, max_value=100, decimal_places=2)

    class Meta:
        model = ModeleDevis
        fields = [
            *CHAMPS_DU_MODELE,
            "email_sujet",
            "email_corps",
            "relance_sujet",
            "relance_corps",
        ]
        widgets = {
            k: forms.Textarea(attrs={"rows": 4})
            for k in (
                "contexte",
                "methodologie",
                "tests",
                "delai",
                "conditions",
                "email_corps",
                "relance_corps",
            )
        }
        help_texts = {
            "email_corps": "Laissé vide : le texte standard. Variables : {civilite}, {nom}, {numero}, {objet}, {lien}, {validite}, {signataire}.",
            "relance_corps": "Laissé vide : le texte standard. Mêmes variables, plus {envoye_le}.",
        }


class LigneModeleForm(forms.ModelForm):
    quantite = MontantField(label="Quantité", min_value=0, decimal_places=2)
    prix_unitaire_ht = MontantField(label="Prix unitaire HT (€)", min_value=0, decimal_places=2)

    class Meta:
        model = LigneModele
        fields = ["designation", "quantite", "unite", "prix_unitaire_ht"]


LigneModeleFormSet = forms.inlineformset_factory(
    ModeleDevis, LigneModele, form=LigneModeleForm, extra=2, can_delete=True
)


# --- The client's public page (« Bon pour accord ») ----------------------------------------------


class AcceptationForm(forms.Form):
    nom = forms.CharField(
        label="Vos prénom et nom",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    fonction = forms.CharField(
        label="Votre fonction",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    conditions = forms.BooleanField(
        label="J'ai pris connaissance du devis et de ses conditions, et je les accepte : "
        "« Bon pour accord ».",
        error_messages={"required": "Cochez la case pour accepter le devis et ses conditions."},
    )
    signature = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_signature(self):
        try:
            return verifier_signature(self.cleaned_data.get("signature", ""))
        except RefusMetier as exc:
            raise forms.ValidationError(exc.message) from exc


class RefusForm(forms.Form):
    motif_refus = forms.ModelChoiceField(
        label="Motif",
        queryset=MotifRefus.objects.filter(actif=True),
        required=False,
        empty_label="Choisissez un motif…",
    )
    precision = forms.CharField(
        label="Précisez (facultatif si vous avez choisi un motif)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    nom = forms.CharField(
        label="Votre nom (facultatif)",
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if not data.get("motif_refus") and not (data.get("precision") or "").strip():
            raise forms.ValidationError(
                "Indiquez la raison de votre refus : choisissez un motif ou précisez-la."
            )
        return data


class QuestionForm(forms.Form):
    message = forms.CharField(
        label="Votre question",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Écrivez votre question."},
    )
    nom = forms.CharField(
        label="Votre nom (facultatif)",
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
