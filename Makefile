# Familiebro. Every target sets itself up on a fresh machine: a virtualenv with the pinned
# Python dependencies, the npm assets, compiled translations, and the database schema.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
FAMILIEBRO := $(BIN)/familiebro
SCALE ?= small
# Two workers: the suite is mostly database-bound and machines here have two cores.
PYTEST_ARGS ?= -n auto
PO_FILES := $(wildcard familiebro/locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: help setup demo test test-sqlite test-postgres bench relevance check system-deps messages

help:
	@echo "make demo    run the demo on http://127.0.0.1:8000 (SQLite under var/)"
	@echo "make test    run every test (also on PostgreSQL when DATABASE_URL is set)"
	@echo "make bench   benchmark at SCALE=small|municipality|national on PostgreSQL"
	@echo "make relevance  the finder's relevance on the demo offers (SQLite, and PostgreSQL)"
	@echo "make check   ruff (lint and format) and mypy"

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Compiled with polib, so running the product needs no gettext tools.
familiebro/locale/%/LC_MESSAGES/django.mo: familiebro/locale/%/LC_MESSAGES/django.po $(VENV)/.installed
	$(BIN)/python -c "import polib, sys; polib.pofile(sys.argv[1]).save_as_mofile(sys.argv[2])" $< $@

setup: $(VENV)/.installed node_modules/.installed $(MO_FILES)

# Browser tests drive Debian's Chromium; gettext's xgettext checks that every UI string is
# translated. Both are Debian packages, installed here when missing.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v xgettext >/dev/null || missing="$$missing gettext"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "The tests need these Debian packages:$$missing. Install them with:"; \
	    echo "  sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

demo: setup
	mkdir -p "$${FAMILIEBRO_VAR_DIR:-var}"
	FAMILIEBRO_MODE=demo $(FAMILIEBRO) migrate --noinput -v 0
	FAMILIEBRO_MODE=demo $(FAMILIEBRO) demo-data
	@echo "Familiebro demo: http://127.0.0.1:8000  (demo logins are listed on the login page)"
	FAMILIEBRO_MODE=demo $(FAMILIEBRO) runserver --noreload 127.0.0.1:8000

# The whole suite on SQLite, then again on PostgreSQL when DATABASE_URL names one.
test: setup system-deps
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; fi

test-sqlite:
	env -u DATABASE_URL FAMILIEBRO_MODE=test $(BIN)/pytest $(PYTEST_ARGS)

test-postgres:
	FAMILIEBRO_MODE=test $(BIN)/pytest $(PYTEST_ARGS)

bench: setup
	FAMILIEBRO_MODE=test $(BIN)/python -m bench.run --scale $(SCALE)

# The finder's relevance benchmark (bench/relevance): on SQLite, then on PostgreSQL when
# DATABASE_URL names one. Writes bench/results/<date>-relevance.json.
relevance: setup
	env -u DATABASE_URL FAMILIEBRO_MODE=test $(BIN)/python -m bench.relevance.run
	@if [ -n "$$DATABASE_URL" ]; then FAMILIEBRO_MODE=test $(BIN)/python -m bench.relevance.run; fi

check: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	FAMILIEBRO_MODE=test $(BIN)/mypy familiebro bench

# Refresh the .po files from the source (needs gettext's xgettext).
messages: setup system-deps
	cd familiebro && FAMILIEBRO_MODE=test ../$(FAMILIEBRO) makemessages -l nb -l nn -l en --no-obsolete --no-location
