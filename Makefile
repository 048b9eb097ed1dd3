# Ketnap — the two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SIZE ?= city
STAMP := $(VENV)/.installed

.PHONY: install demo serve test test-unit test-browser test-pg lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make demo: build everything, load the demo city on SQLite and serve it on http://$(HOST):$(PORT)
demo: install
	DEBUG=1 $(BIN)/ketnap migrate --noinput -v 0
	DEBUG=1 $(BIN)/ketnap seed --size $(SIZE) --if-empty
	DEBUG=1 $(BIN)/ketnap serve --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/ketnap serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check ketnap
	$(BIN)/ruff format --check ketnap
	$(BIN)/python manage.py makemigrations --check --dry-run -v 1

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

## make bench: the city demo in its own SQLite file, then the median server time of the main pages
BENCH_DB ?= var/bench-city.sqlite3
bench: install
	SQLITE_PATH=$(BENCH_DB) $(BIN)/ketnap migrate --noinput -v 0
	SQLITE_PATH=$(BENCH_DB) $(BIN)/ketnap seed --size city --if-empty
	$(BIN)/ketnap collectstatic --noinput -v 0
	SQLITE_PATH=$(BENCH_DB) $(BIN)/ketnap bench pages

clean:
	rm -rf var/ .pytest_cache
