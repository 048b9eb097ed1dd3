# Ketnap — the two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SIZE ?= city
STAMP := $(VENV)/.installed
# A random SECRET_KEY made once on this machine and kept in var/ (never committed); the environment's wins.
KEYFILE := var/secret_key
WITH_KEY = SECRET_KEY=$${SECRET_KEY:-$$(cat $(KEYFILE))}
# The demo users log in without a phone: no role requires two factors in `make demo` (production: committee, admin)
DEMO_ENV = DEBUG=1 KETNAP_2FA_REQUIRED_ROLES=$${KETNAP_2FA_REQUIRED_ROLES-}

.PHONY: install demo serve worker test test-unit test-browser test-pg lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(KEYFILE):
	@mkdir -p var
	@umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

## make demo: build everything, load the demo city on SQLite and serve it on http://$(HOST):$(PORT)
demo: install $(KEYFILE)
	$(WITH_KEY) $(DEMO_ENV) $(BIN)/ketnap migrate --noinput -v 0
	$(WITH_KEY) $(DEMO_ENV) $(BIN)/ketnap seed --size $(SIZE) --if-empty
	@# the background worker (large imports) runs beside the web server and stops with it
	$(WITH_KEY) $(DEMO_ENV) $(BIN)/ketnap db_worker --interval 2 --no-startup-delay -v 0 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(WITH_KEY) $(DEMO_ENV) $(BIN)/ketnap serve --host $(HOST) --port $(PORT)

serve: install $(KEYFILE)
	$(WITH_KEY) $(BIN)/ketnap serve --host $(HOST) --port $(PORT)

## make worker: the background worker alone (django-tasks' database queue: large imports)
worker: install $(KEYFILE)
	$(WITH_KEY) $(BIN)/ketnap db_worker --interval 2

lint: install $(KEYFILE)
	$(BIN)/ruff check ketnap
	$(BIN)/ruff format --check ketnap
	$(BIN)/lint-imports --no-cache
	@if command -v node >/dev/null; then for f in $$(git ls-files 'ketnap/*.js' | grep -v /vendor/); do \
	  node --check "$$f" || exit 1; done; else echo "Bỏ qua kiểm tra cú pháp JavaScript: chưa có node"; fi
	$(WITH_KEY) $(BIN)/python manage.py makemigrations --check --dry-run -v 1

## make test: the whole suite (lint, migrations, unit and view tests; browser tests when chromium is there)
test: lint test-unit test-browser

test-unit: install
	$(BIN)/pytest -q

test-browser: install
	@if [ -x /usr/bin/chromium ]; then \
	  DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -q -m browser -p no:randomly; \
	else echo "Bỏ qua kiểm thử trình duyệt: chưa có /usr/bin/chromium (apt-get install chromium)"; fi

## the same suite against PostgreSQL (DATABASE_URL must point at a server; .ci/run starts one)
test-pg: install
	@test -n "$$DATABASE_URL" || { echo "DATABASE_URL chưa được đặt"; exit 2; }
	$(BIN)/pytest -q

## make bench: the city demo in its own SQLite file, the median server time of the main pages and 200 users at
## once on it (Locust); then the
## dashboard benchmark (docs/benchmarks.md, "Bảng điều khiển / Dashboard"). BENCH_PG_SIZES=city skips nation.
BENCH_DB ?= var/bench-city.sqlite3
BENCH_DASH_DB ?= var/bench-dashboard-city.sqlite3
BENCH_PG ?= postgres://ketnap:ketnap@127.0.0.1:5432
BENCH_PG_SIZES ?= city nation
BENCH_RUNS ?= 15
bench: export SECRET_KEY ?= $(shell cat $(KEYFILE))
bench: install $(KEYFILE)
	SQLITE_PATH=$(BENCH_DB) $(BIN)/ketnap migrate --noinput -v 0
	SQLITE_PATH=$(BENCH_DB) $(BIN)/ketnap seed --size city --if-empty
	$(BIN)/ketnap collectstatic --noinput -v 0
	SQLITE_PATH=$(BENCH_DB) $(BIN)/ketnap bench pages
	@# 200 simulated users on the served city demo (Locust; p50/p95/p99 per page kind, lost writes)
	SQLITE_PATH=$(BENCH_DB) $(BIN)/ketnap bench load --users 200 --duration 60 --json > var/bench-load.json
	@# Dashboards (issue 4): `city` on SQLite and on PostgreSQL, `nation` (15 × city) on PostgreSQL. Each
	@# dataset is generated once into its own database; results go to var/bench-dashboard-*.json.
	SQLITE_PATH=$(BENCH_DASH_DB) $(BIN)/ketnap migrate --noinput -v 0
	SQLITE_PATH=$(BENCH_DASH_DB) $(BIN)/ketnap bench dashboard --size city --runs $(BENCH_RUNS) --json --pages \
	  > var/bench-dashboard-city-sqlite.json
	@# the projection of a year ago against what that year brought
	SQLITE_PATH=$(BENCH_DASH_DB) $(BIN)/ketnap bench backtest --json > var/bench-backtest-city.json
	@if pg_isready -q -d "$(BENCH_PG)/postgres" 2>/dev/null; then \
	  for size in $(BENCH_PG_SIZES); do \
	    db=ketnap_bench_$$size; \
	    psql -q "$(BENCH_PG)/postgres" -tc "SELECT 1 FROM pg_database WHERE datname='$$db'" | grep -q 1 \
	      || psql -q "$(BENCH_PG)/postgres" -c "CREATE DATABASE $$db"; \
	    DATABASE_URL=$(BENCH_PG)/$$db $(BIN)/ketnap migrate --noinput -v 0 || exit 1; \
	    DATABASE_URL=$(BENCH_PG)/$$db $(BIN)/ketnap bench dashboard --size $$size --runs $(BENCH_RUNS) --json --pages \
	      > var/bench-dashboard-$$size-pg.json || exit 1; \
	  done; \
	else echo "Bỏ qua phần PostgreSQL: không kết nối được $(BENCH_PG)"; fi
	@grep -h '"dashboard_ms"\|"sql_baseline_ms"\|"engine"\|"size"' var/bench-dashboard-*.json

clean:
	rm -rf var/ .pytest_cache
