PYTHON ?= python3
PIP := $(PYTHON) -m pip
DEMO_WAREHOUSE ?= examples/demo.duckdb

.PHONY: demo install install-dev demo-warehouse test lint typecheck bench clean

## make demo: install dq-agent, build the demo DuckDB warehouse, run the agent on :9187
demo: install demo-warehouse
	$(PYTHON) -m agent.cli run --config examples/demo.yaml

install:
	$(PIP) install --quiet --disable-pip-version-check -e .

install-dev:
	$(PIP) install --quiet --disable-pip-version-check -e ".[dev]"

demo-warehouse:
	DQ_DEMO_WAREHOUSE=$(DEMO_WAREHOUSE) $(PYTHON) examples/generate_demo_warehouse.py $(DEMO_WAREHOUSE)

## make test: install the test dependencies, run the whole suite, then ruff and mypy
test: install-dev
	$(PYTHON) -m pytest -q -rs
	$(MAKE) lint

lint:
	$(PYTHON) -m ruff check agent exporter tests benchmarks examples packaging
	$(PYTHON) -m mypy

clean:
	rm -rf state $(DEMO_WAREHOUSE) $(DEMO_WAREHOUSE).wal .pytest_cache .mypy_cache .ruff_cache
