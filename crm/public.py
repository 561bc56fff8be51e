"""The pages open without an account (a quote's client page, the survey, the calendar feed):
what protects them is written here once and every such view goes through ``page_publique``.

Their only key is a secret token in their own address, so they set no cookie and carry no
ambient authority; what they need instead is a bounded appetite (rate limit per client address,
bounded request bodies), no trace of the address anywhere (never cached, never sent on as a
referrer, masked in logs and stored emails: ``crm.journal``, ``masquer_liens``) and a refusal of
forms posted by another site.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import models
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import get_usage

from crm import jetons
from crm.exceptions import RefusMetier
from crm.models import Entreprise
from crm.reseau import adresse_client

M = TypeVar("M", bound=models.Model)

logger = logging.getLogger(__name__)

# crm.jetons makes 43 URL-safe characters; DESIGN §9 promises 22 or more.
FORME_JETON = re.compile(r"[A-Za-z0-9_-]{22,64}")


# --- Token lookup ------------------------------------------------------------------------------


def objet_par_jeton(
    queryset: models.QuerySet[M], jeton: str, *, champ: str = "jeton_empreinte"
) -> M | None:
    """The object whose stored token hash (``champ``) is the hash of ``jeton``, or None.

    The database is searched by the SHA-256 of the token, never by the token: how long the
    lookup takes tells at most something about a hash, not about any valid token. The found
    row's hash is compared again in constant time, so a collation or a prefix index can never
    turn a near match into a match.
    """
    if not FORME_JETON.fullmatch(jeton or ""):
        return None
    empreinte = jetons.empreinte(jeton)
    objet = queryset.filter(**{champ: empreinte}).first()
    if objet is None or not hmac.compare_digest(str(getattr(objet, champ)), empreinte):
        return None
    return objet


# --- Responses ---------------------------------------------------------------------------------


def _proteger(response: HttpResponse) -> HttpResponse:
    # The token is in the address: no copy in a shared cache, the browser's disk or the next
    # site's Referer; no search engine listing it.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def reponse_publique(request, gabarit: str, contexte: dict | None = None, *, status: int = 200):
    """A public page: the firm's identity and what the caller passes, nothing else."""
    contexte = {"entreprise": Entreprise.courante(), **(contexte or {})}
    return _proteger(render(request, gabarit, contexte, status=status))


def refus_public(request, *, status: int, titre: str, message: str, icone: str = "shield-x"):
    """A French refusal page of the public design (429, 403, 413, 410…)."""
    return reponse_publique(
        request,
        "public_refus.html",
        {"titre": titre, "message": message, "icone": icone},
        status=status,
    )


# --- Guards ------------------------------------------------------------------------------------


def _cle_limite(groupe, request) -> str:
    return adresse_client(request) or "inconnue"


def trop_de_requetes(request, *, groupe: str, limite: str) -> bool:
    """Count this request against its client's bucket; True once ``limite`` is exceeded.

    Fails open: when the cache cannot count (Redis stopped, unreachable, full) the page is
    served and a warning logged. A client kept out of their quote because the counter is down
    is a worse fault than a few unmetered requests while it is.
    """
    try:
        usage = get_usage(request, group=groupe, key=_cle_limite, rate=limite, increment=True)
    except Exception as exc:  # any cache backend error: see the docstring
        logger.warning("Limite de %s non comptée (cache indisponible : %s)", groupe, exc)
        return False
    if usage is None or usage["limit"] == 0:
        # django-ratelimit's own marker of a cache that neither added nor incremented the key.
        logger.warning("Limite de %s non comptée (cache indisponible)", groupe)
        return False
    return bool(usage["should_limit"])


def _origines_du_site(request) -> set[str]:
    site = urlsplit(settings.SITE_URL)
    origines = {f"{site.scheme}://{site.netloc}".lower()}
    with contextlib.suppress(DisallowedHost):
        origines.add(f"{request.scheme}://{request.get_host()}".lower())
    return origines


def envoi_d_un_autre_site(request) -> bool:
    """Whether a POST was sent by a page of another site.

    The browser says so in ``Sec-Fetch-Site: cross-site`` (every current browser), or in an
    ``Origin`` that is neither this site's nor ``null``. ``null`` is what browsers send for a
    form posted from a page with ``Referrer-Policy: no-referrer`` — ours, and the reason
    Django's CSRF check cannot serve here; a cross-site page hiding behind ``null`` (a sandboxed
    frame) is still flagged by its ``Sec-Fetch-Site``.
    """
    if request.META.get("HTTP_SEC_FETCH_SITE", "").strip().lower() == "cross-site":
        return True
    origine = request.META.get("HTTP_ORIGIN")
    if origine is None or origine.strip().lower() == "null":
        return False
    return origine.strip().rstrip("/").lower() not in _origines_du_site(request)


