# IOD CRM — the two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installe

.PHONY: install lock run test test-sqlite test-postgres lint deps-test bench charge format clean

install: $(STAMP)

$(STAMP): requirements/lock.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --requirement requirements/lock.txt
	$(BIN)/pip check
	touch $(STAMP)

# The lock is compiled from pyproject.toml, the one list of direct dependencies.
lock: install
	$(BIN)/pip-compile --quiet --extra test --strip-extras --no-header --no-emit-index-url \
		--no-emit-find-links --output-file requirements/lock.txt pyproject.toml

# Installs, migrates, loads the demo data the first time, then starts the web server on
# 127.0.0.1:8000, a Celery worker and its embedded beat (honcho; Ctrl-C stops all three, and so
# does any end of the runner: scripts/lancer.sh). Development settings: DEBUG=True.
run: install
	DEBUG=True $(BIN)/python -c "from crm.verrou_beat import main; raise SystemExit(main())"
	DEBUG=True $(BIN)/python manage.py migrate --noinput
	DEBUG=True $(BIN)/python manage.py demo
	bash scripts/lancer.sh

# System packages, then the npm checkers the accessibility tests run (axe-core, vnu-jar), pinned
# by package-lock.json; `npm ci` runs again only when the lock changes. --ignore-scripts: vnu-jar's
# postinstall would download a Java runtime, and the machine's Java 17 serves.
deps-test:
	bash scripts/deps-systeme.sh
	$(MAKE) --no-print-directory $(NODE_STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $(NODE_STAMP)

# bandit: medium and high findings fail (-ll); each justified one carries « # nosec Bxxx - why ».
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=True $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=True $(BIN)/mypy .
	$(BIN)/bandit -q -r . -ll -x './.venv,./tests,./var,./test-artifacts,./node_modules,*/migrations/*'

# Every test, on SQLite then on a throwaway PostgreSQL cluster (real Redis and Chromium in both).
test: install deps-test lint test-sqlite test-postgres

test-sqlite: install
	$(BIN)/pytest -p no:cacheprovider

test-postgres: install
	bash scripts/avec-postgres.sh $(BIN)/pytest -p no:cacheprovider

bench: install
	DEBUG=True $(BIN)/python manage.py bench --json

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var test-artifacts node_modules

# Load test: 20 users against gunicorn on loopback, on SQLite then on a throwaway PostgreSQL.
charge: install
	bash scripts/charge.sh 60s
	bash scripts/avec-postgres.sh bash scripts/charge.sh 60s
