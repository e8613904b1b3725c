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


# --- Tables 1-3, data and introduction chapters ---
# (imported here, not at the top, so that chapters converted in parallel touch separate lines)
from functools import partial  # noqa: E402

from ..paper.published import REGIMEN_KEYS  # noqa: E402
from ..paper.registry import WHOLE_COHORT_SHARES, quantity, rounded  # noqa: E402
from ..printed import fixed  # noqa: E402
from ..study.cohort import GROUP_ICI, GROUP_NON_ICI, ICI_AGENTS, ICI_REGIMENS, NON_ICI_REGIMENS  # noqa: E402
from ..study.design import (  # noqa: E402
    ICI_AGENT_LABELS,
    REGIMEN_LABELS,
    RESPONSE_ROWS,
    TESTED_RESPONSE_ROWS,
    level_share_label,
)
from .chapter import as_printed, estimate_text  # noqa: E402
from .tables import NBSP  # noqa: E402

PAPER, BOOK = f"Original{NBSP}study", f"This{NBSP}book"  # headers that never break inside


def _unbroken(frame: pd.DataFrame) -> pd.DataFrame:
    """The 'Original study' and 'This book' headers with non-breaking spaces."""
    return frame.rename(columns={"Original study": PAPER, "This book": BOOK})


def _printed(key: str, results: StudyResults | None) -> str:
    """A published key's value as the paper prints it: the paper's (``results`` None) or ours."""
    q = quantity(key)
    return as_printed(q, q.published if results is None else q.printed(results))


def _n_pct(results: StudyResults | None, base: str) -> str:
    """'129 (64.5)' from the keys ``base.n`` and ``base.pct``."""
    return f"{_printed(f'{base}.n', results)} ({_printed(f'{base}.pct', results)})"


def _side_by_side(rows: dict[str, object], results: StudyResults) -> pd.DataFrame:
    """Rows of (a function of ``results`` or None) shown as 'Original study' and 'This book'."""
    out = {name: {PAPER: make(None), BOOK: make(results)} for name, make in rows.items()}
    return pd.DataFrame.from_dict(out, orient="index")


def cohort_description(results: StudyResults) -> pd.DataFrame:
    """Section 3.1: age and the shares of all patients, paper vs book (the paper prints % only)."""
    rows = {"Age (years), median (range)": _ci("cohort.age_years", "median", "range_min", "range_max")}
    for key, spec in WHOLE_COHORT_SHARES.items():
        var, level = spec if isinstance(spec, tuple) else (spec, 1)
        rows[f"{level_share_label(var, level)}, %"] = f"cohort.whole_cohort_percentages_section_3_1.{key}"
    return _unbroken(compare_with_paper(rows, results))


def treatment_details(results: StudyResults) -> pd.DataFrame:
    """Section 3.2: regimens, ICI agents (n (%)) and cycles (median (range)) per group, paper vs book."""
    rows = {}
    for group, tkey in ((GROUP_ICI, "icis_group"), (GROUP_NON_ICI, "non_icis_group")):
        base = f"treatment.{tkey}"
        regimens = ICI_REGIMENS if group == GROUP_ICI else NON_ICI_REGIMENS
        for r in regimens:
            rows[f"{group} · {REGIMEN_LABELS[r]}, n (%)"] = partial(
                _n_pct, base=f"{base}.regimen_categories.{REGIMEN_KEYS[r]}"
            )
        if group == GROUP_ICI:
            for agent in ICI_AGENTS:
                rows[f"{group} · {ICI_AGENT_LABELS[agent]}, n (%)"] = partial(_n_pct, base=f"{base}.ici_agents.{agent}")
        cycles = _ci(f"{base}.cycles", "median", "range_min", "range_max")
        rows[f"{group} · 2L cycles, median (range)"] = partial(_estimate, keys=cycles)
    return _side_by_side(rows, results)


def _estimate(results: StudyResults | None, keys: tuple[str, str, str]) -> str:
    return estimate_text(results, *keys)


