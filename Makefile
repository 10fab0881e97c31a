# The two commands a newcomer needs: `make run` and `make test` (README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run install test test-postgres test-browser fuzz-api lint translations extract-messages db-upgrade clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall when the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed translations

translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d portal/translations

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k N_ --no-location --sort-output -o portal/translations/messages.pot .
	$(BIN)/pybabel -q update -i portal/translations/messages.pot -d portal/translations --no-fuzzy-matching --ignore-obsolete

db-upgrade: install
	$(FLASK) db upgrade

run: db-upgrade
	$(FLASK) portal demo --if-empty
	@echo "Serving the portal on http://127.0.0.1:5000"
	$(FLASK) run --host 127.0.0.1 --port 5000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q

test-postgres: install
	DATABASE_URL=$(POSTGRES_URL) $(BIN)/pytest -q

# The API against its OpenAPI document (schemathesis, every check), as test_contract.py does in
# `make test` but with more examples and the coverage phase for every caller (docs/api.md).
FUZZ_EXAMPLES ?= 100
fuzz-api: install
	CONTRACT_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q -p no:cacheprovider tests/api/test_contract.py

test-browser: install
	@test -x /usr/bin/chromium || { echo "Debian's chromium is missing: apt-get install chromium fonts-wqy-microhei"; exit 1; }
	$(BIN)/pytest -q -m browser tests_browser

clean:
	rm -rf $(VENV) instance .pytest_cache

# Load, crash, concurrency and warm-start scripts against a real gunicorn (bench/server.py; README,
# "Load and crash tests"). Each prints its figures; load and crash exit 1 when a check fails.
LOAD_SECONDS ?= 60
LOAD_CLIENTS ?= 50
.PHONY: load crash concurrency warm
load: install
	POSTGRES_URL=$(POSTGRES_URL) $(BIN)/python bench/load.py --seconds $(LOAD_SECONDS) --clients $(LOAD_CLIENTS)

crash: install
	$(BIN)/python bench/crash.py

concurrency: install
	$(BIN)/python bench/concurrency.py
	POSTGRES_URL=$(POSTGRES_URL) $(BIN)/python bench/concurrency.py --postgres

warm: install
	$(BIN)/python bench/warm.py
