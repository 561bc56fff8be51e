from . import donnees_personnelles  # noqa: F401
