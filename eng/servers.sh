#!/usr/bin/env bash
# Installs (when missing) and starts the stores the platform needs on this machine, then waits until each accepts
# connections: PostgreSQL 15 (role/database aiplatform/aiplatformdb), Redis 7, RabbitMQ (guest/guest on :5672).
# Idempotent and quiet on success: one line per server. Loud on failure, non-zero exit.
#
#   eng/servers.sh                  servers only (used by ./run.sh)
#   eng/servers.sh --with-browser   also Debian's chromium for the browser tests (used by ./test.sh)
#
# Works as root (CI, dev containers) or via passwordless sudo; otherwise prints the commands to run.
set -euo pipefail

PG_VERSION=15
PG_CLUSTER=main
PG_PORT=5432
DB_ROLE=aiplatform
DB_PASSWORD=aiplatform
DB_NAME=aiplatformdb
REDIS_PORT=6379
RABBIT_PORT=5672
WAIT_SECONDS=${SERVERS_WAIT_SECONDS:-60}

ARGS="$*"
with_browser=false
for arg in "$@"; do
  case "$arg" in
    --with-browser) with_browser=true ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "servers.sh: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done

fail() { echo "servers.sh: ERROR: $*" >&2; exit 1; }

# Run a command as root: directly, through passwordless sudo, or explain what to run and stop.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    fail "root (or passwordless sudo) is needed for: $* — run: sudo $0 $ARGS"
  fi
}

tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_until <what> <log hint> <command...>: polls every 0.25 s for up to WAIT_SECONDS.
wait_until() {
  local what=$1 hint=$2; shift 2
  local deadline=$((SECONDS + WAIT_SECONDS))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      fail "$what did not accept connections within ${WAIT_SECONDS}s (see $hint)"
    fi
    sleep 0.25
  done
}

# --- install what is missing (one apt-get update, one apt-get install) -------------------------------------------
missing=()
[ -x "/usr/lib/postgresql/$PG_VERSION/bin/postgres" ] && command -v pg_ctlcluster >/dev/null || missing+=("postgresql-$PG_VERSION" postgresql-client)
command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
[ -x /usr/sbin/rabbitmq-server ] || missing+=(rabbitmq-server)
# fonts-liberation (a chromium Recommends) so that pages render text with --no-install-recommends.
if $with_browser && [ ! -x /usr/bin/chromium ]; then missing+=(chromium fonts-liberation); fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] && ! { command -v sudo >/dev/null && sudo -n true 2>/dev/null; }; then
    echo "servers.sh: missing packages; install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "installing ${missing[*]} (apt-get) ..."
  log=$(mktemp /tmp/servers-apt.XXXXXX.log)
  # Keep package scripts from starting services themselves (no init system in containers); we start them below.
  policy_added=false
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod +x /usr/sbin/policy-rc.d
    policy_added=true
  fi
  status=0
  {
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  } >"$log" 2>&1 || status=$?
  if $policy_added; then as_root rm -f /usr/sbin/policy-rc.d; fi
  if [ "$status" -ne 0 ]; then
    tail -n 40 "$log" >&2
    fail "apt-get install ${missing[*]} failed (full log: $log)"
  fi
  rm -f "$log"
fi

# --- PostgreSQL -----------------------------------------------------------------------------------------------------
pg_ready() { pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; }
if ! pg_ready; then
  if ! pg_lsclusters -h 2>/dev/null | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c {f=1} END {exit !f}'; then
    as_root pg_createcluster "$PG_VERSION" "$PG_CLUSTER" -p "$PG_PORT" >/dev/null
  fi
  as_root pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start ||
    fail "could not start PostgreSQL $PG_VERSION/$PG_CLUSTER (log: /var/log/postgresql/postgresql-$PG_VERSION-$PG_CLUSTER.log)"
  wait_until "PostgreSQL" "/var/log/postgresql/postgresql-$PG_VERSION-$PG_CLUSTER.log" pg_ready
