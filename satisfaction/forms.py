from __future__ import annotations

from django import forms


class ReponseEnqueteForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label="Dans l'ensemble, êtes-vous satisfait(e) de notre intervention ?",
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text="1 = pas du tout satisfait, 5 = très satisfait",
    )
    recommandation = forms.TypedChoiceField(
        label="Quelle est la probabilité que vous nous recommandiez à un confrère ?",
        choices=[(i, str(i)) for i in range(0, 11)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text="0 = aucune chance, 10 = certainement",
    )
    effort = forms.TypedChoiceField(
        label="Il a été facile de travailler avec IOD.",
        choices=[(i, str(i)) for i in range(1, 8)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text="1 = pas du tout d'accord, 7 = tout à fait d'accord",
    )
    commentaire = forms.CharField(
        label="Un commentaire ?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    consentement_citation = forms.BooleanField(
        label="J'accepte que mon commentaire soit cité (sans mon nom).", required=False
    )


class DebriefForm(forms.Form):
    """One screen on a phone, right after the mission."""

    reponse = forms.ChoiceField(
        label="« Cela correspondait-il à vos attentes ? »",
        choices=[("oui", "Oui"), ("partiellement", "Partiellement"), ("non", "Non")],
        widget=forms.RadioSelect,
    )
    verbatim = forms.CharField(
        label="Les mots du client", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    signaux_faibles = forms.CharField(
        label="Signaux faibles", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    besoins_futurs = forms.CharField(
        label="Besoins futurs", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
