# clientpm — the two commands a newcomer needs are `make run` and `make test`.
# Every target installs what it needs first; stamps keep the second run fast.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY_STAMP   := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install test lint test-python test-browser browser messages bench clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check "uv==0.13.8"

$(PY_STAMP): requirements.lock pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(PY_STAMP) $(NODE_STAMP)

## make run: install, migrate, load demo data into an empty database, print the login, serve.
run: install
	$(BIN)/clientpm bootstrap
	$(BIN)/clientpm serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/clientpm makemigrations --check --dry-run
	$(BIN)/clientpm check --fail-level WARNING

## make test: lint + the whole suite (SQLite by default; set DATABASE_URL for PostgreSQL).
test: lint browser test-python

test-python: install
	$(BIN)/pytest -n 2 --dist loadfile

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "The browser tests need Debian's chromium: sudo apt-get install chromium" >&2; exit 1; fi; }

## make messages: extract strings and compile catalogues (needs GNU gettext for extraction).
messages: install
	cd src/clientpm && ../../$(BIN)/clientpm makemessages -l zh_Hans --no-obsolete --no-location -i "node_modules/*"
	$(BIN)/python -m clientpm.core.i18n_compile

## make bench: benchmarks (never part of make test); results in bench/results/, figures in docs/performance.md.
## Database benchmarks use DATABASE_URL (SQLite when unset); shared data sets come from CLIENTPM_SHARED_DATA.
bench: install
	$(BIN)/python bench/scheduling_bench.py
	$(BIN)/python bench/plan_bench.py
	$(BIN)/python bench/montecarlo_bench.py
	$(BIN)/python bench/mspdi_bench.py

clean:
	rm -rf $(VENV) node_modules staticfiles
