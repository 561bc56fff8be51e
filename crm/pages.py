"""Page helpers shared by every app's views."""

from __future__ import annotations

from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def page_formulaire(
    request: HttpRequest,
    form: BaseForm,
    *,
    titre: str,
    retour: str,
    multipart: bool = False,
    aide: str = "",
) -> HttpResponse:
    """The generic one-form page (crm/formulaire.html): title, help line, form, cancel link."""
    return render(
        request,
        "crm/formulaire.html",
        {"form": form, "titre": titre, "retour": retour, "multipart": multipart, "aide": aide},
    )
