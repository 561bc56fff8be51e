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
