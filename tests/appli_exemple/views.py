from __future__ import annotations

from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from crm.acces import gerant_requis, organisation_pour
from tests.appli_exemple.models import Note


@gerant_requis
def notes(request):
    return render(request, "appli_exemple/notes.html", {"notes": Note.objects.all()[:100]})


@gerant_requis
@require_POST
def relire(request, pk: int):
    org = organisation_pour(request, pk)
    Note.objects.filter(contact__organisation=org).update(a_relire_le=None)
    return redirect(org)
