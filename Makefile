# The two commands a newcomer needs: `make book` and `make test`.
# Both create .venv (Python 3.11) and install the locked dependencies on first use.

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
COHORT := data/synthetic/cohort.csv
JB     := $(VENV)/bin/jupyter-book

.PHONY: help install data calibrate results book test test-quick lint format sync bench clean lock simulate

help:
	@echo "make book   - install (first run), regenerate stale data, execute notebooks, build _build/html"
	@echo "make test   - install (first run), ruff, then the test suite"
	@echo "make data   - regenerate $(COHORT) from the generator parameters"
	@echo "make results - run every analysis into results/ (CSV, PNG, SVG, results.json)"
	@echo "make bench  - print the benchmark figures"
	@echo "make simulate - the simulation study: truth, calibration check, every scenario (1,000 replicates each) on Dask"

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $(STAMP)

# The cohort is rebuilt only when the generator or its inputs change.
$(COHORT): $(STAMP) $(shell find src/helpers/synthetic src/helpers/study src/helpers/stats src/helpers/paper -name "*.py") data/synthetic/generator_params.json data/published/published_results.yaml
	$(PY) -m helpers generate
	@touch $(COHORT)

data: $(STAMP)
	$(PY) -m helpers generate

# Tables (CSV), figures (PNG, SVG) and results.json, rebuilt when the code or the cohort changes.
RESULTS := results/results.json
$(RESULTS): $(STAMP) $(COHORT) $(shell find src/helpers -name "*.py") data/published/published_results.yaml
	$(PY) -m helpers analyze $(COHORT) --out results --figures --audit

results: $(RESULTS)

calibrate: $(STAMP)
	$(PY) -m helpers calibrate
	$(PY) -m helpers generate

# The simulation study (helpers.simulation): the structural model's truth, its check against the paper,
# every scenario with $(SIM_REPLICATES) replicates on a local Dask cluster, then the performance tables and
# figures, all into results/simulation/ (which the book reads; the book build never runs the experiment).
# A scenario whose folder already holds finished replicates is resumed, not recomputed.
SIM_DIR        := results/simulation
SIM_REPLICATES ?= 1000
SIM_SCENARIOS  := base null strong_confounding small caliper
simulate: $(STAMP)
	$(PY) -m helpers simulate-truth --out $(SIM_DIR)
	$(PY) -m helpers simulate-check --out $(SIM_DIR) --draws 200
	@for s in $(SIM_SCENARIOS); do \
	  $(PY) -m helpers simulate --scenario $$s --replicates $(SIM_REPLICATES) --out $(SIM_DIR)/$$s || exit 1; \
	done
	$(PY) -m helpers simulate-report $(SIM_DIR)

BOOK_CONFIG := _build/config.yml
NB_CACHE    := _build/.jupyter_cache

# Notebooks are executed first, in parallel, into the same jupyter-cache the book
# build reads (Jupyter Book would run them one by one); a notebook that raises is
# re-run by the build, which then fails on it.
book: $(STAMP) $(COHORT) $(RESULTS)
	$(PY) scripts/book_config.py $(BOOK_CONFIG)
	@# the analyses and the audit, computed once into the store every chapter reads (helpers.manuscript)
	$(PY) -c "from helpers.manuscript import load_study; load_study()"
	@yes | JUPYTERCACHE=$(NB_CACHE) $(VENV)/bin/jcache notebook add --reader jupytext notebooks/*.py >/dev/null
	JUPYTERCACHE=$(NB_CACHE) $(VENV)/bin/jcache project execute --executor local-parallel --timeout 600 >/dev/null
	$(JB) build . --builder html -W -n --keep-going --config $(BOOK_CONFIG)
	@echo "Open _build/html/index.html in a browser."

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests notebooks
	$(VENV)/bin/ruff format --check src tests notebooks
	$(VENV)/bin/lint-imports --no-cache

format: $(STAMP)
	$(VENV)/bin/ruff format src tests notebooks
	$(VENV)/bin/ruff check --fix src tests notebooks

# The full suite: lint, a fresh book build (the browser tests read _build/html), then pytest.
test: $(STAMP) lint book
	$(PY) -m pytest -n 2 -q

# Everyday loop: skips the book build and the slow tests (calibration, notebook execution).
test-quick: $(STAMP) lint
	$(PY) -m pytest -n 2 -q -m "not slow and not book"

bench: $(STAMP)
	$(PY) benchmarks/run.py

lock: $(STAMP)
	@{ echo "# Exact pins of every package in the project's virtual environment (Python 3.11)."; \
	   echo "# Regenerate with 'make lock' after changing dependencies in pyproject.toml."; \
	   $(PY) -m pip freeze --all --exclude-editable | grep -viE '^pip=='; } > requirements.lock

clean:
	rm -rf _build
