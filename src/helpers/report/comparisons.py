"""The chapters' "original study vs this book" tables, one function per table.

Each returns a display frame (text cells) built by
:func:`helpers.report.chapter.compare_with_paper` from the registry of
published quantities, so every row is named, rounded and formatted the way the
paper prints it.
"""

from __future__ import annotations

import pandas as pd

from ..paper.choices import choices_frame
from ..paper.published import GROUP_KEYS, TABLE1_KEYS
from ..paper.registry import FIGURE_3, STRATUM_KEYS, SUBGROUP_KEYS, registry
from ..paper.screen import printed_multivariable
from ..study.design import (
    COX_TABLES,
    ENDPOINT_SHORT,
    ENDPOINTS,
    POPULATION_LABELS,
    POPULATIONS,
    STRATUM_LABELS,
    characteristic,
    characteristic_in_text,
    contrast_label,
    level_label,
)
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


# --- Cox, subgroups, fidelity and methods chapters ---


def cox_multivariable(results: StudyResults, endpoint: str) -> pd.DataFrame:
    """Table 4 (PFS) or 5 (OS): the characteristics of the paper's multivariable model, paper vs book.

    For each, the univariable and the multivariable HR (95% CI) and p, three decimals as printed.
    """
    rows = {}
    for var in printed_multivariable(endpoint):
        base = f"{COX_TABLES[endpoint]}.rows.{TABLE1_KEYS[var][0]}"
        for model, name in (("univariate", "univariable"), ("multivariate", "multivariable")):
            rows[f"{contrast_label(var)} · {name} HR (95% CI)"] = _ci(f"{base}.{model}", "hr", "ci_low", "ci_high")
            rows[f"{contrast_label(var)} · {name} p"] = f"{base}.{model}.p"
    return _two_levels(compare_with_paper(rows, results))


def quoted_subgroups(results: StudyResults) -> pd.DataFrame:
    """Figure 2B: the two OS subgroups the paper quotes, HR (95% CI) and p, paper vs book."""
    rows = {}
    for name, (var, level) in SUBGROUP_KEYS.items():
        base = f"subgroups.os.significant_subgroups.{name}"
        label = f"{characteristic(var)}: {level_label(var, level)}"
        rows[f"{label} · HR (95% CI)"] = _ci(base, "hr", "ci95_low", "ci95_high")
        rows[f"{label} · p"] = f"{base}.p"
    return _two_levels(compare_with_paper(rows, results))


def quoted_subgroup_estimates() -> dict[str, tuple[str, str, str]]:
    """The 'HR (lower–upper)' strings of the quoted subgroups, by glue name (e.g. ``no_liver_metastases_hr_ci``)."""
    return {
        f"{name}_hr_ci": _ci(f"subgroups.os.significant_subgroups.{name}", "hr", "ci95_low", "ci95_high")
        for name in SUBGROUP_KEYS
    }


def figure3_curves(results: StudyResults) -> pd.DataFrame:
    """Figure 3: median (95% CI), the printed landmark rates and the log-rank p of each stratum, paper vs book."""
    known = registry()
    rows = {}
    for variable, (head, levels) in STRATUM_KEYS.items():
        for endpoint in ENDPOINTS:
            block = f"Figure {FIGURE_3[(variable, endpoint)]}: {ENDPOINT_SHORT[endpoint]} by {characteristic_in_text(variable)}"
            for level, lkey in levels.items():
                base = f"{head}.{endpoint}.{lkey}"
                stratum = STRATUM_LABELS[variable][level]
                rows[f"{block} · {stratum} · median (95% CI)"] = _ci(base)
                for rate, shown in RATE_NAMES.items():
                    if f"{base}.{rate}" in known:
                        rows[f"{block} · {stratum} · {shown}"] = f"{base}.{rate}"
            rows[f"{block} · log-rank p"] = f"{head}.{endpoint}.p"
    return _two_levels(compare_with_paper(rows, results))


def _two_levels(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows named 'block · row' become a two-level index, so that each block's name is printed once."""
    frame.index = pd.MultiIndex.from_tuples([tuple(name.split(" · ", 1)) for name in frame.index])
    return frame


def figure3_estimates() -> dict[str, tuple[str, str, str]]:
    """The 'median (lower–upper)' strings of Figure 3, by glue name (e.g. ``liver_mets_pfs_with_liver_mets_median_ci``)."""
    return {
        f"{head}_{endpoint}_{lkey}_median_ci": _ci(f"{head}.{endpoint}.{lkey}")
        for head, levels in STRATUM_KEYS.values()
        for endpoint in ENDPOINTS
        for lkey in levels.values()
    }


def analysis_choices() -> pd.DataFrame:
    """Methods: each analysis decision, what the original study states and what this book does."""
    frame = choices_frame()
    out = pd.DataFrame(
        {"Original study": frame["paper"], "This book": frame["book"], "Stated in the paper": frame["stated"]}
    )
    out.index = frame["decision"].to_numpy()
    return out
