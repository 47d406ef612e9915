# Two commands on a fresh machine: `make run` runs the app, `make test` passes the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck pytest system-deps clean translations lupdate bench package

# The version lives in desktop/earshot/__init__.py: a new one reinstalls, so the package's
# metadata (where the collector reads its version) follows.
$(STAMP): pyproject.toml desktop/earshot/__init__.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[desktop,dev,collector]'
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
	$(BIN)/ruff check desktop sync tests bench
	$(BIN)/ruff format --check desktop sync tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) system-deps
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

# Benchmarks against baselines measured in the same run: bench/results.json, docs/benchmarks.md.
bench: $(STAMP) system-deps translations
	$(BIN)/python -m bench $(BENCH_ARGS)

# The desktop bundle (PyInstaller, one folder) and the .deb built from it, in dist/.
package: $(STAMP) system-deps translations
	PYTHON=$(PYTHON) ./packaging/build.sh

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache test-output
