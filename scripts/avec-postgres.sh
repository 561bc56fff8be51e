#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster on a free loopback port, with
# DATABASE_URL set; the cluster is stopped and removed afterwards, whatever happens.
set -euo pipefail

# Debian's full set of PostgreSQL binaries first (initdb, pg_ctl, createdb…), else the PATH.
initdb_bin=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n1 || true)
[[ -n "$initdb_bin" ]] || initdb_bin=$(command -v initdb || true)
[[ -n "$initdb_bin" ]] || { echo "initdb introuvable : installez postgresql" >&2; exit 1; }
bindir=$(dirname "$initdb_bin")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dir=$(mktemp -d /tmp/crm-pg.XXXXXX)

as_pg() {
  # initdb refuses to run as root: run the cluster as the postgres user when we are root.
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown -R postgres "$dir"
    su postgres -s /bin/bash -c "$*"
  else
    bash -c "$*"
  fi
}

arreter() {
  as_pg "'$bindir/pg_ctl' -D '$dir/data' stop -m fast" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap arreter EXIT

chmod 755 "$dir"
as_pg "'$bindir/initdb' -D '$dir/data' -A trust -U crm -E UTF8 --locale=C.UTF-8" >/dev/null
as_pg "'$bindir/pg_ctl' -D '$dir/data' -o \"-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100\" -l '$dir/log' start -w" >/dev/null
as_pg "'$bindir/createdb' -h 127.0.0.1 -p $port -U crm crm"
echo "PostgreSQL de test sur 127.0.0.1:$port"
export DATABASE_URL="postgres://crm@127.0.0.1:$port/crm"
"$@"
