# Two commands for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup lint format migrate load clean

$(VENV)/.base: requirements/base.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/base.lock
	touch $@

$(VENV)/.dev: requirements/dev.lock $(VENV)/.base
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.lock
	touch $@

setup: $(VENV)/.base

migrate: setup
	mkdir -p var
	$(PY) manage.py migrate --noinput

# The seed collection, then its data release, so /downloads/ is never empty on a fresh
# install (build_dataset writes a new release only when a record changed since the last).
load: migrate
	$(PY) manage.py load_collection
	$(PY) manage.py build_dataset

run: load
	@echo
	@echo "The archive is at http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "Create a curator login with:  $(PY) manage.py createsuperuser"
	@echo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.dev
	mkdir -p var
	if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent; fi
	scripts/test.sh

lint: $(VENV)/.dev
	$(PY) -m ruff check . && $(PY) -m ruff format --check .

format: $(VENV)/.dev
	$(PY) -m ruff check --fix . && $(PY) -m ruff format .

clean:
	rm -rf $(VENV) var artifacts
