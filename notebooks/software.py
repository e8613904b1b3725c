# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["remove-cell"]
# To re-run this notebook: get a copy of the project, run `make install` in its folder (it
# creates `.venv` with the locked packages), then open this notebook with
# `.venv/bin/jupyter lab notebooks/software.ipynb`.

# %% [markdown]
# (software)=
# # Software
#
# The numbers in this book depend on the software that computed them. This appendix describes
# the project's own package, `helpers`, layer by layer, and records, at the time the book was
# built, the versions of Python, of every package the project declares, and of R, which the test
# suite uses as an independent check.

# %% tags=["remove-cell"]
import platform

from myst_nb import glue

from helpers.report import software
from helpers.report.chapter import glue_all
from helpers.report.tables import styled

# %% [markdown]
# ## The package behind the book
#
# Every number, table and figure comes from the package `helpers` (in `src/helpers`); the
# notebooks only call it and tell the story. The package is built in layers, and each layer may
# import only from the layers below it, a rule that the linter `import-linter` checks on every
# test run (the contracts are in `pyproject.toml`):
#
# - **paths, printed, stats**: where the files are; numbers as the paper prints them (rounding,
#   p-values such as "<0.001", and the one reader of printed values); and general survival
#   statistics (Kaplan–Meier, log-rank, Cox models, contingency tests, matching) that know
#   nothing of this study;
# - **study**: this study, its data contract, its design (every setting and label in
#   `helpers.study.design`) and its analyses, run together by `helpers.study.pipeline.run_all`;
# - **paper** and **synthetic**: the original study's printed numbers, the registry that names
#   each of them, the fidelity audit, the paper's consistency and which conventions reproduce it;
#   and the calibrated synthetic cohort;
# - **report**: display tables, figures, files and the helpers the chapters share;
# - **manuscript** and the command line: the analyses and audit of a cohort, computed once for
#   all chapters, and `python -m helpers`.
#
# {ref}`The layout table <tbl-software-layout>` lists every module with the first line of its
# own description.
#
# (code-tbl-software-layout)=

# %% tags=["hide-input"]
glue("software_tbl_layout", styled(software.package_layout()), display=False)

# %% [markdown]
# ```{glue:figure} software_tbl_layout
# :name: tbl-software-layout
#
# The layers of `helpers`, lowest first, and what each module holds, from its docstring.
# ({ref}`code <code-tbl-software-layout>`)
# ```
#
# ## Python and its packages
#
# The table lists Python and every package `pyproject.toml` declares (the run-time
# dependencies and the `book` extra), with the version installed, the version pinned in the lock
# file of the Python that built the book (`requirements/pyX.Y.lock`, the file from which `make`
# installs the environment) and where the project uses it.
#
# (code-tbl-software-versions)=

# %% tags=["hide-input"]
versions = software.package_versions()
glue("software_tbl_versions", styled(versions), display=False)

# %% tags=["remove-cell"]
packages = versions.drop(index="Python")
glue_all(
    {
        "python": versions.loc["Python", "Installed"],
        "n_declared": len(packages),
        "n_agree": int((packages["Installed"] == packages[software.LOCK_COLUMN]).sum()),
        "n_lock": len(software.pinned()),
        "lock_versions": ", ".join(software.locked_pythons()),
    },
    "software_",
)

# %% [markdown]
# ```{glue:figure} software_tbl_versions
# :name: tbl-software-versions
#
# Python and the packages the project declares: the version used to build this copy of the
# book, the pinned version, and the parts of the project that import it (or the build step
# that uses it). ({ref}`code <code-tbl-software-versions>`)
# ```
#
# The book was built with Python {glue:text}`software_python`. Of the
# {glue:text}`software_n_declared` declared packages, {glue:text}`software_n_agree` match their
# pin. There is one lock file per supported Python ({glue:text}`software_lock_versions`), with the same versions
# wherever a package supports all three; this one pins the exact version of all
# {glue:text}`software_n_lock` packages in the environment, including those the declared ones
# pull in. `make lock` regenerates every lock after a change to the dependencies in
# `pyproject.toml`.
#
# A few of these packages deserve a word. The survival statistics of the book are the project's
# own code, written to follow the conventions of SPSS, the software of the original study;
# **lifelines**, the survival library most Python users meet first, appears in the
# {ref}`methods primer <primer>` and in the tests as an independent check, and the primer says
# where and why the two differ. **seaborn** draws the follow-up figure of the
# {ref}`methods chapter <methods>`. **itables** makes the long listings of the
# {ref}`fidelity chapter <fidelity>` searchable and sortable, with its JavaScript inlined in the
# page so that the book works offline.
#
# ## Platform

# %% tags=["remove-cell"]
glue_all(
    {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "implementation": platform.python_implementation(),
    },
    "software_",
)

# %% [markdown]
# The book was built on {glue:text}`software_platform` ({glue:text}`software_machine`), with
# the {glue:text}`software_implementation` interpreter. Every random step of the project (the
# synthetic cohort, Monte Carlo p-values) uses a fixed seed, so another platform should give
# the same numbers up to the last digits of floating-point arithmetic.
#
# ## R, for the cross-checks
#
# The test suite (`make test`) compares the Kaplan–Meier, log-rank, Cox and matching results
# with R's `survival` and `MatchIt` packages when `Rscript` is available, and skips those tests
# when it is not. The cell asks `Rscript` for its versions.
#
# (code-tbl-software-r)=

# %% tags=["hide-input"]
r_table = software.r_versions()
glue("software_tbl_r", styled(r_table), display=False)

# %% tags=["remove-cell"]
r_available = not r_table["Version"].iloc[0].startswith("not installed")
glue_all({"r_status": "was available" if r_available else "was not available"}, "software_")

# %% [markdown]
# ```{glue:figure} software_tbl_r
# :name: tbl-software-r
#
# R and the R packages used by the cross-checks in the test suite, as found when the book was
# built ("not installed" if missing). ({ref}`code <code-tbl-software-r>`)
# ```
#
# When this copy of the book was built, R {glue:text}`software_r_status`. R is not needed to
# build the book or to run the analyses; it only adds an independent check of the Python code.
