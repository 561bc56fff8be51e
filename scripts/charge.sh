#!/usr/bin/env bash
# Load test: gunicorn on a loopback port over a throwaway database (SQLite by default, the
# DATABASE_URL one when set), 20 Locust users for a bounded time; fails on any error or a
# p95 over 300 ms. Usage: scripts/charge.sh [durée, défaut 60s]
set -euo pipefail
cd "$(dirname "$0")/.."
duree=${1:-60s}
dossier=$(mktemp -d /tmp/crm-charge.XXXXXX)
trap 'kill $(cat "$dossier/gunicorn.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$dossier"' EXIT

export DEBUG=False SECRET_KEY="charge-$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
export ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=False SECURE_COOKIES=False SECURE_HSTS_SECONDS=0
# Production settings over plain HTTP on loopback: SITE_URL must still say https; the load
# users sign in with a password alone (no authenticator app in Locust).
export SITE_URL=https://127.0.0.1 CRM_DOUBLE_FACTEUR_OBLIGATOIRE=False
export CRM_VAR_DIR="$dossier/var" EMAIL_URL=memorymail:// LOG_LEVEL=WARNING
export DATABASE_URL=${DATABASE_URL:-sqlite:///$dossier/charge.sqlite3}
export CHARGE_MOT_DE_PASSE=$(python3 -c 'import secrets; print(secrets.token_urlsafe(16))') CHARGE_CONSULTANTS=10
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py collectstatic --noinput -v0
# The data builder is in the benchmark app, installed only in development settings.
DEBUG=True .venv/bin/python manage.py bench_donnees --devis 5000 --mot-de-passe "$CHARGE_MOT_DE_PASSE"
.venv/bin/gunicorn crm.wsgi --bind "127.0.0.1:$port" --workers 3 --threads 2 \
  --pid "$dossier/gunicorn.pid" --daemon --error-logfile "$dossier/gunicorn.log"
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/connexion/" && break; sleep 0.2; done
echo "Charge : 20 utilisateurs pendant $duree sur $(echo "$DATABASE_URL" | cut -d: -f1)"
.venv/bin/locust -f banc/locustfile.py --headless -u 20 -r 10 -t "$duree" \
  --host "http://127.0.0.1:$port" --only-summary --stop-timeout 5
