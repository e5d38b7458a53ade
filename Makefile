# `make run` sets everything up and runs the pipeline on the bundled extract;
# `make test` sets everything up and runs the test suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test report bench clean

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
