# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask
GOVUK := node_modules/govuk-frontend/dist/govuk
VENDOR := static/vendor
# Every Python package, with its hashes: what `make setup` installs, here and in CI.
LOCK := requirements.lock
LOCK_TOOL := $(VENV)/lock-tool
UV_VERSION := 0.13.8

.PHONY: run test lint format bench load setup lock assets db demo clean

# Without APP_ENV the app runs as in production and refuses to start without its settings:
# these targets work on a development checkout.
run db demo screenshots: export APP_ENV ?= development

# The outbox worker runs beside the web app, so texts to residents and portal sign-in codes
# flow (to the console and the Messages page without Twilio credentials); it stops when the
# server does.
run: setup db demo
	@$(FLASK) outbox work & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port 5000

test: setup lint
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# A PNG of each step of the commonest calls, at 320 and 1280 px, for review.
.PHONY: screenshots
screenshots: setup
	rm -rf instance/screenshots
	SCREENSHOTS=instance/screenshots $(BIN)/pytest -q -p no:cacheprovider \
		tests/browser/test_call_steps.py -k "no_step_scrolls_sideways and not zoom"
	@ls instance/screenshots

bench: setup
	$(BIN)/python -m benchmarks.search
	$(BIN)/python -m benchmarks.outbox
	$(BIN)/python -m benchmarks.audit
	$(BIN)/python -m benchmarks.entries

# The app as in production (gunicorn, PostgreSQL, Redis) worked by simulated call handlers;
# benchmarks/load.py lists its settings (LOAD_USERS=25,50,100,150,200 steps up).
load: setup
	LOAD_DATABASE_URL=$${LOAD_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/load} \
		$(BIN)/python -m benchmarks.load

setup: $(BIN)/.installed assets

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(BIN)/.installed: $(LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@# A dependency added to pyproject.toml but not yet locked shows up here.
	$(BIN)/python -m pip check
	touch $@

# Rewrite the lock file from pyproject.toml, keeping the versions it has where they
# still fit; `make lock LOCK_ARGS=--upgrade` moves everything to the newest release.
lock:
	test -x $(LOCK_TOOL)/bin/uv || $(PYTHON) -m venv $(LOCK_TOOL)
	$(LOCK_TOOL)/bin/python -m pip install --quiet uv==$(UV_VERSION)
	$(LOCK_TOOL)/bin/uv pip compile pyproject.toml --extra dev --extra load --group pyproject.toml:build \
		--universal --python-version 3.11 --generate-hashes --quiet \
		--custom-compile-command "make lock" $(LOCK_ARGS) -o $(LOCK)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

assets: $(VENDOR)/.built

$(VENDOR)/.built: node_modules/.installed
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/govuk
	cp $(GOVUK)/govuk-frontend.min.css $(GOVUK)/govuk-frontend.min.js $(VENDOR)/govuk/
	cp -r $(GOVUK)/assets $(VENDOR)/govuk/assets
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/@twilio/voice-sdk/dist/twilio.min.js $(VENDOR)/twilio-voice.min.js
	touch $@

db: $(BIN)/.installed
	$(FLASK) db upgrade

demo: db
	$(FLASK) demo-data --if-empty

clean:
	rm -rf $(VENV) node_modules $(VENDOR)
