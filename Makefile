# The two commands a newcomer needs: `make book` and `make test`.
# Both create .venv with a supported Python (3.11, 3.12 or 3.13) and install that version's
# locked dependencies (requirements/py3.X.lock) on first use.
#
# PYTHON: the interpreter .venv is built with: a command, a path, or a version ("3.12").
#         Unset, the newest supported one found (scripts/find_python.sh: python3.13, 3.12,
#         3.11 on PATH, then the versions pyenv has installed, selected or not).
# VENV:   the virtual environment, .venv unless given, e.g.
#         make VENV=.venv-3.12 PYTHON=python3.12 test-quick

ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell sh scripts/find_python.sh)
else
override PYTHON := $(shell sh scripts/find_python.sh --resolve '$(PYTHON)')
endif
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
COHORT := data/synthetic/cohort.csv
JB     := $(VENV)/bin/jupyter-book

# "3.13 3.13.0" when PYTHON runs a supported version, empty otherwise.
PY_INFO    := $(if $(PYTHON),$(shell sh scripts/find_python.sh --check '$(PYTHON)'))
PY_MINOR   := $(word 1,$(PY_INFO))
PY_VERSION := Python $(word 2,$(PY_INFO))
LOCK       := requirements/py$(PY_MINOR).lock

.PHONY: help install python data calibrate results check-results book test test-quick lint format sync bench clean lock execute pdf simulate FORCE

# The PDF book needs XeLaTeX and latexmk (Debian: the TEX_PACKAGES below; .ci/run installs them).
TEX_PACKAGES := texlive-xetex texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended latexmk
HAVE_TEX     := $(shell command -v xelatex >/dev/null 2>&1 && command -v latexmk >/dev/null 2>&1 && echo yes)
PDF          := _build/latex/book.pdf

help:
	@echo "make book   - install (first run), regenerate stale data, execute notebooks, build _build/html"
	@echo "make test   - install (first run), ruff, then the test suite"
	@echo "make data   - regenerate $(COHORT) from the generator parameters"
	@echo "make results - run every analysis into results/ (CSV, PNG, SVG, results.json)"
	@echo "make pdf    - the book as one PDF ($(PDF), XeLaTeX; also offered in the HTML download menu)"
	@echo "make bench  - print the benchmark figures"
	@echo "make simulate - the simulation study: truth, calibration check, every scenario (1,000 replicates each) on Dask"
	@echo "make lock   - regenerate requirements/py3.X.lock for each supported Python found (UPGRADE=1: newest versions)"
	@echo "make check-results - rerun the analyses with this venv's Python and compare with the committed results/"
	@echo "make python - show the Python, venv and lock file in use (PYTHON=... VENV=... choose them)"

install: $(STAMP)

python:
	@echo "PYTHON=$(PYTHON) ($(if $(PY_MINOR),$(PY_VERSION),not a supported Python))"
	@echo "VENV=$(VENV) ($(if $(wildcard $(STAMP)),built with $(shell head -n 1 $(STAMP)),not installed))"
	@echo "LOCK=$(if $(PY_MINOR),$(LOCK),none)"

# The stamp's first line is `python -V` of the interpreter the venv was built with. When
# PYTHON is another version, the stamp is out of date and the venv is rebuilt (not reused).
ifneq ($(shell head -n 1 $(STAMP) 2>/dev/null),$(PY_VERSION))
$(STAMP): FORCE
endif

ifeq ($(PY_MINOR),)
$(STAMP): FORCE
	@sh scripts/find_python.sh --help-missing '$(PYTHON)' >&2; exit 1
