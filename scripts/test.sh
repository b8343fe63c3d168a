#!/usr/bin/env bash
# `make test`: the whole suite against a throwaway PostgreSQL cluster and Redis on loopback,
# a real Celery worker where a test needs one, and headless Debian Chromium. Stops exactly the
# processes it started. ruff check, mypy and lint-imports run first and stop the run on an error. Extra
# arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need_apt+=(postgresql)
command -v redis-server >/dev/null || need_apt+=(redis-server)
[ -x /usr/bin/chromium ] || need_apt+=(chromium chromium-driver)
command -v pgbench >/dev/null || need_apt+=(postgresql-contrib)
command -v wrk >/dev/null || need_apt+=(wrk)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "Installing ${need_apt[*]} ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
# The suite starts many Python processes (pytest's workers, Celery workers, gunicorn, manage.py);
# each would compile every module it imports again where the environment forbids writing bytecode.
# The compiled files go to __pycache__ folders, which git ignores.
unset PYTHONDONTWRITEBYTECODE
# The packages install while the servers below start (neither needs the other).
scripts/bootstrap.sh test &
BOOTSTRAP_PID=$!
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
TMP=$(mktemp -d /tmp/antar-test.XXXXXX)
chmod 755 "$TMP"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PGPORT=$(free_port)
REDISPORT=$(free_port)
PGREPLICAPORT=$(free_port)
PGDATA="$TMP/pg"
PGREPLICA="$TMP/pg-replica"
mkdir -p "$PGDATA" "$PGREPLICA" && chown postgres:postgres "$PGDATA" "$PGREPLICA" && chmod 700 "$PGREPLICA"

cleanup() {
  set +e
  if [ -n "${BOOTSTRAP_PID:-}" ]; then
    kill "$BOOTSTRAP_PID" 2>/dev/null && wait "$BOOTSTRAP_PID" 2>/dev/null
  fi
  if [ -n "${MIGRATE_PID:-}" ]; then
    kill "$MIGRATE_PID" 2>/dev/null && wait "$MIGRATE_PID" 2>/dev/null
  fi
  if [ -f "$PGREPLICA/postmaster.pid" ]; then
    su postgres -s /bin/sh -c "'$PGBIN/pg_ctl' -D '$PGREPLICA' -m immediate -w stop" >/dev/null 2>&1
  fi
  if [ -f "$PGDATA/postmaster.pid" ]; then
    su postgres -s /bin/sh -c "'$PGBIN/pg_ctl' -D '$PGDATA' -m immediate -w stop" >/dev/null 2>&1
  fi
  if [ -f "$TMP/redis.pid" ]; then
    kill "$(cat "$TMP/redis.pid")" 2>/dev/null
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

su postgres -s /bin/sh -c "'$PGBIN/initdb' -D '$PGDATA' -U postgres -A trust --no-sync -E UTF8" >"$TMP/initdb.log" 2>&1
# The primary also streams its WAL to a hot standby (the read replica, core/db_router.py): a base
# backup of the still empty cluster (half a second), started on a port of its own; the databases
# created later (the template, each worker's test database) reach it by streaming replication.
echo "host replication postgres 127.0.0.1/32 trust" >>"$PGDATA/pg_hba.conf"
su postgres -s /bin/sh -c "'$PGBIN/pg_ctl' -D '$PGDATA' -l '$PGDATA/server.log' -w -o \"-p $PGPORT -k '$PGDATA' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c wal_level=replica -c max_wal_senders=4\" start" >/dev/null
su postgres -s /bin/sh -c "'$PGBIN/pg_basebackup' -h 127.0.0.1 -p $PGPORT -U postgres -D '$PGREPLICA' -R -X stream --checkpoint=fast --no-sync" >"$TMP/basebackup.log" 2>&1 ||
  { cat "$TMP/basebackup.log"; exit 1; }
# A standby needs at least the primary's max_connections.
su postgres -s /bin/sh -c "'$PGBIN/pg_ctl' -D '$PGREPLICA' -l '$PGREPLICA/server.log' -w -o \"-p $PGREPLICAPORT -k '$PGREPLICA' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c hot_standby=on\" start" >/dev/null
# 64 databases: four for each pytest-xdist worker (portal/settings/test.py).
redis-server --daemonize yes --port "$REDISPORT" --bind 127.0.0.1 --save '' --appendonly no --databases 64 \
  --pidfile "$TMP/redis.pid" --logfile "$TMP/redis.log" --dir "$TMP"
for _ in $(seq 1 50); do [ -s "$TMP/redis.pid" ] && break; sleep 0.1; done

export DATABASE_URL="postgres://postgres@127.0.0.1:${PGPORT}/antar_paspor"
export DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:${PGREPLICAPORT}/antar_paspor"
export CELERY_BROKER_URL="redis://127.0.0.1:${REDISPORT}/0"
export DJANGO_SETTINGS_MODULE=portal.settings.test
export PORTAL_VAR_DIR="$TMP/var"
wait "$BOOTSTRAP_PID"
BOOTSTRAP_PID=
echo "packages and servers ready after ${SECONDS} s"

# The migrations run once, into a template database, while the checks below run (they use one
# core); each pytest-xdist worker's test database is then a copy of it (TEST_DATABASE_TEMPLATE,
# portal/settings/test.py) instead of every worker migrating its own. Should they fail here, the
# workers migrate as before and pytest reports the error.
TEMPLATE_DB=antar_paspor_template
MIGRATE_PID=
if su postgres -s /bin/sh -c "'$PGBIN/createdb' -h 127.0.0.1 -p $PGPORT -U postgres $TEMPLATE_DB" \
  >"$TMP/migrate.log" 2>&1; then
  DATABASE_URL="${DATABASE_URL%/*}/$TEMPLATE_DB" .venv/bin/python manage.py migrate --run-syncdb -v 0 \
    >>"$TMP/migrate.log" 2>&1 &
  MIGRATE_PID=$!
fi

# The checks that stop a run before pytest starts: lint, then types (pyproject.toml holds both setups).
echo "ruff check ..."
.venv/bin/ruff check .
.venv/bin/ruff format --check --quiet . || { echo "ruff format would change the files above: run .venv/bin/ruff format ."; exit 1; }
echo "mypy ..."
DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/mypy
echo "lint-imports ..."
.venv/bin/lint-imports --no-cache

echo "checks passed after ${SECONDS} s"
if [ -n "$MIGRATE_PID" ] && wait "$MIGRATE_PID"; then
  export TEST_DATABASE_TEMPLATE="$TEMPLATE_DB"
else
  echo "Migrating the template database failed; each worker migrates its own:"
  tail -n 20 "$TMP/migrate.log"
fi
MIGRATE_PID=
export PGBIN PGPORT TEST_TMP="$TMP"
echo "PostgreSQL on 127.0.0.1:${PGPORT} (its standby on ${PGREPLICAPORT}), Redis on 127.0.0.1:${REDISPORT};" \
  "template database ready after ${SECONDS} s"
# pytest-xdist worker processes (TEST_WORKERS, 2 by default on this two-core machine) unless the
# arguments choose: -n 0 or -p no:xdist runs the suite in one process. `--dist load`, not loadgroup:
# loadgroup schedules by test id, and the schema fuzz test's operations share one id in the workers,
# so it would run one operation instead of every one.
parallel=(-n "${TEST_WORKERS:-2}" --dist load)
for arg in "$@"; do
  case "$arg" in -n*|--numprocesses*|*no:xdist) parallel=() ;; esac
done
.venv/bin/python -m pytest "${parallel[@]}" "$@"
