"""Password reset: rate-limited, with links built from ``SITE_URL``.

Django's view builds the link from the request's ``Host`` header: a forged header would send a
real user a link to another site (the token with it). Here the domain and scheme come from the
configured ``SITE_URL``. Requests are limited per client address and per typed address
(``CRM_REINITIALISATION_LIMITE``), so the form can neither flood a mailbox nor be used to
probe many addresses quickly. Links expire after ``PASSWORD_RESET_TIMEOUT`` (one hour).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django_ratelimit.core import is_ratelimited

from crm.forms import ReinitialisationForm

journal = logging.getLogger(__name__)
REFUS = (
    "Trop de demandes de réinitialisation : patientez une heure avant de réessayer, "
    "ou demandez au gérant."
)


def _limite_atteinte(request: HttpRequest, groupe: str, cle: str) -> bool:
    try:
        return bool(
            is_ratelimited(
                request,
                group=f"reinitialisation-{groupe}",
                key=lambda _groupe, _request: cle,
                rate=settings.CRM_REINITIALISATION_LIMITE,
                increment=True,
            )
        )
    except Exception:  # the cache (Redis) is down: the page keeps working, unlimited
        journal.exception("Limite de réinitialisation non vérifiée (cache indisponible)")
        return False


class ReinitialisationView(auth_views.PasswordResetView):
    form_class = ReinitialisationForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form: ReinitialisationForm) -> HttpResponse:
        adresse = get_client_ip_address(self.request) or "inconnue"
        email = form.cleaned_data["email"].strip().lower()
        # Both counters move on every request, so neither limit can be dodged with the other.
        par_adresse = _limite_atteinte(self.request, "adresse", adresse)
        par_email = _limite_atteinte(self.request, "email", email)
        if par_adresse or par_email:
            form.add_error(None, REFUS)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        site = urlsplit(settings.SITE_URL)
        form.save(
            domain_override=site.netloc,
            use_https=site.scheme == "https",
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            html_email_template_name=self.html_email_template_name,
            extra_email_context={"site_url": settings.SITE_URL},
        )
        # FormView's form_valid (the redirect), not PasswordResetView's, which would send again.
        return super(auth_views.PasswordResetView, self).form_valid(form)