else
# The kernel settings (figures as SVG and PDF besides PNG) go where the environment's
# IPython kernels read them: .venv/etc/ipython/ipython_kernel_config.py.
$(STAMP): $(LOCK) pyproject.toml book/ipython_kernel_config.py
	@if [ -e $(VENV) ] && [ "$$($(PY) -V 2>/dev/null)" != "$(PY_VERSION)" ]; then \
	  test -f $(VENV)/pyvenv.cfg || { echo "$(VENV) exists but is not a virtual environment; move it away" >&2; exit 1; }; \
	  echo "$(VENV) runs $$($(PY) -V 2>/dev/null || echo 'no Python'); rebuilding it with $(PY_VERSION) ($(PYTHON))"; \
	  rm -rf $(VENV); \
	fi
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { \
	  echo "$(PYTHON) could not create $(VENV); on Debian or Ubuntu install python$(PY_MINOR)-venv" >&2; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(LOCK)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	@mkdir -p $(VENV)/etc/ipython && cp book/ipython_kernel_config.py $(VENV)/etc/ipython/
	@printf '%s\nbuilt with %s from %s\n' "$(PY_VERSION)" "$(PYTHON)" "$(LOCK)" > $(STAMP)
endif

FORCE:

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

# The committed cohort and results/, regenerated with this venv's Python into _build/check-py3.X
# and compared (.ci/run does this for each Python it has): the numbers must not depend on
# the Python version. Figures may differ only where the locks pin other plotting libraries.
CHECK_DIR := _build/check-py$(PY_MINOR)
check-results: $(STAMP)
	rm -rf $(CHECK_DIR) && mkdir -p $(CHECK_DIR)/cohort
	$(PY) -m helpers generate --out $(CHECK_DIR)/cohort/cohort.csv >/dev/null
	$(PY) scripts/compare_results.py $(COHORT) $(CHECK_DIR)/cohort/cohort.csv
	$(PY) -m helpers analyze $(COHORT) --out $(CHECK_DIR)/results --figures --audit >/dev/null
	$(PY) scripts/compare_results.py results $(CHECK_DIR)/results --locks requirements/py*.lock

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
# jupyter-cache keys an executed notebook on the notebook's own text, and Sphinx rereads only
# the pages whose source changed. A change to the package, the cohort, results/ or the kernel
# settings can change any chapter's output, so it empties both: every notebook runs again and
# every page is reread (never a stale table in the book).
NB_INPUTS := $(NB_CACHE)/.inputs
$(NB_INPUTS): $(STAMP) $(COHORT) $(RESULTS) $(shell find src/helpers results -name "*.py" -o -name "*.csv" -o -name "*.json") book/ipython_kernel_config.py data/published/published_results.yaml
	rm -rf $(NB_CACHE) _build/.doctrees
	@mkdir -p $(NB_CACHE) && touch $@

execute: $(STAMP) $(COHORT) $(RESULTS) $(NB_INPUTS)
	$(PY) scripts/book_config.py $(BOOK_CONFIG)
	@# the analyses and the audit, computed once into the store every chapter reads (helpers.manuscript)
	$(PY) -c "from helpers.manuscript import load_study; load_study()"
	@yes | JUPYTERCACHE=$(NB_CACHE) $(VENV)/bin/jcache notebook add --reader jupytext notebooks/*.py >/dev/null
	JUPYTERCACHE=$(NB_CACHE) $(VENV)/bin/jcache project execute --executor local-parallel --timeout 600 >/dev/null

book: execute
	$(JB) build . --builder html -W -n --keep-going --config $(BOOK_CONFIG)
	@echo "Open _build/html/index.html in a browser."

# The same sources through Jupyter Book's LaTeX builder and XeLaTeX. The PDF is copied into
# _build/html, where the next `make book` offers it in the download menu.
pdf: execute
	@test "$(HAVE_TEX)" = yes || { echo "make pdf needs XeLaTeX and latexmk: apt-get install $(TEX_PACKAGES)"; exit 1; }
	$(JB) build . --builder pdflatex -n --keep-going --config $(BOOK_CONFIG)
	@mkdir -p _build/html && cp $(PDF) _build/html/book.pdf
	@echo "Wrote $(PDF)."

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests notebooks
	$(VENV)/bin/ruff format --check src tests notebooks
	$(VENV)/bin/lint-imports --no-cache

format: $(STAMP)
	$(VENV)/bin/ruff format src tests notebooks
	$(VENV)/bin/ruff check --fix src tests notebooks

# The full suite: lint, a fresh book build (the browser tests read _build/html), then pytest.
# With TeX installed the PDF is built first, so the HTML book links it and the tests check it.
test: $(STAMP) lint $(if $(HAVE_TEX),pdf) book
	$(PY) -m pytest -n 2 -q

# Everyday loop: skips the book build and the slow tests (calibration, notebook execution).
test-quick: $(STAMP) lint
	$(PY) -m pytest -n 2 -q -m "not slow and not book"

bench: $(STAMP)
	$(PY) benchmarks/run.py

# One lock per supported Python, from the top-level requirements in pyproject.toml, for
# every supported version this machine has (scripts/lock.py says which it skipped).
# UPGRADE=1 moves to the newest versions the requirements allow; LOCK_VERSIONS="3.12" limits it.
lock:
	@test -n "$(PY_MINOR)" || { sh scripts/find_python.sh --help-missing '$(PYTHON)' >&2; exit 1; }
	$(PYTHON) scripts/lock.py $(if $(UPGRADE),--upgrade) $(LOCK_VERSIONS)

clean:
	rm -rf _build
