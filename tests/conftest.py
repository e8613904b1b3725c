"""Shared fixtures: the committed cohort, and editable copies of it for bad-input tests."""

from __future__ import annotations

import hashlib
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from helpers.study.cohort import load_cohort

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
COHORT_CSV = ROOT / "data" / "synthetic" / "cohort.csv"


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def cohort_path() -> Path:
    return COHORT_CSV


@pytest.fixture(scope="session")
def cohort():
    return load_cohort(COHORT_CSV)


@pytest.fixture
def raw_cohort() -> pd.DataFrame:
    """The committed cohort as text columns, ready to be broken by a test."""
    return pd.read_csv(COHORT_CSV, dtype=str, keep_default_na=False)


@pytest.fixture
def write_csv(tmp_path):
    def _write(frame: pd.DataFrame, name: str = "cohort.csv") -> Path:
        path = tmp_path / name
        frame.to_csv(path, index=False)
        return path

    return _write
