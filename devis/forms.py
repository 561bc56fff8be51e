from __future__ import annotations

from django import forms
from django.utils import timezone

from devis.models import ModeRelance, MotifRefus, Reponse


class DateMetierField(forms.DateField):
    """A business date typed by the gérant: never in the future."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        super().__init__(*args, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value and value > timezone.localdate():
            raise forms.ValidationError("Cette date est dans le futur.")


class EnvoiForm(forms.Form):
    mode = forms.ChoiceField(
        label="Envoi",
        choices=[("email", "Envoyer par email depuis l'application (PDF joint)"), ("manuel", "Marquer comme envoyé depuis ma messagerie")],
        widget=forms.RadioSelect,
        initial="email",
    )
    le = DateMetierField(label="Envoyé le", initial=timezone.localdate)


class ReponseForm(forms.Form):
    decision = forms.ChoiceField(label="Réponse du client", choices=Reponse.choices, widget=forms.RadioSelect)
    le = DateMetierField(label="Reçue le", initial=timezone.localdate)
    motif_refus = forms.ModelChoiceField(
        label="Motif du refus", queryset=MotifRefus.objects.filter(actif=True), required=False
    )
    commentaire = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == Reponse.REFUSE and not data.get("motif_refus"):
            self.add_error("motif_refus", "Indiquez le motif du refus.")
        return data


class RelanceForm(forms.Form):
    mode = forms.ChoiceField(label="Relance", choices=ModeRelance.choices, widget=forms.RadioSelect)
    le = DateMetierField(label="Faite le", initial=timezone.localdate)
    note = forms.CharField(label="Note (ce que le client a dit)", required=False, widget=forms.Textarea(attrs={"rows": 2}))


# --- Editing a draft quote ------------------------------------------------------------------

from crm.forms import MontantField  # noqa: E402
from crm.models import Contact  # noqa: E402
from devis.models import Devis, LigneDevis  # noqa: E402


class DevisForm(forms.ModelForm):
    taux_tva = MontantField(label="Taux de TVA (%)", min_value=0, max_value=100, decimal_places=2)

    class Meta:
        model = Devis
        fields = ["objet", "contact", "contexte", "methodologie", "tests", "delai", "conditions", "validite_jours", "taux_tva"]
        widgets = {k: forms.Textarea(attrs={"rows": 4}) for k in ("contexte", "methodologie", "tests", "delai", "conditions")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(organisation=self.instance.organisation, archive=False)


class LigneForm(forms.ModelForm):
    quantite = MontantField(label="Quantité", min_value=0, decimal_places=2,
                            error_messages={"min_value": "La quantité ne peut pas être négative."})
    prix_unitaire_ht = MontantField(label="Prix unitaire HT (€)", min_value=0, decimal_places=2,
                                    error_messages={"min_value": "Le prix ne peut pas être négatif."})

    class Meta:
        model = LigneDevis
        fields = ["designation", "quantite", "unite", "prix_unitaire_ht"]


LigneFormSet = forms.inlineformset_factory(
    Devis, LigneDevis, form=LigneForm, extra=2, can_delete=True, min_num=0
)
