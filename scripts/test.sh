#!/usr/bin/env bash
# Every check and test, stopping at the first failing step (called by `make test` after set-up).
# PostgreSQL and Redis are used when DATABASE_URL / CELERY_BROKER_URL are set, the embedded
# default (SQLite, filesystem broker) otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBUG="${DEBUG:-true}"
bin=.venv/bin

step() { printf '\n==> %s\n' "$*"; }

step "ruff check"
"$bin/ruff" check .
step "ruff format --check"
"$bin/ruff" format --check .
step "import layers (lint-imports: portal → reporting → inspections → hazards → campaign → core)"
"$bin/lint-imports" --no-cache
step "makemigrations --check"
"$bin/python" manage.py makemigrations --check --dry-run
step "pytest (database: ${DATABASE_URL:-embedded SQLite}; broker: ${CELERY_BROKER_URL:-embedded filesystem})"
"$bin/pytest" "$@"
