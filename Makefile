# Two commands (see README.md):
#   make workbook   set up .venv if needed, then run every lesson and the workbook on the bundled data
#   make test       set up .venv if needed, then run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.custlib-installed
DATA   ?= data/synthetic
OUT    ?= build/workbook

.PHONY: setup hooks workbook test test-compat benchmark clean

setup: $(STAMP)

# The venv is rebuilt when the dependency lists change. Exact versions come from
# requirements/lock.txt so the synthetic data and the lessons' numbers do not move
# with a library release.
$(STAMP): pyproject.toml requirements/lock.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "custlib needs Python 3.11 or newer; found " + sys.version.split()[0] + " (set PYTHON=python3.11)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements/lock.txt -e '.[dev]'
	@$(MAKE) --no-print-directory hooks
	@touch $@

# Strip notebook outputs on every commit (git filter, this clone only): lessons are
# committed without outputs, see notebooks/CONTRIBUTING.md.
hooks:
	@if [ -d .git ]; then $(BIN)/nbstripout --install && \
	  git config filter.nbstripout.clean "'$(abspath $(BIN))/python' -m nbstripout --keep-id" && \
	  echo "nbstripout: notebook outputs are stripped on commit (cell ids kept)"; fi

workbook: $(STAMP)
	$(BIN)/custlib run --data $(DATA) --out $(OUT) --force

# Test files are spread over the cores (pytest-xdist, at most 4 workers); the tests of
# one file, and the cells of one lesson, run in order in one worker.
TEST_WORKERS := -n auto --maxprocesses=4 --dist loadfile

test: $(STAMP)
	$(BIN)/python -m pytest -q $(TEST_WORKERS)

# The oldest pandas we support (pyproject says >=2.2), in its own environment.
COMPAT := .venv-pandas22
test-compat:
	@test -x $(COMPAT)/bin/python || $(PYTHON) -m venv $(COMPAT)
	sed 's/^pandas==.*/pandas==2.2.3/' requirements/lock.txt > $(COMPAT)/lock.txt
	$(COMPAT)/bin/python -m pip install --quiet --disable-pip-version-check -c $(COMPAT)/lock.txt -e '.[dev]'
	$(COMPAT)/bin/python -m pytest -q $(TEST_WORKERS)

benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_generate.py

clean:
	rm -rf build $(COMPAT)
