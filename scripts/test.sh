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
where="database: ${DATABASE_URL:-embedded SQLite}; broker: ${CELERY_BROKER_URL:-embedded filesystem}"
if [ $# -gt 0 ]; then
    step "pytest $* ($where)"
    "$bin/pytest" "$@"
else
    # Two processes (each with its own test database) for everything but the tests that start
    # Celery workers: those share one broker (a Redis db in CI), so they run on their own, one
    # at a time, afterwards.
    step "pytest in two processes, all but the Celery worker tests ($where)"
    "$bin/pytest" -n 2 -m "not worker"
    step "pytest: the Celery worker tests, one at a time ($where)"
    "$bin/pytest" -m worker
fi
