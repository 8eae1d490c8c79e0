# The one entry point: `make run` serves the demo, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` is a local demo: debug on, SQLite under var/ unless DATABASE_URL says otherwise.
RUN_ENV := DEBUG=$${DEBUG:-true}

.PHONY: install run serve demo test test-fast lint fmt bench css messages translations lock clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements/constraints.txt tests/js/package-lock.json
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# mollie-api-py replaced mollie-api-python; both install the package `mollie`.
	$(PY) -m pip uninstall --quiet --yes mollie-api-python requests-oauthlib
	$(PY) -m pip install --quiet -c requirements/constraints.txt -e '.[dev]'
	# The Node tools the tests call (Mozilla's iCalendar parser), as locked.
	npm ci --prefix tests/js --no-audit --no-fund --silent
	touch $(STAMP)

translations: $(STAMP)
	DEBUG=true $(PY) -m goedeburen compilemessages --ignore=.venv --ignore=.lockenv --verbosity 0

run: $(STAMP) translations
	mkdir -p var
	$(RUN_ENV) $(PY) -m goedeburen migrate --noinput --verbosity 0
	$(RUN_ENV) $(PY) -m goedeburen demo --upcoming
	$(RUN_ENV) $(PY) -m goedeburen demo_account
	$(RUN_ENV) $(PY) -m goedeburen serve --host $(HOST) --port $(PORT)

test: $(STAMP) translations
	scripts/run-tests

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

fmt: $(STAMP)
	$(VENV)/bin/ruff format src tests bench
	$(VENV)/bin/ruff check --fix src tests bench

bench: $(STAMP) translations
	for b in bench/*.py; do $(PY) $$b || exit 1; done

# Rebuild the one stylesheet the pages load (only the NL Design System rules they use + site.css).
css:
	scripts/build-css

# Extract strings for both languages; then translate the new entries in locale/*/LC_MESSAGES/django.po.
messages: $(STAMP)
	cd src/goedeburen && DEBUG=true ../../$(PY) -m goedeburen makemessages -l nl -l en --no-location --no-obsolete
	$(PY) scripts/fill-english-catalogue.py

# Re-pin every dependency to what pyproject.toml now resolves to.
lock:
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/pip install --quiet -e '.[dev]'
	.lockenv/bin/pip freeze --exclude-editable | grep -v '^goedeburen' > requirements/constraints.txt
	rm -rf .lockenv

clean:
	rm -rf $(VENV) var .pytest_cache