fi
# Application role: LOGIN + CREATEDB (tests create per-run databases), never superuser nor BYPASSRLS so that
# row-level security applies to it. The database is owned by it. Checked first by logging in (no root needed).
# Full-text matching (ts_match_vq, the @@ operator) is marked LEAKPROOF in the database and in template1 (which per-run
# databases copy): row-level security lets only leakproof operators use an index, so without it every full-text
# search under RLS reads the whole table. Where the server has pgvector (Debian's packages here do not), its extension is
# created in both too, and knowledge search uses its HNSW index instead of scanning vectors in memory.
pg_app_ok() {
  PGPASSWORD=$DB_PASSWORD psql -X -qAt -h 127.0.0.1 -p "$PG_PORT" -U "$DB_ROLE" -d "$DB_NAME" -c \
    "SELECT r.rolcreatedb AND NOT r.rolsuper AND NOT r.rolbypassrls AND d.datdba = r.oid
            AND (SELECT proleakproof FROM pg_proc WHERE oid = 'pg_catalog.ts_match_vq(tsvector,tsquery)'::regprocedure)
            AND (NOT EXISTS (SELECT FROM pg_available_extensions WHERE name = 'vector') OR EXISTS (SELECT FROM pg_extension WHERE extname = 'vector'))
       FROM pg_roles r, pg_database d WHERE r.rolname = current_user AND d.datname = current_database()" 2>/dev/null | grep -qx t
}
pg_app_ok || as_root runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres >/dev/null <<SQL ||
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_ROLE') THEN
    CREATE ROLE $DB_ROLE LOGIN PASSWORD '$DB_PASSWORD' CREATEDB NOSUPERUSER NOBYPASSRLS;
  ELSE
    ALTER ROLE $DB_ROLE LOGIN PASSWORD '$DB_PASSWORD' CREATEDB NOSUPERUSER NOBYPASSRLS;
  END IF;
END
\$\$;
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_ROLE'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME') \gexec
ALTER DATABASE $DB_NAME OWNER TO $DB_ROLE;
\\c template1
ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF;
SELECT 'CREATE EXTENSION IF NOT EXISTS vector' WHERE EXISTS (SELECT FROM pg_available_extensions WHERE name = 'vector') \gexec
\\c $DB_NAME
ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF;
SELECT 'CREATE EXTENSION IF NOT EXISTS vector' WHERE EXISTS (SELECT FROM pg_available_extensions WHERE name = 'vector') \gexec
SQL
  fail "could not create the PostgreSQL role '$DB_ROLE' / database '$DB_NAME'"
pg_app_ok || fail "cannot log in to PostgreSQL as $DB_ROLE/$DB_PASSWORD on 127.0.0.1:$PG_PORT, or the role/database are not as expected (check pg_hba.conf)"
echo "postgres ready (localhost:$PG_PORT, database $DB_NAME, role $DB_ROLE)"

# --- Redis ----------------------------------------------------------------------------------------------------------
redis_ready() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }
if ! redis_ready; then
  # The init script's ulimit warning in containers is harmless.
  as_root /etc/init.d/redis-server start >/dev/null 2>&1 ||
    fail "could not start redis-server (log: /var/log/redis/redis-server.log)"
  wait_until "Redis" "/var/log/redis/redis-server.log" redis_ready
fi
echo "redis ready (localhost:$REDIS_PORT)"

# --- RabbitMQ -------------------------------------------------------------------------------------------------------
if ! tcp_open "$RABBIT_PORT"; then
  # The Debian init script returns once the node has booted (about 5-10 s).
  as_root /etc/init.d/rabbitmq-server start >/dev/null 2>&1 ||
    fail "could not start rabbitmq-server (logs: /var/log/rabbitmq/)"
  wait_until "RabbitMQ" "/var/log/rabbitmq/" tcp_open "$RABBIT_PORT"
fi
echo "rabbitmq ready (localhost:$RABBIT_PORT, guest/guest)"

if $with_browser; then
  [ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing after installation"
  echo "chromium ready (/usr/bin/chromium)"
fi
