"""Page helpers shared by every app's views."""

from __future__ import annotations

from django.shortcuts import render


def page_formulaire(
    request, form, *, titre: str, retour: str, multipart: bool = False, aide: str = ""
):
    """The generic one-form page (crm/formulaire.html): title, help line, form, cancel link."""
    return render(
        request,
        "crm/formulaire.html",
        {"form": form, "titre": titre, "retour": retour, "multipart": multipart, "aide": aide},
    )
