# Two commands for a newcomer: `make report` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Notebook parameters (see README): e.g. `make report SPECIES=human`.
SPECIES ?=
YEAR_MIN ?=
YEAR_MAX ?=
EVIDENCE_TYPES ?=
JOBS ?= 2
QUARTO ?= $(shell command -v quarto 2>/dev/null)
export QUARTO_PYTHON := $(abspath $(BIN)/python)
export MPLBACKEND := Agg

# Parameters are data, never shell: they reach the recipes as environment variables and are quoted there.
export SPECIES YEAR_MIN YEAR_MAX EVIDENCE_TYPES JOBS QUARTO
BUILD_ARGS := --jobs "$$JOBS" --species "$$SPECIES" --year-min "$$YEAR_MIN" --year-max "$$YEAR_MAX" \
	--evidence-types "$$EVIDENCE_TYPES"

.PHONY: all report notebooks data test bench clean

all: report

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 > /dev/null
	touch $(STAMP)

data: $(STAMP)
	$(BIN)/alsreview validate

notebooks: $(STAMP)
	$(BIN)/alsreview build $(BUILD_ARGS)

report: $(STAMP)
	$(BIN)/alsreview build $(BUILD_ARGS)
	@if [ -z "$$QUARTO" ] && [ ! -x $(BIN)/quarto ]; then \
		echo "quarto not found on PATH: trying 'pip install quarto-cli' into $(VENV) ..."; \
		timeout 300 $(BIN)/python -m pip install --quiet --disable-pip-version-check quarto-cli \
			|| echo "pip install quarto-cli failed (it downloads Quarto from GitHub)."; \
	fi
	$(BIN)/alsreview render --quarto "$$QUARTO"

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py
	QUARTO="$(QUARTO)" $(BIN)/python benchmarks/explorer.py

clean:
	rm -rf build .pytest_cache .hypothesis
