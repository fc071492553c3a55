# infogov — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
STAMP := .venv/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/infogov
PYTEST_ARGS ?=

.PHONY: install system-packages run test test-sqlite test-postgres lint format bench migrate seed clean screenshots

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]'
	@touch $(STAMP)

# Chromium and CJK fonts for the browser tests and screenshots (Debian packages; best effort:
# without them the browser tests skip with a message, everything else runs).
system-packages:
	@bash scripts/system_packages.sh

migrate: install
	$(PY) manage.py migrate --noinput -v0

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	@echo "infogov 正在 http://127.0.0.1:8000 运行（Ctrl-C 停止）"
	$(PY) manage.py runserver 127.0.0.1:8000

lint: install
	.venv/bin/ruff check src tests scripts
	.venv/bin/ruff format --check src tests scripts
	.venv/bin/mypy
	DJANGO_SETTINGS_MODULE=infogov.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=infogov.settings.test $(PY) manage.py makemigrations --check --dry-run -v0

format: install
	.venv/bin/ruff check --fix src tests scripts
	.venv/bin/ruff format src tests scripts

test-sqlite: install
	env -u DATABASE_URL .venv/bin/pytest -q -n 2 $(PYTEST_ARGS)

test-postgres: install
	@if $(PY) scripts/pg_ready.py "$(PG_URL)"; then \
		DATABASE_URL="$(PG_URL)" .venv/bin/pytest -q -n 2 $(PYTEST_ARGS); \
	else echo "PostgreSQL 未在 127.0.0.1:5432 应答：跳过 PostgreSQL 测试"; fi

test: install system-packages lint test-sqlite test-postgres

# Refresh the user guides' screenshots (docs/img) from the browser journeys.
screenshots: install system-packages
	INFOGOV_SCREENSHOTS=docs .venv/bin/pytest -q tests/browser

bench: install
	$(PIP) install -q -e '.[dev,bench]'
	@command -v wrk >/dev/null || bash scripts/system_packages.sh
	$(PY) bench/run.py

clean:
	rm -rf .venv var
