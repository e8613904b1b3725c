"""The fidelity audit: every published number beside the reproduced one.

:func:`fidelity_table` walks the project's copy of the published results and,
for every number the original study reports about its own patients, reads the
value our analysis gives from the registry (:mod:`.registry`), rounds it as the
paper prints it, and judges it against the tolerance of its class. Compare
only: nothing is computed here except rounding and differences.

Tolerance classes
-----------------
``exact``
    Counts, percentages and p-values of the pre-PSM Tables 1–3 and section
    3.2 (treatment), cohort sizes and the study's method settings: equal at the
    printed digits.
``main``
    Before-PSM efficacy: medians ±0.15, median CI bounds ±0.30, landmark rates
    ±3 points, HRs ±0.05, HR CI bounds ±0.08, p on the same side of 0.05 and,
    above 0.01, within 0.02.
``secondary``
    After PSM, strata (Figure 3) and subgroups (Figure 2): medians ±0.30, CI
    bounds ±0.50, rates ±5 points, HRs ±0.10, CI bounds ±0.15, counts ±8,
    percentages ±4 points, p on the same side of 0.05.
``cox``
    Tables 4–5: HRs ±0.15, CI bounds ±0.25, p on the same side of 0.05.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..printed import format_p, parse_printed, round_half_up
from ..study.design import ALPHA
from ..study.pipeline import StudyResults
from .published import published_keys
from .registry import Quantity, registry, rounded

TOLERANCES = {
    "main": {"median": 0.15, "ci": 0.30, "rate": 3.0, "hr": 0.05, "hr_ci": 0.08, "p": 0.02, "count": 0, "pct": 0},
    "secondary": {
        "median": 0.30,
        "ci": 0.50,
        "rate": 5.0,
        "hr": 0.10,
        "hr_ci": 0.15,
        "p": None,
        "count": 8,
        "pct": 4.0,
    },
    "cox": {"hr": 0.15, "hr_ci": 0.25, "p": None},
}
# --- judging -------------------------------------------------------------------------


def judge(q: Quantity, published_value, value) -> dict:
    """One audit row: the reproduced value rounded as printed, the difference, the tolerance and the status."""
    row = {"key": q.key, "published": published_value, "class": q.klass, "note": q.note}
    if q.kind == "p":
        p = float(value)
        row["reproduced"] = format_p(p) if not math.isnan(p) else "NaN"
        printed = parse_printed(published_value)
        row["abs_diff"] = np.nan if printed.is_bound else round(abs(round_half_up(p, 3) - printed.value), 4)
        exact = printed.agrees(p, 3)
        if q.klass == "exact":
            row.update(tolerance="exact", status="exact" if exact else "outside")
        else:
            within = (p < ALPHA) == printed.below(ALPHA)
            tol = TOLERANCES[q.klass].get("p")
            with_tol = tol is not None and not printed.is_bound and printed.value > 0.01
            if with_tol:
                within = within and abs(p - printed.value) <= tol + 1e-9
            row.update(
                tolerance="same side of 0.05" + (f", ±{tol}" if with_tol else ""),
                status="exact" if exact else "within" if within else "outside",
            )
        return _finish(row, q)
    if q.kind == "flag":
        row.update(reproduced=bool(value), abs_diff=np.nan, tolerance="same side of 0.05")
        row["status"] = "exact" if bool(value) == bool(published_value) else "outside"
        return _finish(row, q)
    value = rounded(value, q.decimals)
    row["reproduced"] = value
    if isinstance(value, float) and math.isnan(value):
        row.update(abs_diff=np.nan, tolerance="", status="outside", note=(q.note + " not estimable").strip())
        return _finish(row, q)
    diff = abs(float(value) - float(published_value))
    row["abs_diff"] = round(diff, 4)
    if q.klass == "exact":
        row.update(tolerance="exact", status="exact" if diff < 1e-9 else "outside")
        return _finish(row, q)
    tol = TOLERANCES[q.klass][q.kind]
    row["tolerance"] = f"±{tol:g}"
    row["status"] = "exact" if diff < 1e-9 else "within" if diff <= tol + 1e-9 else "outside"
    return _finish(row, q)


def _finish(row: dict, q: Quantity) -> dict:
    if q.unattainable and row["status"] != "exact":
        row["status"] = "unattainable"
        row["note"] = q.unattainable
    return row


def unregistered_keys() -> list[str]:
    """Published numbers the registry does not cover (the audit would skip them): should be none."""
    known = registry()
    return [key for key in published_keys() if key not in known]


@dataclass(frozen=True)
class Audit:
    """The fidelity audit of one set of results: the table and its headline numbers."""

    table: pd.DataFrame = field(repr=False)
    headline: dict

    def summary(self) -> pd.DataFrame:
        return summary(self.table)

    def to_frame(self) -> pd.DataFrame:
        return self.table


def audit(results: StudyResults) -> Audit:
    """Compare every published number with ``results``."""
    table = fidelity_table(results)
    return Audit(table=table, headline=fidelity_headline(table))


def fidelity_headline(table: pd.DataFrame) -> dict:
    """Rows audited, the share exact or within tolerance, and the counts outside and unattainable."""
    ok = table["status"].isin(["exact", "within"])
    exact_class = table[table["class"] == "exact"]
    return {
        "rows": len(table),
        "share_exact_or_within": float(ok.mean()),
        "exact_class_all_exact": bool((exact_class["status"] == "exact").all()),
        "outside": int((table["status"] == "outside").sum()),
        "unattainable": int((table["status"] == "unattainable").sum()),
    }


def fidelity_table(results: StudyResults) -> pd.DataFrame:
    """The audit: one row per published number (see the module docstring for the classes)."""
    known = registry()
    rows = []
    for key, value in published_keys().items():
        q = known.get(key)
        if q is None:
            continue
        rows.append(judge(q, value, q.reproduce(results)))
    frame = pd.DataFrame(rows)
    frame["section"] = frame["key"].map(section_of)
    return frame[["section", "key", "published", "reproduced", "abs_diff", "tolerance", "status", "class", "note"]]


SECTIONS: dict[str, Callable[[str], bool]] = {
    "Cohort and treatment": lambda k: k.startswith(("cohort.", "treatment.", "discussion_statements.icis")),
    "Table 1 before PSM": lambda k: k.startswith("table1.") and "before_psm" in k,
    "Table 1 after PSM": lambda k: k.startswith("table1.") and "after_psm" in k,
    "Efficacy before PSM": lambda k: k.startswith(
        ("efficacy.before_psm", "efficacy.whole_population", "abstract_key_results.median_pfs_before")
    ),
    "Efficacy after PSM": lambda k: k.startswith(
        ("efficacy.after_psm", "abstract_key_results.median_pfs_after", "discussion_statements.absolute")
    ),
    "Response (Table 2)": lambda k: k.startswith(
        ("table2_response", "abstract_key_results.orr", "abstract_key_results.dcr")
    ),
    "Safety (Table 3)": lambda k: k.startswith(("table3_safety", "abstract_key_results.g3")),
    "Cox (Tables 4-5)": lambda k: k.startswith(("table4", "table5")),
    "Subgroups (Figure 2)": lambda k: k.startswith("subgroups"),
    "Strata (Figure 3)": lambda k: k.startswith(("liver_mets", "first_line_pfs", "discussion_statements.liver")),
    "Abstract": lambda k: k.startswith("abstract_key_results."),
}


def section_of(key: str) -> str:
    for name, test in SECTIONS.items():
        if test(key):
            return name
    return "Other"


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Counts of each status per section, with the share exact or within."""
    counts = table.pivot_table(index="section", columns="status", values="key", aggfunc="count", fill_value=0)
    for status in ("exact", "within", "outside", "unattainable"):
        if status not in counts:
            counts[status] = 0
    counts = counts[["exact", "within", "outside", "unattainable"]]
    counts["total"] = counts.sum(axis=1)
    counts["share_ok"] = (counts["exact"] + counts["within"]) / counts["total"]
    return counts.reset_index()


def section_view(table: pd.DataFrame, sections) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For a chapter: the status counts of its sections and its rows that miss.

    Returns ``(counts, misses)``: counts by status per section (as
    :func:`summary`) and the rows neither exact nor within tolerance.
    """
    sections = [sections] if isinstance(sections, str) else list(sections)
    rows = table[table["section"].isin(sections)]
    misses = rows[~rows["status"].isin(["exact", "within"])]
    cols = ["key", "published", "reproduced", "abs_diff", "tolerance", "status", "note"]
    return summary(rows), misses[cols].reset_index(drop=True)
