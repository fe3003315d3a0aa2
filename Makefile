# The two commands of the README:
#   make lab    set everything up and open JupyterLab on notebooks/ (embedded SQLite)
#   make test   set everything up and run the whole test suite (what CI runs)
# Set-up is idempotent: a local virtualenv in .venv, the package installed in it
# (which builds the JupyterLab extension), and the system packages the tests need.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.mlops-installed
PYTEST_ARGS ?=
LAB_ARGS ?=
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test setup system-deps bench lint clean

lab: setup
	$(BIN)/jupyter lab --notebook-dir=notebooks --ip=127.0.0.1 $(ROOT_FLAG) $(LAB_ARGS)

# The browser tests run in their own pytest process: Playwright's sync API keeps an
# asyncio loop running in the main thread, which the async server tests cannot share.
test: setup system-deps
	$(BIN)/python -m ruff check mlops_jupyter tests benchmarks
ifeq ($(strip $(PYTEST_ARGS)),)
	$(BIN)/python -m pytest --ignore=tests/browser
	$(BIN)/python -m pytest tests/browser
else
	$(BIN)/python -m pytest $(PYTEST_ARGS)
endif

setup: $(STAMP)

$(STAMP): pyproject.toml $(wildcard labextension/package.json labextension/yarn.lock labextension/src/*.ts labextension/src/*/*.ts labextension/src/*/*.tsx labextension/style/*)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	@touch $@

system-deps:
	@bash scripts/ensure-system-deps.sh

bench: setup
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

lint: setup
	$(BIN)/python -m ruff check mlops_jupyter tests benchmarks

clean:
	rm -rf $(VENV) build dist mlops_jupyter/labextension labextension/lib labextension/node_modules
