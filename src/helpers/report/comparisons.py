"""The chapters' "original study vs this book" tables, one function per table.

Each returns a display frame (text cells) built by
:func:`helpers.report.chapter.compare_with_paper` from the registry of
published quantities, so every row is named, rounded and formatted the way the
paper prints it.
"""

from __future__ import annotations

import pandas as pd

from ..paper.published import GROUP_KEYS
from ..study.design import ENDPOINT_SHORT, ENDPOINTS, POPULATION_LABELS, POPULATIONS
from ..study.pipeline import StudyResults
from .chapter import compare_with_paper

RATE_KEYS = {"pfs": ("rate_6_month_pct", "rate_1_year_pct"), "os": ("rate_1_year_pct", "rate_2_year_pct")}
RATE_NAMES = {
    "rate_6_month_pct": "6-month rate, %",
    "rate_1_year_pct": "1-year rate, %",
    "rate_2_year_pct": "2-year rate, %",
}


def _curves(population: str, endpoint: str) -> str:
    return f"{POPULATION_LABELS[population]}, {ENDPOINT_SHORT[endpoint]}"


def _ci(base: str, estimate: str = "median", low: str = "ci95_low", high: str = "ci95_high") -> tuple[str, str, str]:
    return f"{base}.{estimate}", f"{base}.{low}", f"{base}.{high}"


def figure1_estimates() -> dict[str, tuple[str, str, str]]:
    """The 'estimate (lower–upper)' strings of Figure 1, by glue name: medians per curve and HRs per panel."""
    rows = {}
    for pop in POPULATIONS:
        for endpoint in ENDPOINTS:
            base = f"efficacy.{pop}.{endpoint}"
            rows[f"{pop}_{endpoint}_hr_ci"] = _ci(base, "hr", "hr_ci95_low", "hr_ci95_high")
            for gkey in GROUP_KEYS.values():
                rows[f"{pop}_{endpoint}_{gkey}_median_ci"] = _ci(f"{base}.{gkey}")
    return rows


def figure1_hazards(results: StudyResults) -> pd.DataFrame:
    """Figure 1: HR (95% CI) and log-rank p of each panel, paper vs book."""
    rows = {}
    for pop in POPULATIONS:
        for endpoint in ENDPOINTS:
            base = f"efficacy.{pop}.{endpoint}"
            rows[f"{_curves(pop, endpoint)} · HR (95% CI)"] = _ci(base, "hr", "hr_ci95_low", "hr_ci95_high")
            rows[f"{_curves(pop, endpoint)} · log-rank P"] = f"{base}.p"
    return compare_with_paper(rows, results)


def figure1_curves(results: StudyResults) -> pd.DataFrame:
    """Figure 1: median (95% CI) and the printed landmark rates of each curve, paper vs book."""
    rows = {}
    for pop in POPULATIONS:
        for endpoint in ENDPOINTS:
            for group, gkey in GROUP_KEYS.items():
                base = f"efficacy.{pop}.{endpoint}.{gkey}"
                rows[f"{_curves(pop, endpoint)} · {group} · median (95% CI)"] = _ci(base)
                for rate in RATE_KEYS[endpoint]:
                    rows[f"{_curves(pop, endpoint)} · {group} · {RATE_NAMES[rate]}"] = f"{base}.{rate}"
    return compare_with_paper(rows, results)


def whole_population(results: StudyResults) -> pd.DataFrame:
    """Section 3.3: all patients' medians and the median follow-up, paper vs book."""
    rows = {
        "Before PSM · patients": "efficacy.whole_population_before_psm.n",
        "Before PSM · median PFS, months": "efficacy.whole_population_before_psm.median_pfs_months",
        "Before PSM · median OS, months": "efficacy.whole_population_before_psm.median_os_months",
        "Before PSM · median follow-up, months": "cohort.median_follow_up_months",
        "After PSM · patients": "efficacy.after_psm.n",
        "After PSM · median PFS, months": "efficacy.after_psm.overall_median_pfs_months",
        "After PSM · median OS, months": "efficacy.after_psm.overall_median_os_months",
    }
    return compare_with_paper(rows, results)
