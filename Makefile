# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask
GOVUK := node_modules/govuk-frontend/dist/govuk
VENDOR := static/vendor
# Every Python package, with its hashes: what `make setup` installs, here and in CI.
LOCK := requirements.lock
# Only what the app needs to run: what a server installs (README, Deploy).
RUNTIME_LOCK := requirements-runtime.lock
LOCK_TOOL := $(VENV)/lock-tool
UV_VERSION := 0.13.8
INSTALL_CHECK := /tmp/caller-verification-install-check

define INSTALL_CHECK_SCRIPT
import pathlib, subprocess, sys
import app, config
assert not config.IS_CHECKOUT, config.BASE_DIR
subprocess.run([sys.executable, "-m", "flask", "--app", "app:create_app()", "db", "upgrade"], check=True)
web = app.create_app().test_client()
for path in ("/login", "/static/vendor/htmx.min.js", "/assets/fonts/light-94a07e06a1-v2.woff2", "/healthz"):
    status = web.get(path).status_code
    print(path, status)
    assert status == 200, path
print("installed from the wheel: migrations ran, pages and assets answer, from", config.RESOURCE_DIR)
endef
export INSTALL_CHECK_SCRIPT

.PHONY: run test lint format bench load setup lock assets db demo demo-code clean units wheel install-check cluster haproxy chaos

# Where `make run` serves the app: HOST and PORT from the environment (or the command line),
# exported so the demo banner, residents' texts and `flask staff` links use the same address.
HOST ?= 127.0.0.1
PORT ?= 5000
export HOST PORT

# Without APP_ENV the app runs as in production and refuses to start without its settings:
# these targets work on a development checkout.
run db demo demo-code screenshots: export APP_ENV ?= development

# The outbox worker runs beside the web app, so texts to residents and portal sign-in codes
# flow (to the console and the Messages page without Twilio credentials), and so does the
# scheduler (closing overdue calls, sealing the audit log); they stop when the server does.
run: setup db demo
	@$(FLASK) outbox work & worker=$$!; \
	$(FLASK) scheduler run & scheduler=$$!; \
	trap 'kill $$worker $$scheduler 2>/dev/null; wait $$worker $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

test: setup lint
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# A PNG of each step of the commonest calls, of the dashboard and the dispatch list, and of
# a resident's dispute in the portal, at 320 and 1280 px, for review.
.PHONY: screenshots
screenshots: setup
	rm -rf instance/screenshots
	SCREENSHOTS=instance/screenshots $(BIN)/pytest -q -p no:cacheprovider \
		tests/browser/test_call_steps.py -k "no_step_scrolls_sideways and not zoom"
	SCREENSHOTS=instance/screenshots $(BIN)/pytest -q -p no:cacheprovider \
		tests/browser/test_staff_pages.py -k "320px or 1280px"
	SCREENSHOTS=instance/screenshots $(BIN)/pytest -q -p no:cacheprovider \
		tests/browser/test_portal_dispute_pages.py -k "changes_their_answers and not 375px"
	@ls instance/screenshots

# Ends with the table of the handlers-per-core targets (benchmarks/targets.py): "before" from
# BENCH_BEFORE (JSON files of an earlier run, comma-separated), "after" from this run; the
# PostgreSQL ÷ SQLite rows need the other database's search figures, from BENCH_COMPARE (a
# JSON file) or timed here on BENCH_COMPARE_DATABASE_URL.
INSTANCE := $(or $(INSTANCE_PATH),instance)
bench: export BENCH_OUT ?= $(INSTANCE)/bench.json
bench: export PROFILE_OUT ?= $(INSTANCE)/profile_pages.json
bench: BENCH_COMPARE ?= $(if $(BENCH_COMPARE_DATABASE_URL),$(INSTANCE)/bench_compare.json)
bench: setup
	$(BIN)/python -m benchmarks.search
	$(if $(BENCH_COMPARE_DATABASE_URL),BENCH_DATABASE_URL=$(BENCH_COMPARE_DATABASE_URL) \
		BENCH_OUT=$(BENCH_COMPARE) $(BIN)/python -m benchmarks.search)
	$(BIN)/python -m benchmarks.profile_pages
	$(BIN)/python -m benchmarks.outbox
	$(BIN)/python -m benchmarks.audit
	$(BIN)/python -m benchmarks.entries
	$(BIN)/python -m benchmarks.targets --before "$(BENCH_BEFORE)" $(BENCH_OUT) $(PROFILE_OUT) \
		$(BENCH_COMPARE)

