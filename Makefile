# The two commands a newcomer needs: `make run` and `make test` (README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run install test test-postgres test-browser fuzz-api lint translations extract-messages db-upgrade clean \
	bench bench-10x bench-10x-postgres bench-postgres-data

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

# The page benchmark (README, Benchmarks): bench/pages.py on data built by bench/generate.py, once,
# kept in instance/ (SQLite) or in the PostgreSQL databases bench_1x / bench_10x. Delete the file or
# drop the database to build it again. `make bench` measures scale 1 alone; `make bench-10x` scale 1
# and 10 side by side; BENCH_DATABASE=postgresql (or `make bench-10x-postgres`) does it on PostgreSQL.
BENCH_DATABASE ?= sqlite
BENCH_REPEAT ?= 15
BENCH_ARGS ?=
BENCH_PG ?= postgresql+psycopg://postgres@127.0.0.1:5432
BENCH_PG_NAME ?= bench
BENCH_PSQL ?= psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA
ifeq ($(BENCH_DATABASE),postgresql)
BENCH_URL = $(BENCH_PG)/$(BENCH_PG_NAME)_$(1)x
BENCH_DATA_1X = bench-postgres-data BENCH_SCALES=1
BENCH_DATA_10X = bench-postgres-data BENCH_SCALES="1 10"
else
BENCH_URL = sqlite:///$(CURDIR)/instance/bench-$(1)x.sqlite
BENCH_DATA_1X = instance/bench-1x.sqlite
BENCH_DATA_10X = instance/bench-1x.sqlite instance/bench-10x.sqlite
endif
BENCH_PAGES = $(BIN)/python bench/pages.py --repeat $(BENCH_REPEAT) --json instance/bench-pages-$(BENCH_DATABASE).json $(BENCH_ARGS)
BENCH_READY = @test -f $(VENV)/.installed || { echo "The benchmark needs the portal installed: make install"; exit 1; }

bench:
	$(BENCH_READY)
	$(MAKE) --no-print-directory $(BENCH_DATA_1X)
	$(BENCH_PAGES) --base $(call BENCH_URL,1)

bench-10x:
	$(BENCH_READY)
	$(MAKE) --no-print-directory $(BENCH_DATA_10X)
	$(BENCH_PAGES) --base $(call BENCH_URL,1) --big $(call BENCH_URL,10)

bench-10x-postgres:
	$(MAKE) --no-print-directory bench-10x BENCH_DATABASE=postgresql

# Built under a temporary name, renamed when complete: an interrupted build is not taken for data.
# bench/generate.py makes the schema (the migrations) and fills it.
instance/bench-%x.sqlite:
	mkdir -p instance
	rm -f $@.partial
	$(BIN)/python bench/generate.py --scale $* --database-url sqlite:///$(CURDIR)/$@.partial
	mv $@.partial $@

BENCH_SCALES ?= 1
bench-postgres-data:
	@for n in $(BENCH_SCALES); do \
	  if [ -n "$$($(BENCH_PSQL) -c "SELECT 1 FROM pg_database WHERE datname = '$(BENCH_PG_NAME)_$${n}x'")" ]; then continue; fi; \
	  echo "Building $(BENCH_PG_NAME)_$${n}x (scale $$n) on PostgreSQL"; \
	  $(BENCH_PSQL) -c "DROP DATABASE IF EXISTS $(BENCH_PG_NAME)_$${n}x_partial" -c "CREATE DATABASE $(BENCH_PG_NAME)_$${n}x_partial" || exit 1; \
	  $(BIN)/python bench/generate.py --scale $$n --database-url $(BENCH_PG)/$(BENCH_PG_NAME)_$${n}x_partial \
	    && $(BENCH_PSQL) -c "ALTER DATABASE $(BENCH_PG_NAME)_$${n}x_partial RENAME TO $(BENCH_PG_NAME)_$${n}x" || exit 1; \
	done

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
