#!/usr/bin/env bash
# Installs the system packages the tests need, when missing: redis-server, PostgreSQL,
# Chromium, poppler-utils (pdftotext), npm and Java (the accessibility checkers), Dovecot (the IMAP server of the inbound-email tests) and
# the Pango libraries WeasyPrint needs.
set -euo pipefail

manquants=()
command -v redis-server >/dev/null || manquants+=(redis-server)
command -v chromium >/dev/null || manquants+=(chromium)
command -v pdftotext >/dev/null || manquants+=(poppler-utils)
# The accessibility tests: npm installs axe-core and vnu-jar, Java runs vnu.
command -v npm >/dev/null || manquants+=(npm)
command -v java >/dev/null || manquants+=(default-jre-headless)
{ command -v dovecot >/dev/null || [[ -x /usr/sbin/dovecot ]]; } || manquants+=(dovecot-imapd)
if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  manquants+=(postgresql)
fi
ldconfig -p | grep -q libpango-1.0 || manquants+=(libpango-1.0-0 libpangoft2-1.0-0)
ldconfig -p | grep -q libharfbuzz-subset || manquants+=(libharfbuzz-subset0)
fc-list 2>/dev/null | grep -qi dejavu || manquants+=(fonts-dejavu-core)

if ((${#manquants[@]} == 0)); then
  echo "Paquets système : tout est présent."
  exit 0
fi
echo "Paquets système à installer : ${manquants[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "Il faut être root (ou lancer : sudo apt-get install -y ${manquants[*]})." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${manquants[@]}"
