"""What the book's chapters call: the analyses and the audit of one cohort, computed once.

Each chapter is a separate notebook run by its own kernel; without a shared
store every chapter would rerun every analysis. :func:`load_study` keeps the
results on disk, keyed by the cohort file's content, the code and data that
produce them (every module of the package and the published numbers) and the
Python and pandas versions, so a chapter either reads exactly what a fresh run
would compute or computes it afresh and stores it. The store lives in the
build folder (:data:`helpers.paths.CACHE_DIR`) and is never committed.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .paper.fidelity import Audit, audit
from .paths import CACHE_DIR, COHORT_CSV, PUBLISHED_YAML
from .study.cohort import load_cohort
from .study.pipeline import StudyResults, run_all

PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Manuscript:
    """The analyses of one cohort (``results``) and their comparison with the original study (``audit``)."""

    results: StudyResults = field(repr=False)
    audit: Audit = field(repr=False)
    source: str = ""
    key: str = ""


def code_fingerprint() -> str:
    """A hash of everything that shapes the results besides the cohort: the package and the published numbers."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    digest.update(PUBLISHED_YAML.read_bytes())
    digest.update(f"python {sys.version_info[:2]} pandas {pd.__version__}".encode())
    return digest.hexdigest()


def cache_key(path: str | Path) -> str:
    digest = hashlib.sha256(Path(path).read_bytes())
    digest.update(code_fingerprint().encode())
    return digest.hexdigest()[:32]


def compute(path: str | Path) -> Manuscript:
    """Load and validate a cohort file, run every analysis and the audit (no cache)."""
    results = run_all(load_cohort(path))
    return Manuscript(results=results, audit=audit(results), source=str(path), key=cache_key(path))


def load_study(path: str | Path | None = None, *, cache_dir: str | Path | None = CACHE_DIR) -> Manuscript:
    """The analyses and audit of a cohort file (the synthetic one by default), from the store if present.

    ``cache_dir=None`` turns the store off. A store that cannot be read or
    written (a read-only checkout) only costs the time of a fresh run.
    """
    path = Path(path or COHORT_CSV)
    if cache_dir is None:
        return compute(path)
    key = cache_key(path)
    stored = Path(cache_dir) / f"{key}.pickle"
    try:
        with open(stored, "rb") as fh:
            book = pickle.load(fh)
        if isinstance(book, Manuscript) and book.key == key:
            return book
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    book = compute(path)
    try:
        stored.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=stored.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(book, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, stored)  # atomic: chapters running in parallel never read half a file
    except OSError:
        pass
    return book
