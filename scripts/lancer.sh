#!/usr/bin/env bash
# `make run`'s runner: refuses to start beside a live beat, then becomes honcho (exec), whose pid
# the Procfile's guards (scripts/garde.py) watch: when it dies, even by SIGKILL, the web server,
# the worker and its beat stop too. Development settings (DEBUG=True) for all three.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG=True
.venv/bin/python -c "from crm.verrou_beat import main; raise SystemExit(main())"
export CRM_LANCEUR_PID=$$
exec .venv/bin/honcho start -f Procfile
