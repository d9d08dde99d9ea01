# The two commands of the README: `make demo` and `make test`. Both start from a fresh machine
# with python3.11 on PATH: uv (pinned) is installed into .tools/, then `uv sync --frozen` builds
# .venv/ from uv.lock exactly, so every machine runs what CI tested.
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
PYTHON ?= python3.11

.PHONY: install install-test demo test lint typecheck pytest schema docs bench-load vendor clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# What `make demo` needs: Python and the lock file, nothing else.
install: $(UV)
	$(UV) sync --frozen --python $(PYTHON)

# What only the tests need on top: the GraphQL-over-HTTP audit and axe-core for the dashboard's
# accessibility checks (Node.js and npm, from the lock files in tests/http_audit and tests/a11y)
# and Debian's chromium for the browser tests (installed with apt-get when missing: the tests
# run as root on CI's machine).
install-test: install
	npm ci --prefix tests/http_audit --no-audit --no-fund --loglevel=error
	npm ci --prefix tests/a11y --no-audit --no-fund --loglevel=error
	@command -v chromium >/dev/null || { echo "installing Debian's chromium (browser test)"; \
		export DEBIAN_FRONTEND=noninteractive; apt-get install -y -q chromium >/dev/null \
		|| { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }; }

demo: install  # open: no token needed on this machine (docs/security.md)
	.venv/bin/orgraph demo --open

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports

typecheck: install
	.venv/bin/mypy

pytest: install-test
	.venv/bin/pytest -n 2 --dist loadgroup

test: lint typecheck pytest

schema: install  # regenerate schema.graphql from the code (a test fails when they differ)
	.venv/bin/orgraph export-schema > schema.graphql

docs: install  # regenerate the generated parts of docs/ (a test fails when they are stale)
	.venv/bin/python scripts/docs_tables.py --write

# check the vendored browser files (GraphiQL's, the dashboard's uPlot) against npm: `make vendor`;
# WRITE=1 rewrites them, SETS="dashboard" checks one set (scripts/vendor.py says how to upgrade)
vendor: install
	.venv/bin/python scripts/vendor.py $(SETS) $(if $(WRITE),--write)

bench-load: install
	.venv/bin/python -m bench.load

clean:
	rm -rf .venv $(TOOLS) orgraph.db* orgraph-demo test-artifacts
