# gdb-cpywalker: `make test` and `make demo` prepare everything they need.
SHELL := /bin/bash
PYTHON3 ?= python3
VENV := .venv
BUILD := build
STRIPPED := $(BUILD)/python27-stripped
PYTHON27 ?= $(shell tools/find-python27.sh)
export PYTHON27
# gdb embeds the system Python: a PYTHONHOME/PYTHONPATH meant for another one breaks it.
unexport PYTHONHOME PYTHONPATH

.PHONY: test unit e2e bench demo prepare check-tools chromium clean

test: prepare
	$(VENV)/bin/python -m pytest -q tests

unit: $(VENV)/.done
	$(VENV)/bin/python -m pytest -q tests/unit

e2e: prepare
	$(VENV)/bin/python -m pytest -q tests/e2e

bench: prepare
	$(VENV)/bin/python bench/run.py $(BENCH)

demo: prepare
	$(VENV)/bin/python tools/demo.py

prepare: check-tools chromium $(VENV)/.done $(STRIPPED)/.done $(BUILD)/greenlets.done

# The mmaptracker report test renders its SVG flame graph in a real browser.
chromium:
	@command -v chromium >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

check-tools:
	@command -v gdb >/dev/null || { echo "gdb not found: apt-get install gdb" >&2; exit 1; }
	@command -v gcore >/dev/null || { echo "gcore not found: apt-get install gdb" >&2; exit 1; }
	@command -v gcc >/dev/null || { echo "gcc not found: apt-get install gcc" >&2; exit 1; }
	@test -n "$(PYTHON27)" || { echo "python2.7 not found (set PYTHON27=...)" >&2; exit 1; }

$(VENV)/.done: requirements-dev.txt
	$(PYTHON3) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q -r requirements-dev.txt
	touch $@

$(STRIPPED)/.done: tools/build-stripped-python.sh
	tools/build-stripped-python.sh $(PYTHON27) $(STRIPPED)
	touch $@

$(BUILD)/greenlets.done: tools/install-greenlets.sh
	tools/install-greenlets.sh $(PYTHON27) $(BUILD)
	touch $@

clean:
	rm -rf $(BUILD) $(VENV)
