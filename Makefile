# The two commands a fresh clone needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit bench clean messages catalogues

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

# Translations (gettext, Babel): extract every marked message of each domain's sources (app/locales/domains.txt)
# into app/locales/<domain>.pot and merge it into each language's app/locales/<lang>/LC_MESSAGES/<domain>.po;
# then a language's texts follow the messages that moved between domains (app/kit/i18n_compendium.py). Fill the
# new empty msgstr entries afterwards. The .mo files are compiled when the application first translates
# (app/kit/i18n.py), so `make run` and `make test` need no step of their own; `make catalogues` compiles them
# ahead, e.g. for a read-only install.
BABEL_KEYWORDS := --no-default-keywords -k _ -k _n:1,2
# Every language of app/kit/i18n.py LANGUAGES but English, whose texts are the message ids.
TRANSLATED_LANGUAGES := ro es sv

messages: $(STAMP)
	grep -v '^#' app/locales/domains.txt | while read -r domain sources; do \
		$(BIN)/pybabel -q extract -F babel.cfg $(BABEL_KEYWORDS) --sort-output --add-location=file \
			--project=bedboard --copyright-holder=bedboard -o app/locales/$$domain.pot $$sources || exit 1; \
		for language in $(TRANSLATED_LANGUAGES); do \
			$(BIN)/pybabel -q update -i app/locales/$$domain.pot -d app/locales -D $$domain -l $$language \
				--init-missing --ignore-pot-creation-date || exit 1; \
		done; \
	done
	$(BIN)/python -m app.kit.i18n_compendium

catalogues: $(STAMP)
	grep -v '^#' app/locales/domains.txt | while read -r domain sources; do \
		$(BIN)/pybabel -q compile -d app/locales -D $$domain || exit 1; \
	done

# Every benchmark beside its reference; writes docs/benchmarks.md (about 9 minutes on 2 cores).
bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage
