# Two commands do all set-up on a fresh machine (Python >= 3.11 on PATH):
#   make lab    create the environment if needed and open JupyterLab on the lessons
#   make test   create the environment if needed and run every test (CI runs exactly this)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LAB_FLAGS := --notebook-dir=notebooks
# Root (containers, CI) must say so; with no screen there is no browser to open: print the URL.
ifeq ($(shell id -u),0)
LAB_FLAGS += --allow-root
endif
ifeq ($(DISPLAY)$(WAYLAND_DISPLAY)$(shell uname -s | grep -c Darwin),0)
LAB_FLAGS += --no-browser
endif

.PHONY: lab test browser lint strip clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab $(LAB_FLAGS)

# Browser tests need Chromium. As root (CI, containers) it comes from Debian's package;
# elsewhere the browser tests say how to get it and skip (in CI they fail instead).
browser:
	@if ! command -v chromium >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

test: $(STAMP) browser
	$(BIN)/ruff check lib tests benchmarks
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check --fix lib tests benchmarks
	$(BIN)/ruff format lib tests benchmarks

strip: $(STAMP)
	$(BIN)/nbstripout notebooks/*.ipynb

clean:
	rm -rf $(VENV) .pytest_cache
