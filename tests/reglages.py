"""The tests' settings: the project's own (crm.settings), in development mode.

``DEBUG`` defaults to False (production), and pytest-django loads the settings before any
conftest runs, so the development default is set here, before ``crm.settings`` is read. The
variable also reaches every process a test starts (a worker, ``manage.py`` in a subprocess).
"""

import os

os.environ.setdefault("DEBUG", "True")

from crm.settings import *  # noqa: E402, F403
