# Two commands: `make run` and `make test`. Both set up everything they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
BIN := $(CURDIR)/.tools/node_modules/.bin
export PATH := $(BIN):$(CURDIR)/$(VENV)/bin:$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help setup run test test-fast bench lint browser

help:
	@echo "make run    - set up, migrate, load demo data, serve http://localhost:3000"
	@echo "make test   - set up and run the whole test suite"
	@echo "make bench  - run the benchmarks under tests/perf"

$(VENV)/.installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

# Reflex would download bun from the internet; take it from the npm registry instead.
# axe-core is the accessibility engine the browser tests inject into each page.
# One grouped rule: a clone that already has bun still gets axe-core.
AXE := .tools/node_modules/axe-core/axe.min.js
$(BIN)/bun $(AXE) &:
	npm install --prefix .tools --save-exact --no-audit --no-fund bun@1.4.4 node@22 axe-core@4.14.1

setup: $(VENV)/.installed $(BIN)/bun $(AXE)

# Browser tests drive Debian's Chromium; never `playwright install`.
browser:
	@command -v chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium; }

run: setup
	$(PY) -m oms_dashboard run

lint: setup
	$(PY) -m ruff check oms_dashboard tests alembic

test: setup browser lint
	$(PY) -m pytest -n 2 -m "not e2e and not perf" --ignore=tests/perf
	$(PY) -m pytest -p no:xdist -m e2e tests/e2e

test-fast: setup
	$(PY) -m pytest -n 2 -m "not e2e and not perf" --ignore=tests/perf

# Benchmarks need PostgreSQL and Redis (the local ones unless told otherwise).
bench: setup
	createdb -h 127.0.0.1 -U postgres oms_test 2>/dev/null || true
	OMS_TEST_DATABASE_URL=$${OMS_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/oms_test} \
	OMS_TEST_REDIS_URL=$${OMS_TEST_REDIS_URL:-redis://127.0.0.1:6379/0} \
	$(PY) -m pytest -p no:xdist tests/perf -m perf -s
