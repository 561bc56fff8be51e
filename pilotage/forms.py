from __future__ import annotations

from datetime import date, timedelta

from django import forms

from crm.calendrier import ajouter_mois

TAILLE_MAX_IMPORT = 5 * 1024 * 1024
EXTENSIONS_IMPORT = (".csv", ".txt", ".xlsx")


class PeriodeForm(forms.Form):
    """A period chosen by the gérant; bad input falls back to the default period."""

    debut = forms.DateField(
        label="Du", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    fin = forms.DateField(
        label="Au", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self):
        super().clean()
        donnees = self.cleaned_data
        debut, fin = donnees.get("debut"), donnees.get("fin")
        if debut and fin:
            if fin < debut:
                raise forms.ValidationError("La fin de la période précède son début.")
            if (fin - debut).days > 366 * 5:
                raise forms.ValidationError("Choisissez une période de cinq ans au plus.")
        return donnees


class PeriodeLourdeForm(PeriodeForm):
    """The period of a heavy document (the management review, the audit file): three years at
    most, so that one request cannot tie up a worker for minutes."""

    ANNEES_MAX = 3

    def clean(self):
        super().clean()
        donnees = self.cleaned_data
        debut, fin = donnees.get("debut"), donnees.get("fin")
        if debut and fin and fin > ajouter_mois(debut, 12 * self.ANNEES_MAX) - timedelta(days=1):
            raise forms.ValidationError(
                f"Choisissez une période de {self.ANNEES_MAX} ans au plus : au-delà, le "
                "document serait trop long à préparer (la ligne de commande n'a pas cette limite)."
            )
        return donnees


def periode(
    data, defaut: tuple[date, date], *, classe: type[PeriodeForm] = PeriodeForm
) -> tuple[PeriodeForm, date, date]:
    """The form bound to the data when given, and the period to show."""
    if data.get("debut") or data.get("fin"):
        form = classe(data)
        if form.is_valid():
            return form, form.cleaned_data["debut"], form.cleaned_data["fin"]
        return form, *defaut
    debut, fin = defaut
    return classe(initial={"debut": debut, "fin": fin}), debut, fin


class ImportForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier à importer",
        help_text="Export CSV (séparateur ; ou ,) ou Excel (.xlsx) d'Outlook ou d'un autre CRM, "
        "5 Mo au plus.",
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > TAILLE_MAX_IMPORT:
            raise forms.ValidationError("Le fichier dépasse 5 Mo.")
        if not fichier.name.lower().endswith(EXTENSIONS_IMPORT):
            raise forms.ValidationError("Choisissez un fichier .csv ou .xlsx.")
        return fichier
