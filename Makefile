# Tenantry: `make run` starts the product, `make test` runs every check.
# The first of these that is Python 3.11 or newer (running it, since a pyenv shim may exist for an
# interpreter that is not installed); `make run PYTHON=/path/to/python` chooses one.
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv

.PHONY: run test lint typecheck pytest bench clean install install-dev

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Tenantry needs Python 3.11 or newer; install it or set PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Tenantry needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv==0.13.8

$(VENV)/.run-installed: $(BIN)/python requirements/run.lock pyproject.toml
	$(UV) pip install --quiet --python $(BIN)/python -r requirements/run.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.run-installed requirements/dev.lock
	$(UV) pip install --quiet --python $(BIN)/python -r requirements/dev.lock
	touch $@

install: $(VENV)/.run-installed
install-dev: $(VENV)/.dev-installed

# One process: migrate, load the demo data and seed the sandbox (the first time), then serve.
run: install
	$(BIN)/tenantry run

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-dev
	$(BIN)/mypy

# Test processes (pytest-xdist), each with its own databases; `make test PYTEST_WORKERS=0` runs in one.
PYTEST_WORKERS ?= 3

pytest: install-dev
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --durations=25

test: lint typecheck pytest

bench: install-dev
	@command -v wrk >/dev/null || { echo 'installing wrk (Debian package) for the benchmark'; apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python bench/api.py

# Refresh the lock files after changing dependencies in pyproject.toml.
lock: $(BIN)/python
	$(UV) pip compile --quiet pyproject.toml -o requirements/run.lock --python-version 3.11
	$(UV) pip compile --quiet pyproject.toml --extra dev -o requirements/dev.lock --python-version 3.11

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