def matching_counts(results: StudyResults) -> pd.DataFrame:
    """Patients per group before matching and matched, paper vs book."""
    rows = {}
    for pop, when in (("before_psm", "before matching"), ("after_psm", "matched")):
        for group, gkey in GROUP_KEYS.items():
            rows[f"{group} · {when}"] = f"cohort.{pop}.{gkey}"
    return _unbroken(compare_with_paper(rows, results))


def response_rates(results: StudyResults) -> pd.DataFrame:
    """Table 2: ORR and DCR (%) of each group and P, before and after matching, paper vs book."""
    labels = {key: label for key, label, _ in RESPONSE_ROWS}
    rows = {}
    for pop in POPULATIONS:
        for row in TESTED_RESPONSE_ROWS:
            cells = {}
            for group, gkey in GROUP_KEYS.items():
                key = f"table2_response.{pop}.{gkey}.{row}.pct"
                cells[(f"{group}, %", PAPER)] = _printed(key, None)
                cells[(f"{group}, %", BOOK)] = _printed(key, results)
            key = f"table2_response.{pop}.p_{row}"
            cells[("P", PAPER)] = _printed(key, None)
            cells[("P", BOOK)] = _printed(key, results)
            rows[f"{POPULATION_LABELS[pop]} · {labels[row]}"] = cells
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.columns = pd.MultiIndex.from_tuples(out.columns)
    return out


TARGET_COLUMNS = ("Published number", PAPER, BOOK, "Rule", "Met")


def _target_rule(row: pd.Series, q) -> str:
    if row["kind"] == "exact":
        return "exact"
    if row["kind"] == "within":
        return f"within ±{fixed(row['tolerance'], q.decimals) if q and q.decimals else f'{row.tolerance:g}'}"
    return str(row["kind"])


def generator_targets(report: pd.DataFrame) -> pd.DataFrame:
    """The generator's targets (:func:`helpers.synthetic.calibration.check_targets`) for reading.

    Each row is named by its registry label, the values are printed with the
    paper's decimals, the rule is spelled out, and the targets missed come first.
    """
    rows = []
    for _, row in report.iterrows():
        key, _, suffix = str(row["target"]).partition(" (")
        q = registry().get(key)
        if q is None:  # a qualitative check, not a published number
            rows.append([row["target"], str(row["published"]), str(row["achieved"]), "qualitative", row["met"]])
            continue
        label = q.label + (f" ({suffix}" if suffix else "")
        ours = rounded(row["achieved"], q.decimals) if q.kind != "p" else row["achieved"]
        rows.append([label, as_printed(q, row["published"]), as_printed(q, ours), _target_rule(row, q), row["met"]])
    out = pd.DataFrame(rows, columns=list(TARGET_COLUMNS))
    out = out.sort_values("Met", kind="stable").reset_index(drop=True)  # misses (False) first
    out["Met"] = out["Met"].map({True: "yes", False: "no"})
    return out


def dropped_targets(dropped: dict[str, str]) -> pd.DataFrame:
    """Published numbers the generator does not aim at, named by their registry label, with the reason."""
    names = [registry()[k].label if k in registry() else k for k in dropped]
    return pd.DataFrame({"Why it is not a target": list(dropped.values())}, index=names).rename_axis(
        columns="Published number"
    )


TARGET_KINDS = {
    "exact": "Equal to the printed value",
    "within": "Within a tolerance of it",
    "qualitative": "Qualitative check",
}


def generator_target_summary(report: pd.DataFrame) -> pd.DataFrame:
    """The generator's targets counted by rule: how many there are and how many the cohort meets."""
    counts = report.groupby("kind", sort=False)["met"].agg(["size", "sum"])
    names = [
        TARGET_KINDS.get(k, f"p-value on the printed side of {k.removeprefix('same side of ')}") for k in counts.index
    ]
    return pd.DataFrame(
        {"Targets": counts["size"].astype(int).to_numpy(), "Met": counts["sum"].astype(int).to_numpy()}, index=names
    ).rename_axis(columns="Rule")
