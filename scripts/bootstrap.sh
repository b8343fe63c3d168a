#!/usr/bin/env bash
# Creates .venv and installs the locked packages into it. `scripts/bootstrap.sh` (make run) installs
# requirements.txt only, what production runs; `scripts/bootstrap.sh test` (make test, make bench)
# adds requirements-test.txt; `scripts/bootstrap.sh dev` (make lock) adds requirements-dev.txt too.
# Each file is installed again only when it changed (one stamp per file in .venv). The files are
# compiled with hashes (make lock), so pip checks every download against them.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
case "${1:-run}" in
  run) files=(requirements.txt) ;;
  test) files=(requirements.txt requirements-test.txt) ;;
  dev) files=(requirements.txt requirements-test.txt requirements-dev.txt) ;;
  *) echo "usage: $0 [run|test|dev]" >&2; exit 2 ;;
esac
if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    echo "python3-venv is missing; installing it (needs root)." >&2
    apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    rm -rf .venv && "$PYTHON" -m venv .venv
  fi
fi
todo=()
for file in "${files[@]}"; do
  want=$(sha256sum "$file" | cut -d' ' -f1)
  [ "$(cat ".venv/.${file%.txt}.sha" 2>/dev/null)" = "$want" ] || todo+=("$file")
done
if [ ${#todo[@]} -gt 0 ]; then
  echo "Installing the Python packages of ${todo[*]} into .venv ..."
  if [ ! -e .venv/.pip-upgraded ]; then
    .venv/bin/pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null
    touch .venv/.pip-upgraded
  fi
  # One pip run for every file: one resolution instead of one per file. --no-compile: pip would
  # compile every module of every package (half of the install's time); Python compiles the ones
  # a process imports, once, into __pycache__ (the scripts allow it, see PYTHONDONTWRITEBYTECODE).
  requirements=()
  for file in "${todo[@]}"; do requirements+=(-r "$file"); done
  .venv/bin/pip install --quiet --disable-pip-version-check --require-hashes --no-compile "${requirements[@]}"
  for file in "${todo[@]}"; do sha256sum "$file" | cut -d' ' -f1 > ".venv/.${file%.txt}.sha"; done
fi
