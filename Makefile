# `make run` sets everything up and runs the pipeline on the bundled extract;
# `make test` sets everything up and runs the test suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test test-installed report bench clean

run: $(VENV)/.installed
	$(BIN)/detainers run

report: $(VENV)/.installed
	$(BIN)/detainers report

test: $(VENV)/.installed
	$(BIN)/pytest

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) warehouse/*.duckdb* warehouse/landing warehouse/.build

# The suite against `pip install .` (not editable) in a venv of its own: the package under test
# is the installed wheel's (site-packages ahead of the clone on sys.path), the tests and data the clone's.
INSTALLED ?= .venv-installed
test-installed:
	rm -rf $(INSTALLED) build && $(PYTHON) -m venv $(INSTALLED)
	$(INSTALLED)/bin/python -m pip install --quiet -c constraints.txt '.[test]'
	rm -rf build  # setuptools' build tree: a stale one would ship files since removed
	$(INSTALLED)/bin/pytest -p no:cacheprovider --import-mode=append -o pythonpath=
