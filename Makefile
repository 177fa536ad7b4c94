# Two commands matter: `make run` and `make test`. Everything else supports them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
NPM := $(shell command -v npm)
# The browser tests inject axe-core from node_modules; without npm they skip with a reason.
AXE := $(if $(NPM),node_modules/axe-core/axe.min.js)

.PHONY: run test lint typecheck translations messages migration clean

$(VENV)/.run-installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	touch $@ $(VENV)/.run-installed

# The browser tests' tools, pinned in package-lock.json (npm ci installs exactly that).
node_modules/axe-core/axe.min.js: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund --ignore-scripts
	touch $@

translations: $(VENV)/.run-installed
	$(BIN)/pybabel compile --statistics -d app/translations 2>&1 | grep -v "^compiling" || true

run: $(VENV)/.run-installed translations
	test -f instance/keyring.json || $(FLASK) keys init
	$(FLASK) db upgrade
	$(FLASK) demo seed
	@echo
	@echo "Demo logins (also in instance/demo-accounts.json):"
	@$(FLASK) demo logins
	@echo
	@echo "Sign-in code for a demo user:  $(FLASK) demo code USERNAME"
	@echo "The statistics are prepared in the background (instance/statistics-prepare.log);"
	@echo "until a year is, its page says so."
	$(FLASK) statistics prepare > instance/statistics-prepare.log 2>&1 &
	@echo "Silta is at http://$(HOST):$(PORT)/"
	@echo
	$(FLASK) run --host $(HOST) --port $(PORT)

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: $(VENV)/.test-installed
	$(BIN)/mypy

# -n auto: a worker per core (pytest-xdist); each makes its own throwaway databases.
test: $(VENV)/.test-installed translations lint typecheck $(AXE)
	$(BIN)/pytest -n auto --dist worksteal --cov --cov-report=term --cov-fail-under=90 $(PYTEST_ARGS)

# Extract new UI strings and merge them into every catalogue (developers run this).
messages: $(VENV)/.test-installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -o app/translations/messages.pot --no-location --sort-output --ignore-dirs=".venv instance" .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching

# Autogenerate an Alembic revision against a scratch SQLite database at head; review it.
migration: $(VENV)/.test-installed
	rm -f /tmp/silta-migration.db
	$(BIN)/python -c "import migrations as m; from alembic import command; u='sqlite:////tmp/silta-migration.db'; m.upgrade(u); command.revision(m.alembic_config(u), message='$(MESSAGE)', autogenerate=True)"

clean:
	rm -rf $(VENV) node_modules .coverage .coverage.* .mypy_cache .ruff_cache .pytest_cache
