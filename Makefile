# kiosk: run `make help` for the targets.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEMO_DB := instance/demo.sqlite3
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup run serve test test-fast lint check fmt bench clean assets messages chromium lynx

help: ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed node_modules/.installed assets ## Install Python and npm packages, build assets

assets: $(VENV)/.installed node_modules/.installed ## Build CSS and JavaScript with content-hashed names, compile the translations
	$(PY) -m kiosk.assets
	$(VENV)/bin/pybabel -q compile -d kiosk/translations

messages: $(VENV)/.installed ## Extract the messages into kiosk/translations/messages.pot and update each language's catalogue
	$(VENV)/bin/pybabel -q extract -F babel.cfg --project=kiosk -k lazy_gettext -k _l -k N_ -k Text --no-location --sort-output -o kiosk/translations/messages.pot kiosk
	$(VENV)/bin/pybabel -q update -i kiosk/translations/messages.pot -d kiosk/translations --no-fuzzy-matching --width=120

chromium: ## Install Debian's Chromium for the browser tests (Playwright cannot download one here)
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; }

lynx: ## Install Debian's lynx for the text-browser journeys (tests/e2e/test_lynx.py)
	@command -v lynx >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends lynx; }

run: setup ## Fresh demo database, then serve on http://127.0.0.1:$(PORT) with gunicorn and the notifications worker
	mkdir -p instance && rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	DATABASE_URL=sqlite:///$(CURDIR)/$(DEMO_DB) $(VENV)/bin/flask --app wsgi migrate
	DATABASE_URL=sqlite:///$(CURDIR)/$(DEMO_DB) $(VENV)/bin/flask --app wsgi demo
	@# The worker sends texts and emails beside gunicorn (prints them without NOTIFY_API_KEY); Ctrl-C stops both.
	export DATABASE_URL=sqlite:///$(CURDIR)/$(DEMO_DB); \
	$(VENV)/bin/flask --app wsgi send-notifications & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(VENV)/bin/gunicorn --no-control-socket -w 2 -b 127.0.0.1:$(PORT) wsgi:app

serve: setup ## Migrate, then serve the real database (DATABASE_URL, else instance/kiosk.sqlite3) as run serves the demo
	mkdir -p instance
	$(VENV)/bin/flask --app wsgi migrate
	$(VENV)/bin/gunicorn --no-control-socket -w 2 -b 127.0.0.1:$(PORT) wsgi:app

# Two workers (pytest-xdist), one per core; each gets its own PostgreSQL database (tests/databases.py).
test: setup chromium lynx ## Set up, then the whole suite (unit, integration, e2e) on SQLite and PostgreSQL
	$(PY) -m pytest -q -n 2 --durations=25

test-fast: setup ## Unit and integration tests only
	$(PY) -m pytest -q -n 2 --ignore=tests/e2e

lint: setup ## ruff check, format check, and the import contracts in pyproject.toml
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/lint-imports

check: lint test ## What CI runs: lint, then the whole suite

fmt: setup ## Format the code
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

bench: setup ## Page weights, first paint on slow networks, and the busiest routes' throughput and p95 against a bare hello route (sync and gthread)
	$(PY) -m tests.bench

clean: ## Remove built assets, the virtual environment and node_modules
	rm -rf $(VENV) node_modules kiosk/static/dist instance/demo.sqlite3*
