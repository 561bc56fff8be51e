from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm


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
        choices=OUI_NON, coerce=lambda v: v in (True, "True"), widget=forms.RadioSelect,
    )
    competence_commentaire = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    disponibilite = forms.TypedChoiceField(
        label="Disponibilité : pouvons-nous tenir les délais (24–48 h pour l'évaluation) ?",
        choices=OUI_NON, coerce=lambda v: v in (True, "True"), widget=forms.RadioSelect,
    )
    disponibilite_commentaire = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    independance = forms.TypedChoiceField(
        label="Indépendance : sommes-nous libres de tout conflit d'intérêts (REF-001) ?",
        choices=OUI_NON, coerce=lambda v: v in (True, "True"), widget=forms.RadioSelect,
    )
    independance_commentaire = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    decision = forms.ChoiceField(label="Décision", choices=[("go", "Go : on établit le devis"), ("no_go", "No Go")], widget=forms.RadioSelect)
    suite = forms.ChoiceField(
        label="En cas de No Go", required=False,
        choices=[("", "—"), ("decliner", "Décliner"), ("reorienter", "Réorienter vers un partenaire")],
    )
    partenaire = forms.CharField(label="Partenaire (si réorientation)", required=False, max_length=200)
    motif = forms.CharField(label="Motif de la décision", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "no_go":
            if not data.get("suite"):
                self.add_error("suite", "Pour un No Go, indiquez si la demande est déclinée ou réorientée.")
            if data.get("suite") == "reorienter" and not data.get("partenaire", "").strip():
                self.add_error("partenaire", "Nommez le partenaire vers qui la demande est réorientée.")
        elif data.get("decision") == "go":
            data["suite"] = ""
            manquants = [
                libelle for champ, libelle in (
                    ("competence", "compétence"), ("disponibilite", "disponibilité"), ("independance", "indépendance"),
                ) if data.get(champ) is False
            ]
            if manquants:
                self.add_error(
                    "decision",
                    f"Un Go suppose un « oui » aux trois questions ; réponse « non » pour : {', '.join(manquants)}.",
                )
        return data
