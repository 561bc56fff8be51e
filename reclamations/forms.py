from __future__ import annotations

from django import forms

from crm.acces import missions_visibles
from crm.champs import choix_modele
from crm.forms import DateInput, DateMetierField, MontantField, refuser_futur
from crm.models import Contact, Mission, Organisation
from reclamations.models import (
    Action,
    CanalReclamation,
    Compensation,
    Gravite,
    ModeAccuse,
    NatureReclamation,
    StatutAction,
)


def _date(label: str) -> forms.DateField:
    return DateMetierField(label=label)


class ReclamationForm(forms.Form):
    """Recueil: under a minute, from an organisation's or a mission's page."""

    organisation = forms.ModelChoiceField(
        label="Client", queryset=Organisation.objects.filter(archivee=False)
    )
    contact = forms.ModelChoiceField(
        label="Contact", queryset=Contact.objects.none(), required=False
    )
    mission = forms.ModelChoiceField(
        label="Mission concernée", queryset=Mission.objects.none(), required=False
    )
    recue_le = _date("Reçue le")
    canal = forms.ChoiceField(label="Canal", choices=CanalReclamation.choices)
    gravite = forms.ChoiceField(label="Gravité", choices=Gravite.choices, initial=Gravite.MINEURE)
    description = forms.CharField(
        label="Ce que dit le client", widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the missions the user may see: a consultant's own (crm.acces), so the list does
        # not reveal other clients' missions, and a posted id outside it is refused.
        missions = missions_visibles(user)
        org_id = self.data.get("organisation") or self.initial.get("organisation")
        if org_id:
            choix_modele(self, "contact").queryset = Contact.objects.filter(
                organisation_id=org_id, archive=False
            )
            choix_modele(self, "mission").queryset = missions.filter(devis__organisation_id=org_id)
        else:
            choix_modele(self, "contact").queryset = Contact.objects.filter(archive=False)
            choix_modele(self, "mission").queryset = missions


class AccuseForm(forms.Form):
    mode = forms.ChoiceField(
        label="Accusé de réception",
        choices=ModeAccuse.choices,
        widget=forms.RadioSelect,
        initial=ModeAccuse.EMAIL,
    )
    le = _date("Le")


class QualificationForm(forms.Form):
    nature = forms.ModelChoiceField(
        label="Nature", queryset=NatureReclamation.objects.filter(actif=True)
    )
    gravite = forms.ChoiceField(label="Gravité", choices=Gravite.choices)
    fondee = forms.TypedChoiceField(
        label="La réclamation est-elle fondée ?",
        choices=[(True, "Oui"), (False, "Non")],
        coerce=lambda v: v in (True, "True"),
        widget=forms.RadioSelect,
    )
    analyse = forms.CharField(
        label="Analyse des causes", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReponseForm(forms.Form):
    le = _date("Réponse donnée le")
    reponse = forms.CharField(label="Réponse au client", widget=forms.Textarea(attrs={"rows": 5}))
    compensation = forms.ChoiceField(
        label="Compensation", choices=Compensation.choices, initial=Compensation.AUCUNE
    )
    montant_compensation = MontantField(
        label="Montant de la compensation (€)", required=False, min_value=0, decimal_places=2
    )
    envoyer_email = forms.BooleanField(
        label="Envoyer la réponse par email depuis l'application", required=False, initial=True
    )


class ClotureForm(forms.Form):
    le = _date("Close le")
    client_satisfait = forms.TypedChoiceField(
        label="Le client est-il de nouveau satisfait ?",
        choices=[(True, "Oui"), (False, "Non")],
        coerce=lambda v: v in (True, "True"),
        widget=forms.RadioSelect,
    )
    verification = forms.CharField(
        label="Comment l'avez-vous vérifié ?", widget=forms.Textarea(attrs={"rows": 2})
    )


class ReouvertureForm(forms.Form):
    raison = forms.CharField(
        label="Raison de la réouverture", widget=forms.Textarea(attrs={"rows": 2})
    )


class ActionForm(forms.ModelForm):
    echeance = forms.DateField(label="Échéance", widget=DateInput())

    class Meta:
        model = Action
        fields = ["type", "description", "responsable", "echeance"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class SuiviActionForm(forms.Form):
    """Follow-up of an action: where it stands, then whether it worked."""

    statut = forms.ChoiceField(label="Statut", choices=StatutAction.choices)
    realisee_le = forms.DateField(
        label="Réalisée le",
        widget=DateInput(),
        required=False,
        validators=[refuser_futur],
        help_text="Pour une action faite ; aujourd'hui si vous laissez vide.",
    )
    efficacite_verifiee = forms.TypedChoiceField(
        label="Efficacité",
        choices=[
            ("", "Pas encore vérifiée"),
            ("True", "Vérifiée : l'action a été efficace"),
            ("False", "Vérifiée : l'action n'a pas été efficace"),
        ],
        coerce=lambda v: v == "True",
        empty_value=None,
        required=False,
    )
    efficacite_commentaire = forms.CharField(
        label="Comment l'efficacité a-t-elle été vérifiée ?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
