# The two commands a newcomer needs: `make book` and `make test`.
# Both create .venv (Python 3.11) and install the locked dependencies on first use.

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
COHORT := data/synthetic/cohort.csv
JB     := $(VENV)/bin/jupyter-book

.PHONY: help install data calibrate results book execute pdf test test-quick lint format sync bench clean lock

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

install: $(STAMP)

# The kernel settings (figures as SVG and PDF besides PNG) go where the environment's
# IPython kernels read them: .venv/etc/ipython/ipython_kernel_config.py.
$(STAMP): requirements.lock pyproject.toml book/ipython_kernel_config.py
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	@mkdir -p $(VENV)/etc/ipython && cp book/ipython_kernel_config.py $(VENV)/etc/ipython/
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

BOOK_CONFIG := _build/config.yml
NB_CACHE    := _build/.jupyter_cache

# Notebooks are executed first, in parallel, into the same jupyter-cache the book
# build reads (Jupyter Book would run them one by one); a notebook that raises is
# re-run by the build, which then fails on it.
execute: $(STAMP) $(COHORT) $(RESULTS)
	$(PY) scripts/book_config.py $(BOOK_CONFIG)
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

lock: $(STAMP)
	@{ echo "# Exact pins of every package in the project's virtual environment (Python 3.11)."; \
	   echo "# Regenerate with 'make lock' after changing dependencies in pyproject.toml."; \
	   $(PY) -m pip freeze --all --exclude-editable | grep -viE '^pip=='; } > requirements.lock

clean:
	rm -rf _build
