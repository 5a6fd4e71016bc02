# Two commands do all set-up on a fresh machine (Python >= 3.11 on PATH):
#   make lab    create the environment if needed and open JupyterLab on the lessons
#   make test   create the environment if needed and run every test (CI runs exactly this)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# JupyterLab settings of the collection (no "Jupyter news?" toast, a notebook's kernel starts without asking).
LAB_SETTINGS := jupyter-settings/temporal-notebooks.json
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.d/temporal-notebooks.json
# Its Jupyter server extension (kernel messages reach the page without Nagle's 40 ms wait).
SERVER_SETTINGS := jupyter-settings/temporal-notebooks-server.json
SERVER_CONFIG := $(VENV)/etc/jupyter/jupyter_server_config.d/temporal-notebooks-server.json
# Its IPython kernel extension: a cell run before a lesson's first cell names the cell to run first.
KERNEL_SETTINGS := jupyter-settings/ipython_kernel_config.json
KERNEL_CONFIG := $(VENV)/etc/ipython/ipython_kernel_config.json
# pipefail: a failed pip install must fail make even though its output goes through the progress filter.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
# make lab PORT=8890: JupyterLab on that port (taken: it says so and stops; unset: 8888, or the next free one).
PORT ?=
LAB_FLAGS := --notebook-dir=notebooks
ifneq ($(PORT),)
LAB_FLAGS += --ServerApp.port=$(PORT) --ServerApp.port_retries=0
endif
# Test processes run side by side (pytest-xdist): most of a test's time is spent waiting on a server, a kernel
# or a page. TEST_WORKERS processes take the tests that work; PACED_WORKERS more take only the lessons run at
# a reader's pace, which are mostly pauses (see tests/conftest.py). `make test TEST_WORKERS=0` runs
# everything in one process.
TEST_WORKERS ?= 3
PACED_WORKERS ?= 2
ifeq ($(TEST_WORKERS),0)
PYTEST_PROCESSES := -n 0
else
PYTEST_PROCESSES := -n $(shell echo $$(( $(TEST_WORKERS) + $(PACED_WORKERS) ))) --paced-workers $(PACED_WORKERS)
endif
# Root (containers, CI) must say so; with no screen there is no browser to open: print the URL.
ifeq ($(shell id -u),0)
LAB_FLAGS += --allow-root
endif
ifeq ($(DISPLAY)$(WAYLAND_DISPLAY)$(shell uname -s | grep -c Darwin),0)
LAB_FLAGS += --no-browser
endif

.PHONY: lab test browser hub lint strip clean

# The first run downloads about 150 packages (about a minute): say so, and count them as they come.
$(STAMP): pyproject.toml
	@echo "Setting up the Python environment in $(VENV) (first run only, about a minute):"
	@echo "  JupyterLab, the Temporal SDK, the Temporal CLI and the test tools."
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --disable-pip-version-check --progress-bar off -e '.[test]' \
		| awk '/^(Collecting|Requirement already satisfied)/ { n++; printf "\r  %3d packages found, last: %-40.40s", n, ($$1 == "Collecting" ? $$2 : $$4); fflush() } \
			/^Installing collected packages/ { printf "\n  installing them...\n"; fflush() } \
			/^Successfully installed/ { print "  done." }'
	@touch $(STAMP)

$(LAB_OVERRIDES): $(LAB_SETTINGS) $(STAMP)
	@install -D -m 644 $(LAB_SETTINGS) $(LAB_OVERRIDES)

$(SERVER_CONFIG): $(SERVER_SETTINGS) $(STAMP)
	@install -D -m 644 $(SERVER_SETTINGS) $(SERVER_CONFIG)

$(KERNEL_CONFIG): $(KERNEL_SETTINGS) $(STAMP)
	@install -D -m 644 $(KERNEL_SETTINGS) $(KERNEL_CONFIG)

lab: $(STAMP) $(LAB_OVERRIDES) $(SERVER_CONFIG) $(KERNEL_CONFIG)
	$(BIN)/jupyter lab $(LAB_FLAGS)

# Browser tests need Chromium. As root (CI, containers) it comes from Debian's package;
# elsewhere the browser tests say how to get it and skip (in CI they fail instead).
browser:
	@if ! command -v chromium >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

# The JupyterHub test (tests/hub/) needs configurable-http-proxy from npm, hence Node and npm. As root they
# come from Debian and npm; elsewhere the hub test says what is missing and skips (in CI it fails instead).
hub:
	@if [ "$$(id -u)" = 0 ] && ! command -v configurable-http-proxy >/dev/null 2>&1; then \
		if ! command -v npm >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
		fi; \
		npm install --global --silent --no-fund --no-audit configurable-http-proxy >/dev/null; \
	fi

test: $(STAMP) $(LAB_OVERRIDES) $(SERVER_CONFIG) $(KERNEL_CONFIG) browser hub
	$(BIN)/ruff check lib tests benchmarks
	$(BIN)/python -m pytest $(PYTEST_PROCESSES)

lint: $(STAMP)
	$(BIN)/ruff check --fix lib tests benchmarks
	$(BIN)/ruff format lib tests benchmarks

strip: $(STAMP)
	$(BIN)/nbstripout --keep-id notebooks/*.ipynb

clean:
	rm -rf $(VENV) .pytest_cache
