# The two commands a fresh clone needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/bedboard migrate
	$(BIN)/bedboard demo
	$(BIN)/bedboard serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

# Over both cores: one pytest-xdist worker per core, each with its own PostgreSQL cluster and databases
# (tests/conftest.py, tests/chromium.py). Targeted runs (plain pytest) stay serial.
unit: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadgroup --durations=25 \
		--cov --cov-report=term:skip-covered --cov-fail-under=$$(cat .coverage-floor)

test: lint typecheck unit

# Every benchmark beside its reference; writes docs/benchmarks.md (about 9 minutes on 2 cores).
bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage
