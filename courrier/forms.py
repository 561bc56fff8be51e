from __future__ import annotations

from typing import Any

from django import forms

from courrier import rattachement
from courrier.models import MessageRecu
from crm.champs import choix_modele
from crm.models import Organisation


class ClasserForm(forms.Form):
    """Attach a message to an organisation: the one guessed from the sender's domain first."""

    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
        error_messages={"invalid_choice": "Choisissez une organisation de la liste."},
    )

    def __init__(self, *args: Any, message: MessageRecu | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choix_modele(self, "organisation").queryset = Organisation.objects.filter(
            archivee=False
        ).order_by("raison_sociale")
        if message is not None and message.expediteur and not self.is_bound:
            devinee = rattachement.organisation_du_domaine(message.expediteur)
            if devinee is not None:
                self.fields["organisation"].initial = devinee.pk
