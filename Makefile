# `make test` and `make demo` work on a fresh machine with only Python 3.11, pip, gcc and make.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: test demo bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip setuptools wheel

$(VENV)/.core: $(VENV)/bin/python pyproject.toml
	$(PY) -m pip install -e .
	touch $@

$(VENV)/.dev: $(VENV)/.core
	$(PY) -m pip install -e '.[dev]'
	touch $@

test: $(VENV)/.dev
	$(PY) -m pytest

demo: $(VENV)/.core
	$(VENV)/bin/tidu demo

bench: $(VENV)/.dev
	$(PY) benchmarks/bench_foundation.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
