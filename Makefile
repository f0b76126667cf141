# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask
GOVUK := node_modules/govuk-frontend/dist/govuk
VENDOR := static/vendor

.PHONY: run test lint format bench setup assets db demo clean

run: setup db demo
	$(FLASK) run --host 127.0.0.1 --port 5000

test: setup lint
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup
	$(BIN)/python -m benchmarks.search

setup: $(BIN)/.installed assets

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(BIN)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

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
	touch $@

db: $(BIN)/.installed
	$(FLASK) db upgrade

demo: db
	$(FLASK) demo-data --if-empty

clean:
	rm -rf $(VENV) node_modules $(VENDOR)
