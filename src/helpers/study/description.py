"""Sections 3.1 and 3.2 of the original study: the cohort as a whole and the treatment given.

Compute only: counts, shares, medians and ranges, unrounded. The paper states
these in prose rather than in a table; here they are tables of their own
(``cohort_description`` and ``treatment_details`` in ``results/``), which the
registry of published quantities reads like any other table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import cohort as C
from .design import COHORT_SHARES, ICI_AGENT_LABELS, REGIMEN_LABELS, level_share_label

COLUMNS = ["item", "value", "label", "n", "total", "pct", "median", "min", "max"]


def _summary(item: str, label: str, values: pd.Series) -> dict:
    """Median and range of a numeric column."""
    return {
        "item": item,
        "value": "",
        "label": label,
        "n": np.nan,
        "total": len(values),
        "pct": np.nan,
        "median": float(values.median()),
        "min": float(values.min()),
        "max": float(values.max()),
    }


def _share(item: str, value, label: str, flags: pd.Series) -> dict:
    """How many rows have ``flags`` true, and their share in percent."""
    n, total = int(flags.sum()), len(flags)
    return {
        "item": item,
        "value": value,
        "label": label,
        "n": n,
        "total": total,
        "pct": 100.0 * n / total if total else np.nan,
        "median": np.nan,
        "min": np.nan,
        "max": np.nan,
    }


def cohort_description(data: pd.DataFrame) -> pd.DataFrame:
    """Section 3.1: every patient together, before matching.

    One row per item: ``item, value, label, n, total, pct, median, min, max``.
    The first row is age in years (median and range); then, for each
    characteristic of :data:`.design.COHORT_SHARES`, the number and percentage
    of patients with the level counted (``item`` is the characteristic,
    ``value`` the level).
    """
    data = data if set(C.TABLE1_VARIABLES) <= set(data.columns) else C.derive_categories(data)
    rows = [_summary("age", "Age (years)", data["age"])]
    for var, level in COHORT_SHARES:
        rows.append(_share(var, level, level_share_label(var, level), data[var] == level))
    return pd.DataFrame(rows, columns=COLUMNS)


def treatment_details(data: pd.DataFrame) -> pd.DataFrame:
    """Section 3.2: the 2L treatment of each group.

    One row per group and item: ``group`` and then the columns of
    :func:`cohort_description`. Items are ``regimen`` (one row per regimen of
    the group), ``ici_agent`` (one row per ICI agent, 2L-ICIs only) and
    ``cycles`` (median and range of the number of 2L cycles).
    """
    frames = []
    for group in C.GROUPS:
        sub = data[data["group"] == group]
        regimens = C.ICI_REGIMENS if group == C.GROUP_ICI else C.NON_ICI_REGIMENS
        rows = [_share("regimen", r, REGIMEN_LABELS[r], sub["regimen"] == r) for r in regimens]
        if group == C.GROUP_ICI:
            rows += [_share("ici_agent", a, ICI_AGENT_LABELS[a], sub["ici_agent"] == a) for a in C.ICI_AGENTS]
        rows.append(_summary("cycles", "2L cycles", sub["cycles"]))
        frames.append(pd.DataFrame(rows, columns=COLUMNS).assign(group=group))
    out = pd.concat(frames, ignore_index=True)
    return out[["group", *COLUMNS]]


def accrual_by_year(data: pd.DataFrame) -> pd.DataFrame:
    """Patients by calendar year of the start of 2L treatment: ``year, patients, pct``."""
    years = pd.to_datetime(data["second_line_start"]).dt.year
    counts = years.value_counts().sort_index()
    return pd.DataFrame(
        {"year": counts.index.astype(int), "patients": counts.to_numpy(), "pct": 100.0 * counts.to_numpy() / len(data)}
    )
