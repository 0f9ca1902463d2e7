# `make test` and `make demo` work on a fresh machine with only Python 3.11, pip, gcc and make.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: test demo bench clean browser

# The lab report's browser test needs Debian's chromium, its driver and CJK fonts (the notes' claims).
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		echo "installing chromium, chromium-driver and fonts-noto-cjk for the report's browser test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null; \
	fi

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip setuptools wheel

$(VENV)/.core: $(VENV)/bin/python pyproject.toml
	$(PY) -m pip install -e .
	touch $@

$(VENV)/.dev: $(VENV)/.core
	$(PY) -m pip install -e '.[dev]'
	touch $@

test: $(VENV)/.dev browser
	$(PY) -m pytest
	# the layer oracle suite again on the NumPy kernel path (tidu.kernels)
	TIDU_KERNELS=numpy $(PY) -m pytest tests/nn

demo: $(VENV)/.core
	$(VENV)/bin/tidu lab --out reports/lab

bench: $(VENV)/.dev
	$(VENV)/bin/tidu bench --out benchmarks/RESULTS.md --scaling resnet8,gru2,mlp2048

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
