# Two commands for a newcomer: `make report` and `make test`. Everything else is a step of those.
# `make help` lists every target.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock
# uv (a fast installer from PyPI) is fetched once per machine into the user's cache, not once per clone, and
# lives outside the environment, so `uv pip sync` leaves it alone.
UV_HOME := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/alsreview/uv
# Notebook parameters (see docs/chain.md): e.g. `make report SPECIES=human`.
SPECIES ?=
YEAR_MIN ?=
YEAR_MAX ?=
EVIDENCE_TYPES ?=
JOBS ?= 2
# Test workers (pytest-xdist): tests that share a rendered document run on one worker (tests/conftest.py).
TEST_JOBS ?= 2
QUARTO ?= $(shell command -v quarto 2>/dev/null)
QUARTO_LOG := build/quarto-install.log
export QUARTO_PYTHON := $(abspath $(BIN)/python)
export MPLBACKEND := Agg
# Python writes each module's bytecode into .venv the first time it is imported, so later processes (every notebook
# kernel, every `alsreview` call) load it instead of compiling again: a shell that sets PYTHONDONTWRITEBYTECODE (some
# container images do) would otherwise make each process recompile pandas, matplotlib and scipy, about a third of a
# build's CPU time.
unexport PYTHONDONTWRITEBYTECODE

# Parameters are data, never shell: they reach the recipes as environment variables and are quoted there.
export SPECIES YEAR_MIN YEAR_MAX EVIDENCE_TYPES JOBS QUARTO TEST_JOBS
BUILD_ARGS := --jobs "$$JOBS" --species "$$SPECIES" --year-min "$$YEAR_MIN" --year-max "$$YEAR_MAX" \
	--evidence-types "$$EVIDENCE_TYPES"

.PHONY: all help report notebooks data test bench lock clean

all: report

help: ## list the targets
	@echo "usage: make [target] [SPECIES=...] [YEAR_MIN=...] [YEAR_MAX=...] [EVIDENCE_TYPES=...] [JOBS=2] [QUARTO=/path/to/quarto]"
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z]+):.*## /  \1\t/' | expand -t 14

# The environment: uv when it can be had (found on PATH, or fetched from PyPI into $(UV_HOME)), pip otherwise;
# the same pinned versions either way (requirements.lock, compiled from pyproject.toml by `make lock`). Bytecode
# is not compiled ahead: Python compiles each module the first time it is imported, so only what runs pays (see
# PYTHONDONTWRITEBYTECODE below).
$(STAMP): pyproject.toml $(LOCK)
	@echo "setting up $(VENV) from $(LOCK) (first run only) ..."
	@start=$$EPOCHREALTIME; \
	uv=$$(command -v uv || true); \
	test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV) || exit 1; \
	if [ -z "$$uv" ] && [ ! -x $(UV_HOME)/bin/uv ]; then \
		fetch=$(UV_HOME).$$$$; mkdir -p "$$(dirname $(UV_HOME))" 2>/dev/null; \
		$(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target "$$fetch" uv \
			> /dev/null 2>&1 && { mv -T "$$fetch" $(UV_HOME) 2>/dev/null || true; }; \
		rm -rf "$$fetch"; \
	fi; \
	[ -z "$$uv" ] && [ -x $(UV_HOME)/bin/uv ] && uv=$(UV_HOME)/bin/uv; \
	if [ -n "$$uv" ] \
		&& "$$uv" pip sync --quiet --python $(BIN)/python $(LOCK) \
		&& "$$uv" pip install --quiet --python $(BIN)/python --no-deps -e .; then \
		how=uv; \
	else \
		echo "uv unavailable or failed: installing with pip (slower)"; \
		{ test -x $(BIN)/pip || $(BIN)/python -m ensurepip --default-pip > /dev/null; } \
		&& $(BIN)/python -m pip install --quiet --disable-pip-version-check -r $(LOCK) \
		&& $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e . \
		|| exit 1; \
		how=pip; \
	fi; \
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 > /dev/null || exit 1; \
	awk -v s=$$start -v e=$$EPOCHREALTIME -v how=$$how 'BEGIN { printf "set up $(VENV) with %s in %.1f s\n", how, e - s }'
	@touch $(STAMP)

data: $(STAMP) ## validate the data (alsreview validate)
	$(BIN)/alsreview validate

notebooks: $(STAMP) ## validate and run the notebooks that need it into build/analysis
	$(BIN)/alsreview build $(BUILD_ARGS)

# One command, so one hold of the build lock from the build through the render: two `make report` with different
# parameters at once each render their own build, one after the other.
report: $(STAMP) ## everything: validate, notebooks, and render the review (HTML + PDF) into build/report
	@$(MAKE) --no-print-directory quarto-once
	$(BIN)/alsreview report $(BUILD_ARGS) --quarto "$$QUARTO"

# Without Quarto, try `pip install quarto-cli` once (it downloads Quarto); a failure is remembered in its log.
.PHONY: quarto-once
quarto-once:
	@if [ -z "$(QUARTO)" ] && [ ! -x $(BIN)/quarto ] && [ ! -f $(QUARTO_LOG) ]; then \
		mkdir -p build; \
		echo "quarto not found: trying once to install quarto-cli into $(VENV) (log: $(QUARTO_LOG)) ..."; \
		if [ -x $(UV_HOME)/bin/uv ] || command -v uv > /dev/null; then \
			install="$$(command -v uv || echo $(UV_HOME)/bin/uv) pip install --python $(BIN)/python"; \
		else install="$(BIN)/python -m pip install --disable-pip-version-check"; fi; \
		timeout 300 $$install quarto-cli > $(QUARTO_LOG) 2>&1 \
			|| echo "installing quarto-cli failed (it downloads Quarto from the internet); not trying again until 'make clean'"; \
	fi

test: $(STAMP) ## run the test suite
	$(BIN)/python -m pytest -n "$$TEST_JOBS" --dist loadgroup --durations=15

bench: $(STAMP) ## benchmark setup, validation, analyses and the whole chain (slow; not run in CI)
	QUARTO="$(QUARTO)" $(BIN)/python benchmarks/bench.py --test
	QUARTO="$$QUARTO" $(BIN)/python benchmarks/explorer.py

lock: $(STAMP) ## recompile requirements.lock from pyproject.toml (after changing a dependency)
	uv=$$(command -v uv || echo $(UV_HOME)/bin/uv); \
	"$$uv" pip compile --quiet pyproject.toml --extra dev --universal --python-version 3.11 \
		--custom-compile-command "make lock" -o $(LOCK)

clean: ## remove generated outputs (build/); keeps .venv
	rm -rf build .pytest_cache .hypothesis
