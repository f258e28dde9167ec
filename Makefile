# Concerto — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PLAN ?= data/plans/pole-2019-2024.yaml
HOST ?= 127.0.0.1
PORT ?= 8000
export DEBUG ?= true

.PHONY: setup setup-packages run serve-prod test check audit load clean

setup: setup-packages
	$(PY) manage.py migrate --no-input

setup-packages: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

# The design system, and axe-core for the browser tests' accessibility scans.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

load: setup
	$(PY) manage.py import_organizations data/organizations.yaml
	$(PY) manage.py import_plan $(PLAN)
	$(PY) manage.py import_cases data/cases/cellule-2022-2023.yaml
	$(PY) manage.py import_pages data/pages

# The development server and a background-jobs worker, stopped together.
# Links printed and e-mailed follow HOST and PORT (unless CONCERTO_BASE_URL is set).
run: export CONCERTO_SERVE_HOST = $(HOST)
run: export CONCERTO_SERVE_PORT = $(PORT)
run: load
	$(PY) manage.py load_demo
	$(PY) manage.py ensure_demo_coordinator
	$(PY) deploy/run-dev $(HOST):$(PORT)

# The production setup on this machine: gunicorn, DEBUG off, PostgreSQL
# (DATABASE_URL, default the local `concerto` database), on 127.0.0.1:$(PORT).
serve-prod: export DEBUG = false
serve-prod: setup-packages
	PORT=$(PORT) deploy/serve-prod

# The suite runs on every core (pytest-xdist: one test database per worker);
# `make test TEST_WORKERS=0` runs it in one process.
TEST_WORKERS ?= auto
test: setup
	$(PY) -m pytest -n $(TEST_WORKERS)

check: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check
	$(MAKE) --no-print-directory audit

# Known vulnerabilities in the installed Python packages (pip-audit, PyPI's
# advisory data): a vulnerable package fails the check; a package the service
# could not look up is listed as skipped.
audit: setup-packages
	$(VENV)/bin/pip-audit --progress-spinner off --skip-editable

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3
