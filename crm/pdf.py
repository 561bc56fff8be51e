"""PDF rendering with WeasyPrint, shared by every app (quotes, management review…).

WeasyPrint may fetch nothing but the app's own static files and the firm's logo: the URL
fetcher below refuses every other ``file://`` path, every ``http(s)://`` URL (so no redirect
either) and every other scheme. Call it outside any transaction.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def _racines_autorisees() -> list[Path]:
    racines = [Path(p).resolve() for p in settings.STATICFILES_DIRS]
    racines.append((Path(settings.MEDIA_ROOT) / "identite").resolve())
    return racines


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class FetcherStatique(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
            self.refusees: list[str] = []

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file":
                chemin = Path(unquote(parts.path)).resolve()
                if (
                    any(chemin.is_relative_to(r) for r in _racines_autorisees())
                    and chemin.is_file()
                ):
                    type_mime = mimetypes.guess_type(chemin.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(
                        url, chemin.read_bytes(), headers={"Content-Type": type_mime}
                    )
            self.refusees.append(url)
            logger.warning("Ressource refusée lors du rendu PDF : %s", url[:200])
            raise ValueError(f"Ressource refusée : {url[:200]}")

    return FetcherStatique


def rendre_pdf(template: str, contexte: dict, *, fetcher=None) -> bytes:
    from weasyprint import HTML

    from crm.models import Entreprise

    entreprise = contexte.get("entreprise") or Entreprise.courante()
    logo_uri = Path(entreprise.logo.path).resolve().as_uri() if entreprise.logo else ""
    html = render_to_string(template, {"entreprise": entreprise, "logo_uri": logo_uri, **contexte})
    fetcher = fetcher or _fetcher_class()()
    base = Path(settings.STATICFILES_DIRS[0]).resolve().as_uri() + "/"
    return HTML(string=html, base_url=base, url_fetcher=fetcher).write_pdf()


def nouveau_fetcher():
    return _fetcher_class()()
