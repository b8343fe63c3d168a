#!/usr/bin/env bash
# Creates .venv and installs requirements.txt into it, again only when requirements.txt changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    echo "python3-venv is missing; installing it (needs root)." >&2
    apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    rm -rf .venv && "$PYTHON" -m venv .venv
  fi
fi
stamp=.venv/.requirements.sha
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Installing Python packages into .venv ..."
  .venv/bin/pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
  echo "$want" > "$stamp"
fi