# The app as in production (gunicorn, PostgreSQL, Redis) worked by simulated call handlers;
# benchmarks/load.py lists its settings (LOAD_USERS=25,50,100,150,200 steps up). Ends with the
# handlers-per-core target, before (LOAD_BEFORE, an earlier run's JSON) and after.
load: export LOAD_OUT ?= $(INSTANCE)/load.json
load: setup
	LOAD_DATABASE_URL=$${LOAD_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/load} \
		$(BIN)/python -m benchmarks.load
	$(BIN)/python -m benchmarks.targets --before "$(LOAD_BEFORE)" $(LOAD_OUT)

# Two web hosts behind HAProxy, two outbox workers, a scheduler, PostgreSQL and Redis, as on
# several machines (deploy/cluster.py; CLUSTER_DATABASE_URL, CLUSTER_PORT). HAProxy comes from
# Debian's packages, installed here if missing.
cluster: setup haproxy
	$(BIN)/python -m deploy.cluster

haproxy:
	@command -v haproxy >/dev/null || (apt-get update -qq && apt-get install -y -qq haproxy) \
		|| (echo "HAProxy is needed: apt-get install -y haproxy" && exit 1)

# A benchmark, not a test: make load's handlers through HAProxy for CHAOS_SECONDS (default
# 300) while a web host and a worker are killed; what was lost, in instance/chaos.json.
chaos: setup haproxy
	CHAOS_DATABASE_URL=$${CHAOS_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/chaos} \
		$(BIN)/python -m benchmarks.chaos

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
	@# What a server installs: the same versions, without the test, load and build tools.
	$(LOCK_TOOL)/bin/uv pip compile pyproject.toml --constraint $(LOCK) \
		--universal --python-version 3.11 --generate-hashes --quiet \
		--custom-compile-command "make lock" -o $(RUNTIME_LOCK)

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

# The systemd units in deploy/systemd/, written from the Procfile (a test checks they match).
units: $(BIN)/.installed
	$(BIN)/python -m deploy.render_units

# The release: a wheel with the templates, static files (built assets included) and migrations.
wheel: setup
	rm -rf dist
	$(BIN)/python -m pip wheel --quiet --no-deps --no-build-isolation -w dist .
	@ls dist/*.whl

# The wheel installed as a server would (runtime lock, then the wheel) into a fresh virtualenv,
# away from this checkout: the migrations run and the app answers from the installed package.
install-check: wheel
	rm -rf $(INSTALL_CHECK) && mkdir -p $(INSTALL_CHECK)/run
	$(PYTHON) -m venv $(INSTALL_CHECK)/venv
	$(INSTALL_CHECK)/venv/bin/pip install --quiet --require-hashes -r $(RUNTIME_LOCK)
	$(INSTALL_CHECK)/venv/bin/pip install --quiet --no-deps dist/*.whl
	cd $(INSTALL_CHECK)/run && APP_ENV=development DATABASE_URL=sqlite:///$(INSTALL_CHECK)/run/db.sqlite \
		$(INSTALL_CHECK)/venv/bin/python -c "$$INSTALL_CHECK_SCRIPT"
	rm -rf $(INSTALL_CHECK)

db: $(BIN)/.installed
	$(FLASK) db upgrade

demo: db
	$(FLASK) demo-data --if-empty

# The code a demo account's authenticator app would show now: make demo-code EMAIL=...
demo-code: $(BIN)/.installed
	@test -n "$(EMAIL)" || { echo "Say whose code: make demo-code EMAIL=supervisor@example.org" >&2; exit 2; }
	@$(FLASK) staff demo-code "$(EMAIL)"

clean:
	rm -rf $(VENV) node_modules $(VENDOR)
