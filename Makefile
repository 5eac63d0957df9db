# Yangguang: `make run` and `make test` work on a fresh clone with only Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
export LC_ALL ?= C.UTF-8

.PHONY: install run test e2e lint stop status bench messages lock deploy-check

# The first install downloads and builds ~100 packages (a few minutes): each step says what it
# does, and pip lists every package as it goes, so a long first start never looks hung.
$(STAMP): requirements.lock pyproject.toml
	@echo "==> [1/3] Python environment in $(VENV)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "==> [2/3] Installing the pinned packages of requirements.lock (first run: a few minutes)"
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar on -r requirements.lock
	rm -f $(VENV)/.installed-*
	touch $(STAMP)
	@echo "==> [3/3] Packages installed; later runs skip this step until requirements.lock changes"

install: $(STAMP)

run: install
	$(BIN)/python -m config.devstack

test: install
	$(BIN)/python -m config.embedded_servers run -- $(BIN)/python -m pytest $(PYTEST_ARGS)

# Browser journeys (e2e/): Debian's chromium against a live server on PostgreSQL. `make test`
# runs them too when /usr/bin/chromium exists; here a missing browser is an error.
e2e: install
	E2E_REQUIRED=1 $(BIN)/python -m config.embedded_servers run -- $(BIN)/python -m pytest e2e $(PYTEST_ARGS)

# ruff; the direction of imports (pyproject.toml [tool.importlinter], docs/architecture.md
# section 1); types (mypy with django-stubs, which imports the settings: the URLs given here,
# unless set already, keep it from starting the embedded servers; nothing connects to them).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	DATABASE_URL=$${DATABASE_URL:-postgres://mypy@127.0.0.1:1/mypy} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:1/0} $(BIN)/mypy .

stop:
	$(BIN)/python -m config.embedded_servers stop

status:
	$(BIN)/python -m config.embedded_servers status

bench: install
	$(BIN)/python -m bench

deploy-check: install
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-ci-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz} \
	DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-localhost} \
	AUDIT_HMAC_KEY=$${AUDIT_HMAC_KEY:-ci-only-audit-hmac-key-0123456789-abcdefghijklmnopqrstuvwxyz} \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# Regenerate the Chinese catalogue after adding strings, translate, then compile.
messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete \
	  --ignore=.venv --ignore=var --ignore=static --ignore=staticfiles
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

# Re-pin every dependency (run after editing pyproject.toml).
lock: install
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --quiet \
	  --output-file requirements.lock
