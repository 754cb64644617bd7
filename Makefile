# The two commands: `make run` (the portal on the embedded default, with demo data, web +
# worker + beat) and `make test` (every check and test). Both do their own set-up first.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.requirements-installed
ASSETS_STAMP := node_modules/.assets-installed

# Development settings unless the caller says otherwise (SECRET_KEY has a dev default then).
DEBUG ?= true
export DEBUG

.PHONY: help setup system-packages assets messages migrate run test bench lint clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

setup: system-packages $(VENV_STAMP) assets messages ## Install everything the portal needs (idempotent)

system-packages: ## Install the Debian packages (fonts, poppler, gettext, chromium) if missing
	@scripts/system-packages.sh

$(VENV_STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

assets: $(ASSETS_STAMP) ## Install Bootstrap, htmx, Chart.js (served locally) and axe-core (browser tests) from npm

$(ASSETS_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Debian's nodejs and npm."; exit 1; }
	npm ci --no-audit --no-fund
	@touch $@

messages: $(VENV_STAMP) ## Compile the translations (the .mo files are committed too)
	@if command -v msgfmt >/dev/null; then \
		$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0; \
	else \
		echo "msgfmt (Debian package gettext) is missing: using the committed .mo files."; \
	fi

migrate: $(VENV_STAMP) ## Bring the database up to date
	$(PY) manage.py migrate --noinput

run: setup ## Run the portal: migrate, seed demo data, web + worker + beat (Ctrl-C stops all)
	$(PY) scripts/run.py

test: setup ## Run every check and test (PostgreSQL/Redis when DATABASE_URL/CELERY_BROKER_URL are set)
	@scripts/test.sh $(PYTEST_ARGS)

bench: $(VENV_STAMP) ## Migrate and run the benchmarks (PostgreSQL via DATABASE_URL; BENCH_ARGS="--hazards 200000")
	@$(PY) tests/benchmarks/bench_register.py $(BENCH_ARGS); register=$$?; \
	$(PY) tests/benchmarks/bench_inspections.py $(BENCH_ARGS); inspections=$$?; \
	$(PY) tests/benchmarks/bench_circular.py; circular=$$?; \
	$(PY) tests/benchmarks/bench_import.py; status=$$?; \
	$(PY) tests/benchmarks/bench_weekly.py; weekly=$$?; \
	$(PY) tests/benchmarks/bench_monthly.py; monthly=$$?; \
	$(PY) tests/benchmarks/bench_briefing.py; briefing=$$?; \
	$(PY) tests/benchmarks/bench_directives.py; directives=$$?; \
	[ $$register -eq 0 ] && [ $$inspections -eq 0 ] && [ $$circular -eq 0 ] && \
	[ $$weekly -eq 0 ] && [ $$monthly -eq 0 ] && [ $$briefing -eq 0 ] && \
	[ $$directives -eq 0 ] && exit $$status || exit 1

lint: $(VENV_STAMP) ## ruff check and ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean: ## Remove the venv, node_modules, collected static files and caches (keeps var/)
	rm -rf $(VENV) node_modules staticfiles .ruff_cache .pytest_cache test-results
	find . -name __pycache__ -type d -prune -not -path './node_modules/*' -exec rm -rf {} +
