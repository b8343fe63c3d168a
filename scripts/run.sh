#!/usr/bin/env bash
# `make run`: the portal with its demo data, a Celery worker and Celery beat. Ctrl-C stops all.
# SQLite and kombu's filesystem broker by default; DATABASE_URL / CELERY_BROKER_URL switch to
# PostgreSQL / Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
# Python compiles what it imports once, into __pycache__ (the packages are installed uncompiled).
unset PYTHONDONTWRITEBYTECODE
scripts/bootstrap.sh
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-portal.settings.local}"
PORT="${PORT:-8000}"
export PORT
mkdir -p var
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py load_offices -v0 > var/offices.log
.venv/bin/python manage.py seed_demo > var/seed.log
pids=()
stop() {
  trap - INT TERM EXIT
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  echo "antar-paspor stopped."
}
trap stop INT TERM EXIT
# One worker for every queue: without -Q it takes all five (handoff, notify, webhooks, reports,
# deadlines; portal/settings/base.py). Production runs a pool per queue (deploy/systemd/).
.venv/bin/celery -A portal worker --pool=solo --loglevel=WARNING > var/worker.log 2>&1 &
pids+=($!)
.venv/bin/celery -A portal beat --loglevel=WARNING --schedule var/celerybeat-schedule \
  > var/beat.log 2>&1 &
pids+=($!)
# The outbox relay: publishes background work that was written while the broker was unreachable.
.venv/bin/python manage.py relay_outbox --loop > var/relay.log 2>&1 &
pids+=($!)
.venv/bin/python manage.py runserver "127.0.0.1:${PORT}" --noreload > var/web.log 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do
  .venv/bin/python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:${PORT}/healthz', timeout=2)" \
    2>/dev/null && break
  sleep 0.5
done
cat <<TXT

antar-paspor is running at http://127.0.0.1:${PORT}/
  book:      http://127.0.0.1:${PORT}/book/   (billing codes ready for online booking below)
  tracking:  http://127.0.0.1:${PORT}/track/  (try code APDEMO01, born 1970-01-01)
  courier:   http://127.0.0.1:${PORT}/courier/
  API docs:  http://127.0.0.1:${PORT}/api/docs/
  health:    http://127.0.0.1:${PORT}/healthz
$(cat var/seed.log)
Logs in var/ (web.log, worker.log, beat.log, relay.log); mails the portal sends are in var/mail/.
Press Ctrl-C to stop the web server, the worker, beat and the outbox relay.
TXT
wait -n "${pids[@]}"
