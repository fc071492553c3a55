# infogov — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
STAMP := .venv/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/infogov
PYTEST_ARGS ?=

.PHONY: install system-packages run test test-fast test-sqlite test-postgres coverage-strict lint format bench migrate seed clean screenshots

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]'
	@touch $(STAMP)

# Chromium and CJK fonts for the browser tests and screenshots (Debian packages). On a developer's machine
# best effort: without them the browser tests skip with a message. With CI set, not installing them fails.
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
	.venv/bin/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=infogov.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=infogov.settings.test $(PY) manage.py makemigrations --check --dry-run -v0

format: install
	.venv/bin/ruff check --fix src tests scripts
	.venv/bin/ruff format src tests scripts

test-sqlite: install
	env -u DATABASE_URL .venv/bin/pytest -q -n 2 --dist worksteal $(PYTEST_ARGS)

# pg_ready.py: 0 = PostgreSQL answers; 2 = it does not, skip (a developer's machine); 1 = it does not
# and CI is set: fail, never skip.
test-postgres: install
	@$(PY) scripts/pg_ready.py "$(PG_URL)"; status=$$?; \
	if [ $$status -eq 0 ]; then DATABASE_URL="$(PG_URL)" .venv/bin/pytest -q -n 2 --dist worksteal $(PYTEST_ARGS); \
	elif [ $$status -eq 2 ]; then echo "跳过 PostgreSQL 测试（CI 中此项为失败）"; \
	else exit 1; fi

# Every rule of the platform must have a test that makes it refuse: the suite records which tests made
# each rule refuse (tests/rule_trace.py → var/rule-trace), and regulation_coverage --strict reads it.
coverage-strict: install
	$(PY) manage.py regulation_coverage --strict

# Everything: lint, the whole suite on SQLite and on PostgreSQL (slow and browser tests included), then
# the regulation coverage of the last run.
test: install system-packages lint test-sqlite test-postgres coverage-strict

# The quick loop while working: SQLite only, no lint, without the slow and browser tests (under 2 minutes).
test-fast: install
	env -u DATABASE_URL .venv/bin/pytest -q -n 2 --dist worksteal -m "not slow and not browser" $(PYTEST_ARGS)

# Refresh the user guides' screenshots (docs/img) from the browser journeys.
screenshots: install system-packages
	INFOGOV_SCREENSHOTS=docs .venv/bin/pytest -q tests/browser

bench: install
	$(PIP) install -q -e '.[dev,bench]'
	@command -v wrk >/dev/null || bash scripts/system_packages.sh
	$(PY) bench/run.py

clean:
	rm -rf .venv var
