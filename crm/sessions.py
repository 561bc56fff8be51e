"""Sliding sessions that do not write to the database on every request."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse

CLE_RAFRAICHIE = "_crm_rafraichie"
CLE_DEBUT = "_crm_debut"


class SessionGlissanteMiddleware:
    """Push a signed-in session's expiry back (``SESSION_COOKIE_AGE`` of inactivity) at most
    once every ``CRM_SESSION_RAFRAICHISSEMENT`` seconds.

    Django's ``SESSION_SAVE_EVERY_REQUEST`` rewrites the session row on every page; here the
    session is only marked modified when its last refresh is older than the interval, so the
    inactivity timeout is exact to within that interval and most pages write nothing.
    Anonymous requests are left alone (no session is created for them).

    A session also has an absolute lifetime, ``CRM_SESSION_DUREE_MAX`` seconds from its first
    signed-in request, whatever the activity: past it, the user is signed out (a stolen
    cookie kept alive by activity dies with it).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if session.get(SESSION_KEY) is not None:
            maintenant = int(time.time())
            if maintenant - session.get(CLE_DEBUT, maintenant) > settings.CRM_SESSION_DUREE_MAX:
                logout(request)  # flushes the session: this request goes on anonymous
                return self.get_response(request)
            if maintenant - session.get(CLE_RAFRAICHIE, 0) >= settings.CRM_SESSION_RAFRAICHISSEMENT:
                session[CLE_RAFRAICHIE] = maintenant  # marks it modified: saved with a new expiry
        response = self.get_response(request)
        # The lifetime counts from the sign-in (the login request itself, once it has signed in).
        if session.get(SESSION_KEY) is not None and CLE_DEBUT not in session:
            session[CLE_DEBUT] = int(time.time())
        return response
