"""The software behind a build of the book: the packages the project declares, where each is used, their versions.

Read, not computed: the declared packages come from ``pyproject.toml`` (the
run-time dependencies and the ``book`` extra), the pins from
the lock file of the running Python (``requirements/pyX.Y.lock``), the installed versions from ``importlib.metadata``, and
where a package is used from the import statements of the package, the
notebooks and the tests. :func:`package_layout` lists the layers of
``helpers`` from the modules' own docstrings.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pandas as pd

from ..paths import PROJECT_ROOT

LOCK_FILE = PROJECT_ROOT / "requirements" / f"py{sys.version_info.major}.{sys.version_info.minor}.lock"
LOCK_COLUMN = "Pinned"
PYPROJECT = PROJECT_ROOT / "pyproject.toml"
# distribution name -> the name it is imported by, where the two differ
IMPORT_NAMES = {
    "pyyaml": "yaml",
    "jupyter-book": "jupyter_book",
    "sphinx-mathjax-offline": "sphinx_mathjax_offline",
    "dask": "distributed",  # declared as dask[distributed]; the simulation engine imports distributed
}
# packages the book build uses without an import in the project's code
BUILD_TOOLS = {
    "jupyter-book": "the book build (`jupyter-book build`)",
    "jupytext": "the book build (reads the notebooks' .py files) and `jupytext --sync`",
    "ipykernel": "the book build (runs the notebooks)",
    "sphinx-mathjax-offline": "the book build (serves MathJax from the book itself)",
    "sphinxcontrib-bibtex": "the book build (citations and the References page, from book/references.bib)",
}
PLACES = {"package": PROJECT_ROOT / "src" / "helpers", "notebooks": PROJECT_ROOT / "notebooks"}
PLACES["tests"] = PROJECT_ROOT / "tests"
LAYERS = (
    ("paths, printed, stats", ("paths", "printed", "stats")),
    ("study", ("study",)),
    ("paper, synthetic", ("paper", "synthetic")),
    ("report", ("report",)),
    ("manuscript, command line", ("manuscript", "__main__")),
)


def normalise(name: str) -> str:
    """A distribution name as pip compares them: 'Jupyter_Book' -> 'jupyter-book'."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(spec: str) -> str:
    return normalise(re.split(r"[<>=!~\[; ]", spec.strip(), maxsplit=1)[0])


def declared_packages(extras: tuple[str, ...] = ("book",)) -> list[str]:
    """The packages pyproject.toml declares: run-time dependencies, then those of ``extras``."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    names = [_requirement_name(s) for s in project["dependencies"]]
    for extra in extras:
        names += [_requirement_name(s) for s in project.get("optional-dependencies", {}).get(extra, [])]
    return list(dict.fromkeys(names))


def requires_python() -> str:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["requires-python"]


def pinned() -> dict[str, str]:
    """The exact versions of the running Python's lock file, by normalised name."""
    lines = [line.split("==", 1) for line in LOCK_FILE.read_text(encoding="utf-8").splitlines() if "==" in line]
    return {normalise(name): version.strip() for name, version in lines}


def locked_pythons() -> list[str]:
    """The Python versions with a lock file, oldest first: ['3.11', '3.12', '3.13']."""
    versions = [path.stem.removeprefix("py") for path in LOCK_FILE.parent.glob("py*.lock")]
    return sorted(versions, key=lambda v: tuple(int(x) for x in v.split(".")))


def imported_modules(folder: Path) -> set[str]:
    """Top-level names imported by the .py files under ``folder``."""
    names: set[str] = set()
    for path in folder.rglob("*.py"):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    return names


def used_by(packages: list[str] | None = None) -> dict[str, str]:
    """Where each declared package is used: 'package, notebooks', a build step, or '' if nowhere."""
    packages = declared_packages() if packages is None else packages
    imports = {place: imported_modules(folder) for place, folder in PLACES.items()}
    out = {}
    for name in packages:
        module = IMPORT_NAMES.get(name, name.replace("-", "_"))
        places = [place for place, found in imports.items() if module in found]
        out[name] = ", ".join(places) or BUILD_TOOLS.get(name, "")
    return out


def package_versions() -> pd.DataFrame:
    """Python and every declared package: installed version, pinned version and where the project uses it."""
    import platform

    pins, places = pinned(), used_by()
    rows = [("Python", platform.python_version(), f"pyproject.toml: {requires_python()}", "everything")]
    for name in declared_packages():
        rows.append((name, metadata.version(name), pins.get(name, "not pinned"), places[name]))
    return pd.DataFrame(rows, columns=["Package", "Installed", LOCK_COLUMN, "Used by"]).set_index("Package")


def r_versions() -> pd.DataFrame:
    """R's version and those of the packages the cross-checks use ('not installed' where missing)."""
    rows: list[tuple[str, str]]
    if shutil.which("Rscript") is None:
        rows = [("R", "not installed")]
    else:
        script = (
            'cat("R", paste(R.version$major, R.version$minor, sep = "."), "\\n"); '
            'for (p in c("survival", "MatchIt")) cat(p, tryCatch(as.character(packageVersion(p)), '
            'error = function(e) "not installed"), "\\n")'
        )
        try:
            out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, timeout=60, check=True)
            rows = [tuple(line.strip().split(" ", 1)) for line in out.stdout.strip().splitlines()]
        except (subprocess.SubprocessError, OSError):
            rows = [("R", "not installed (Rscript failed)")]
    return pd.DataFrame(rows, columns=["Component", "Version"]).set_index("Component")


def package_layout() -> pd.DataFrame:
    """The layers of ``helpers``, lowest first: each module and the first line of its docstring."""
    rows = []
    for layer, names in LAYERS:
        for name in names:
            module = importlib.import_module(f"helpers.{name}")
            rows.append((layer, f"helpers.{name}", _first_line(module)))
            if hasattr(module, "__path__"):
                for info in pkgutil.iter_modules(module.__path__):
                    sub = importlib.import_module(f"helpers.{name}.{info.name}")
                    rows.append((layer, f"helpers.{name}.{info.name}", _first_line(sub)))
    return pd.DataFrame(rows, columns=["Layer", "Module", "What it holds"]).set_index(["Layer", "Module"])


def _first_line(module) -> str:
    return (module.__doc__ or "").strip().splitlines()[0] if module.__doc__ else ""
