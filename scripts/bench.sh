#!/usr/bin/env bash
# `make bench`: see bench/run.py. Installs what the benchmark needs, then runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
# Python compiles what it imports once, into __pycache__ (the packages are installed uncompiled).
unset PYTHONDONTWRITEBYTECODE
need_apt=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need_apt+=(postgresql)
command -v pgbench >/dev/null || need_apt+=(postgresql-contrib)
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v wrk >/dev/null || need_apt+=(wrk)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
scripts/bootstrap.sh test
exec .venv/bin/python bench/run.py "$@"
