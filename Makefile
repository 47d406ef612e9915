# Two commands on a fresh machine: `make run` runs the app, `make test` passes the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck pytest system-deps clean translations lupdate

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,collector]'
	touch $@

run: $(STAMP) translations
	$(BIN)/earshot

# The app loads resources/translations/*.qm when present (.qm files are built, not committed).
translations: $(STAMP)
	$(BIN)/pyside6-lrelease -silent resources/translations/*.ts

# After changing a user-visible string in desktop/earshot/gui: refresh the catalogues.
lupdate: $(STAMP)
	$(BIN)/pyside6-lupdate -no-obsolete -locations relative $$(find desktop/earshot/gui -name '*.py' | sort) \
		-ts resources/translations/*.ts

system-deps:
	./scripts/system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check desktop sync tests
	$(BIN)/ruff format --check desktop sync tests

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) system-deps
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache test-output
