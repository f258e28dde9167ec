# Concerto — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PLAN ?= data/plans/pole-2019-2024.yaml
HOST ?= 127.0.0.1
PORT ?= 8000
export DEBUG ?= true

.PHONY: setup run test check load clean

setup: $(VENV)/.installed node_modules/.installed
	$(PY) manage.py migrate --no-input

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

run: load
	$(PY) manage.py ensure_demo_coordinator
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup
	$(PY) -m pytest

check: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3
