"""Typed access to a form's fields, where a form narrows a field per request.

``Form.fields`` maps names to ``Field``; the forms here set a model-choice field's ``queryset``
(or its ``label_from_instance``) in ``__init__``. This returns the field as what it is, checked,
so mypy sees those attributes and a renamed field fails loudly instead of being silently ignored.
"""

from __future__ import annotations

from typing import Any

from django import forms


def choix_modele(form: forms.BaseForm, nom: str) -> forms.ModelChoiceField[Any]:
    """The model-choice field ``nom`` of ``form`` (a ``ModelMultipleChoiceField`` is one too)."""
    champ = form.fields[nom]
    if not isinstance(champ, forms.ModelChoiceField):
        raise TypeError(f"Le champ « {nom} » n'est pas un choix de modèle.")
    return champ
