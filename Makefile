# Two commands on a fresh machine: `make build` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: build test setup system-deps check gen check-generated bench clean

build: $(STAMP)
	$(BIN)/policyc build policies
	$(BIN)/policyc build policies/examples --out generated/examples

test: $(STAMP)
	$(BIN)/python -m pytest

setup: $(STAMP)

$(VENV)/bin/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): $(VENV)/bin/python pyproject.toml
	bash .ci/system-deps
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

check: $(STAMP)
	$(BIN)/policyc check policies

check-generated: $(STAMP)
	$(BIN)/policyc build --check policies
	$(BIN)/policyc build --check policies/examples --out generated/examples

bench: $(STAMP)
	$(BIN)/python bench/bench_check.py
	$(BIN)/python bench/bench_calendar.py
	$(BIN)/python bench/bench_evaluator.py

clean:
	rm -rf $(VENV) build dist *.egg-info
