# Newsroom: `make run` serves the site, `make test` runs the tests (both set everything up).
# scripts/localenv.py finds PostgreSQL (or starts a project-local cluster) and a SECRET_KEY.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
LOCALENV := $(PY) scripts/localenv.py --
PORT ?= 8000

.PHONY: run serve worker test lint format structure bench bench-quick loadtest audit db-stop clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --requirement requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check --requirement requirements-dev.txt
	touch $@

## run: install, prepare the database, migrate, ingest seeds/, serve on http://127.0.0.1:$(PORT)
## and run a background-job worker beside the site (scripts/serve.py; Ctrl-C stops both)
run: $(VENV)/.installed
	$(LOCALENV) sh -c '\
		$(PY) manage.py migrate --noinput && \
		$(PY) manage.py collectstatic --noinput --verbosity 0 && \
		$(PY) manage.py ingest_seeds seeds/ && \
		PORT=$(PORT) exec $(PY) scripts/serve.py'

## serve: serve and run a worker, without migrating or ingesting
serve: $(VENV)/.installed
	$(LOCALENV) env PORT=$(PORT) $(PY) scripts/serve.py

## worker: only a background-job worker (what every extra host runs; WORKER_CONCURRENCY processes)
worker: $(VENV)/.installed
	$(LOCALENV) $(PY) manage.py worker

## test: install dev tools and the outside checkers in package.json (npm), prepare the database, run the whole test suite
test: $(VENV)/.installed-dev node_modules/.installed
	$(LOCALENV) $(PY) -m pytest

# The Nu HTML Checker and axe-core, which tests/test_outside_checkers.py runs on the public pages;
# without npm they are skipped (and CI, which sets CI=1, fails instead).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --ignore-scripts --no-audit --no-fund && touch $@; \
	else \
		echo "npm not found: the HTML and accessibility checkers will be skipped"; \
	fi

## lint: ruff (lint and format), and the import layers of articles/ (pyproject.toml's [tool.importlinter])
lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache --no-logo

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## structure: count what issue 14 counts (raw-SQL sites per module, triggers and SQL functions of the
## migrated database at DATABASE_URL, functions over 60 lines, places the visibility rule is written)
structure: $(VENV)/.installed
	$(LOCALENV) $(PY) scripts/count_structure.py $(STRUCTURE_ARGS)

## bench: the benchmark on 100,000 generated articles: ingest, page latency, throughput beside a minimal view
## and a bare Django view, the long tail crawled quiet and while 10,000 new articles are ingested (issue 14);
## one table, and JSON in var/bench/ (own databases newsroom_bench and newsroom_bench_ner, wiped; needs wrk)
bench: $(VENV)/.installed
	$(LOCALENV) $(PY) scripts/bench.py --articles 100000 --crawl-ingest 10000 $(BENCH_ARGS)

## bench-quick: the same on 10,000 articles (a few minutes)
bench-quick: $(VENV)/.installed
	$(LOCALENV) $(PY) scripts/bench.py --articles 10000 $(BENCH_ARGS)

## loadtest: 64 connections of mixed traffic for 60 s, twice, against gunicorn on 127.0.0.1 (own database,
## postgres:///newsroom_loadtest; needs wrk, installed with apt-get when run as root); zero errors, flat memory
loadtest: $(VENV)/.installed
	$(PY) scripts/loadtest.py $(LOADTEST_ARGS)

## audit: check the locked requirements for known vulnerabilities (pip-audit; asks PyPI's advisory data online)
audit: $(VENV)/.installed-dev
	$(VENV)/bin/pip-audit --requirement requirements.txt --require-hashes --disable-pip --progress-spinner off
	$(VENV)/bin/pip-audit --requirement requirements-dev.txt --require-hashes --disable-pip --progress-spinner off

## db-stop: stop the project-local PostgreSQL cluster, if one was started
db-stop:
	$(PY) scripts/localenv.py --stop

clean:
	rm -rf $(VENV) var/staticfiles node_modules
