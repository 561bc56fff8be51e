"""Taking the example app out for a test that measures the firm's own installation (its query
budget), since the test settings install it everywhere."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from crm import extensions

CLE = "appli_exemple"


def genres() -> list[extensions.Genre]:
    return [g for g in vars(extensions).values() if isinstance(g, extensions.Genre)]


def contributions() -> list[tuple[extensions.Genre, object]]:
    """Every item the example app registered, with its kind (keys ``appli_exemple[.…]``)."""
    return [
        (genre, element)
        for genre in genres()
        for element in genre.tous()
        if element.cle == CLE or element.cle.startswith(f"{CLE}.")
    ]


@contextmanager
def sans_appli_exemple() -> Iterator[None]:
    with ExitStack() as pile:
        for genre, element in contributions():
            genre.retirer(element.cle)
            pile.callback(genre.ajouter, element)
        yield