def _taille_annoncee(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0  # Django reads such a body as empty


def page_publique(*, limite: str, corps_max: int, limite_par_defaut: str = "30/m"):
    """Decorate a token page: rate limit per client address (the setting named ``limite``),
    cross-site POSTs refused (403), bodies over ``corps_max`` bytes refused (413) before
    anything reads them, and every response marked private.

    Django's CSRF middleware is bypassed on purpose (see ``envoi_d_un_autre_site``): the page
    has no cookie to protect and the cross-site check above takes its place.
    """

    def decorateur(vue: Callable) -> Callable:
        groupe = f"{vue.__module__}.{vue.__qualname__}"

        @csrf_exempt
        @wraps(vue)
        def protegee(request, *args, **kwargs):
            taux = getattr(settings, limite, limite_par_defaut)
            if trop_de_requetes(request, groupe=groupe, limite=taux):
                return refus_public(
                    request,
                    status=429,
                    titre="Trop de tentatives",
                    message="Cette page a été ouverte trop de fois en peu de temps depuis votre "
                    "connexion. Patientez une minute, puis réessayez.",
                    icone="hourglass-split",
                )
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                if envoi_d_un_autre_site(request):
                    return refus_public(
                        request,
                        status=403,
                        titre="Envoi refusé",
                        message="Ce formulaire a été envoyé depuis un autre site : par "
                        "sécurité, il n'a pas été pris en compte. Ouvrez le lien reçu par "
                        "email et répondez depuis cette page.",
                    )
                if _taille_annoncee(request) > corps_max:
                    return refus_public(
                        request,
                        status=413,
                        titre="Envoi trop volumineux",
                        message="Les informations envoyées dépassent ce que cette page "
                        "accepte. Si vous avez dessiné une signature, effacez-la et "
                        "recommencez plus simplement.",
                    )
            return _proteger(vue(request, *args, **kwargs))

        return protegee

    return decorateur


# --- Client links in stored emails -------------------------------------------------------------


@dataclass(frozen=True)
class GenreLien:
    """A kind of client link an email may carry: how to find its object from its token and how
    to rebuild the current link from the object."""

    genre: str
    nom_url: str
    queryset: Callable[[], models.QuerySet]
    chemin: Callable[[models.Model], str]
    champ: str = "jeton_empreinte"


_GENRES: dict[str, GenreLien] = {}
_MARQUE = re.compile(r"\[lien client ([a-z_]+) (\d+)\]")


def enregistrer_lien(genre: GenreLien) -> None:
    """Declare a kind of client link (from the owning app's ``AppConfig.ready``)."""
    _GENRES[genre.genre] = genre


def _motif(genre: GenreLien) -> re.Pattern:
    avant, _, apres = reverse(genre.nom_url, args=["JETON" * 5]).partition("JETON" * 5)
    return re.compile(
        r"(?:https?://[^/\s\"'<>]+)?"
        + re.escape(avant)
        + r"([A-Za-z0-9_-]{22,64})"
        + re.escape(apres)
    )


def masquer_liens(texte: str) -> str:
    """``texte`` with each client link replaced by « [lien client <genre> <id>] ».

    What is stored of a sent email (``EmailEnvoye``) must not be a working key to a client's
    page: a database dump, an export or the RGPD file would otherwise hand it out. The id is
    kept so the record still says which quote or survey the email pointed to, and so that
    ``demasquer_liens`` can rebuild the link when the email is (re)sent.
    """
    for genre in _GENRES.values():

        def marque(m: re.Match, genre: GenreLien = genre) -> str:
            objet = objet_par_jeton(genre.queryset(), m.group(1), champ=genre.champ)
            return f"[lien client {genre.genre} {objet.pk if objet else 0}]"

        texte = _motif(genre).sub(marque, texte)
    return texte


def demasquer_liens(texte: str) -> str:
    """The markers of ``masquer_liens`` replaced by the objects' current links (absolute).

    A link that can no longer be built (an unknown kind, an object gone, a quote back to
    draft) keeps its marker.
    """

    def lien(m: re.Match) -> str:
        genre = _GENRES.get(m.group(1))
        if genre is None:
            return m.group(0)
        objet = genre.queryset().filter(pk=m.group(2)).first()
        if objet is None:
            return m.group(0)
        try:
            return settings.SITE_URL + genre.chemin(objet)
        except RefusMetier:
            return m.group(0)

    return _MARQUE.sub(lien, texte)
