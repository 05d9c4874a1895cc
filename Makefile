# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
QMS := $(VENV)/bin/qms
HTMX_VERSION := 2.0.11
HTMX_JS := qms/static/js/htmx.min.js
export QMS_DATABASE_URL ?= sqlite:///qms.db

.PHONY: run test install install-dev htmx lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed htmx
install-dev: $(VENV)/.installed-dev htmx

# htmx comes from the npm package at a pinned version; without npm the pages still work
# (every form posts without JavaScript), so a missing npm is a note, not a failure.
htmx: $(HTMX_JS)
$(HTMX_JS):
	@mkdir -p $(dir $@)
	@if command -v npm >/dev/null 2>&1; then \
	  tmp=$$(mktemp -d) && \
	  (cd $$tmp && npm pack --silent htmx.org@$(HTMX_VERSION) >/dev/null && tar -xzf htmx.org-$(HTMX_VERSION).tgz) && \
	  cp $$tmp/package/dist/htmx.min.js $@ && rm -rf $$tmp && echo "htmx $(HTMX_VERSION) installed"; \
	else echo "npm not found: serving without htmx (pages work without JavaScript)"; fi

run: install
	$(QMS) db upgrade
	$(QMS) demo --if-empty
	$(QMS) serve --host 127.0.0.1 --port 8000

# One worker per core; a test file stays on one worker, so its module fixtures run once.
PYTEST_WORKERS ?= auto
test: install-dev lint
	$(PY) -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The same checks as .pre-commit-config.yaml.
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy --strict

clean:
	rm -rf $(VENV) qms.db qms.db-wal qms.db-shm $(HTMX_JS)
