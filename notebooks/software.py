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

# %% [markdown]
# (software)=
# # Software versions
#
# The numbers in this book depend on the software that computed them. This appendix records,
# at the time the book was built, the versions of Python, of the packages that do the work,
# and of R, which the test suite uses as an independent check.

# %% tags=["remove-cell"]
import platform
import re
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pandas as pd
from myst_nb import glue

from helpers.published import PROJECT_ROOT
from helpers.tables import styled

LOCK_FILE = PROJECT_ROOT / "requirements" / f"py{sys.version_info.major}.{sys.version_info.minor}.lock"
requires_python = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["requires-python"]

# %% [markdown]
# ## Python and its packages
#
# The cell reads each package's installed version with `importlib.metadata`, and the version
# pinned for it in `requirements.lock`, the file from which `make` installs the environment.


# %%
def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


lines = [line.split("==", 1) for line in Path(LOCK_FILE).read_text().splitlines() if "==" in line]
pins = {normalise(name): version.strip() for name, version in lines}
packages = ["numpy", "pandas", "scipy", "statsmodels", "lifelines", "matplotlib", "pandera"]
packages += ["jupyter-book", "myst-nb", "jupytext", "esclc-2l-ici-reproduction"]
versions = pd.DataFrame(
    [(p, metadata.version(p), pins.get(normalise(p), "not pinned (this project)")) for p in packages],
    columns=["package", "installed", "requirements.lock"],
)

# %% tags=["remove-cell"]
python = pd.DataFrame(
    [("Python", platform.python_version(), f"pyproject.toml: {requires_python}")], columns=versions.columns
)
table = pd.concat([python, versions], ignore_index=True).set_index("package")
glue("software_tbl_versions", styled(table), display=False)
pinned = versions[versions["requirements.lock"] != "not pinned (this project)"]
glue("software_n_pinned", len(pinned), display=False)
glue("software_n_agree", int((pinned["installed"] == pinned["requirements.lock"]).sum()), display=False)
glue("software_n_lock", len(pins), display=False)
glue("software_python", platform.python_version(), display=False)

# %% [markdown]
# ```{glue:figure} software_tbl_versions
# :name: tbl-software-versions
#
# Versions of Python and of the key packages used to build this copy of the book, beside the
# versions pinned in `requirements.lock`. The last row is the project's own package, which
# holds `helpers`.
# ```
#
# The book was built with Python {glue:text}`software_python`. Of the
# {glue:text}`software_n_pinned` pinned packages in the table, {glue:text}`software_n_agree`
# match their pin. `requirements.lock` pins the exact version of all
# {glue:text}`software_n_lock` packages in the environment, including those not listed here;
# `make lock` regenerates it after a change to the dependencies in `pyproject.toml`.
#
# ## Platform

# %% tags=["remove-cell"]
glue("software_platform", platform.platform(), display=False)
glue("software_machine", platform.machine(), display=False)
glue("software_implementation", platform.python_implementation(), display=False)

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


# %%
def r_versions() -> list[tuple[str, str]]:
    """R's version and those of the packages the cross-checks use; 'not installed' if missing."""
    if shutil.which("Rscript") is None:
        return [("R", "not installed")]
    script = (
        'cat("R", paste(R.version$major, R.version$minor, sep = "."), "\\n"); '
        'for (p in c("survival", "MatchIt")) cat(p, tryCatch(as.character(packageVersion(p)), '
        'error = function(e) "not installed"), "\\n")'
    )
    try:
        out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, timeout=60, check=True)
    except (subprocess.SubprocessError, OSError):
        return [("R", "not installed (Rscript failed)")]
    return [tuple(line.split(" ", 1)) for line in out.stdout.strip().splitlines()]


# %% [markdown]
# Running it gives the table below.

# %%
r_table = pd.DataFrame(r_versions(), columns=["component", "version"]).set_index("component")
r_table["version"] = r_table["version"].str.strip()
glue("software_tbl_r", styled(r_table), display=False)

# %% tags=["remove-cell"]
r_available = not r_table["version"].iloc[0].startswith("not installed")
glue("software_r_status", "was available" if r_available else "was not available", display=False)

# %% [markdown]
# ```{glue:figure} software_tbl_r
# :name: tbl-software-r
#
# R and the R packages used by the cross-checks in the test suite, as found when the book was
# built ("not installed" if missing).
# ```
#
# When this copy of the book was built, R {glue:text}`software_r_status`. R is not needed to
# build the book or to run the analyses; it only adds an independent check of the Python code.
