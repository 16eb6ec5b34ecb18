# Two commands on a fresh machine: `make build` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: build test setup system-deps test-deps check gen gen-parser check-generated bench lower-bounds clean

build: $(STAMP)
	$(BIN)/policyc build policies
	$(BIN)/policyc build policies/examples --out generated/examples

# LibreOffice (~200 MB) and poppler-utils only for the tests: `make build` never installs them
test: $(STAMP) test-deps
	$(BIN)/python -m pytest

setup: $(STAMP)

# the Debian packages a build needs (Pango, HarfBuzz, fonts), and those only the tests need
system-deps:
	bash .ci/system-deps build

test-deps:
	bash .ci/system-deps test

$(VENV)/bin/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# the runtime is its own distribution (runtime/pyproject.toml); exact versions from constraints/pins.txt
$(STAMP): $(VENV)/bin/python pyproject.toml runtime/pyproject.toml constraints/pins.txt
	bash .ci/system-deps build
	$(BIN)/python -m pip install -q -c constraints/pins.txt -e ./runtime -e '.[dev]'
	touch $(STAMP)

check: $(STAMP)
	$(BIN)/policyc check policies

# after editing grammar/policy.lark (or upgrading Lark): Lark's standalone parser, policy_lang/syntax/_lark_parser.py
gen-parser: $(STAMP)
	$(BIN)/python tools/gen_parser.py

check-generated: $(STAMP)
	$(BIN)/policyc build --check policies
	$(BIN)/policyc build --check policies/examples --out generated/examples

bench: $(STAMP)
	$(BIN)/python bench/bench_check.py
	$(BIN)/python bench/bench_calendar.py
	$(BIN)/python bench/bench_evaluator.py
	$(BIN)/python bench/bench_build.py
	$(BIN)/python bench/bench_ticket.py
	$(BIN)/python bench/bench_batch.py

# the dependency ranges' lower bounds (constraints/lower.txt) in a fresh venv: CI runs it after `make test`
lower-bounds: test-deps
	bash tests/install/lower_bounds.sh

clean:
	rm -rf $(VENV) build dist *.egg-info
