# The two commands of the README: `make demo` and `make test`. Both start from a fresh machine
# with python3.11 on PATH: uv (pinned) is installed into .tools/, then `uv sync --frozen` builds
# .venv/ from uv.lock exactly, so every machine runs what CI tested.
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
PYTHON ?= python3.11

.PHONY: install demo test lint typecheck pytest schema bench-load clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	npm ci --prefix tests/http_audit --no-audit --no-fund --loglevel=error

demo: install
	.venv/bin/orgraph demo

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck: install
	.venv/bin/mypy

pytest: install
	.venv/bin/pytest -n 2 --dist loadgroup

test: lint typecheck pytest

schema: install  # regenerate schema.graphql from the code (a test fails when they differ)
	.venv/bin/orgraph export-schema > schema.graphql

bench-load: install
	.venv/bin/python -m bench.load

clean:
	rm -rf .venv $(TOOLS) orgraph.db* orgraph-demo
