"""Formatting of results the way the original study printed them.

Only strings are made here; nothing is computed. Conventions: counts as
integers, percentages with one decimal, p-values with three decimals and
"<0.001" below that, main-comparison HRs with two decimals and Cox-table HRs
with three.
"""

from __future__ import annotations

import pandas as pd

from ..printed import EN_DASH, NOT_ESTIMABLE, format_p, p_phrase, round_half_up
from ..printed import fixed as _fixed
from ..printed import is_missing as _missing
from ..study.design import (
    ENDPOINT_SHORT,
    ENDPOINTS,
    POPULATION_LABELS,
    POPULATIONS,
    STRATA,
    STRATUM_LABELS,
    characteristic_in_text,
    contrast_label,
)

__all__ = ["EN_DASH", "format_p", "p_phrase", "round_half_up"]  # re-exported: the chapters format through this module


def format_n_pct(n, total, digits: int = 1) -> str:
    """'n (pct)' with the percentage of ``total``."""
    if _missing(n):
        return ""
    pct = 100.0 * n / total if total else float("nan")
    return f"{int(n)} ({_fixed(pct, digits)})"


def format_estimate_ci(estimate, lower, upper, digits: int = 2) -> str:
    """'est (lower–upper)' with an en dash."""
    if _missing(estimate):
        return ""
    return f"{_fixed(estimate, digits)} ({_fixed(lower, digits)}{EN_DASH}{_fixed(upper, digits)})"


def format_interval(lower, upper, digits: int = 2) -> str:
    """'lower–upper' with an en dash; a limit that cannot be estimated prints as 'NE'."""
    return f"{format_number(lower, digits) or NOT_ESTIMABLE}{EN_DASH}{format_number(upper, digits) or NOT_ESTIMABLE}"


def format_number(x, digits: int = 2) -> str:
    return "" if _missing(x) else _fixed(x, digits)


# --- display tables in the paper's layout ------------------------------------------

INDENT = "\u2003"  # em space: indents level rows under their characteristic


def _group_header(group: str, frame: pd.DataFrame) -> str:
    total = int(frame[f"total_{group}"].iloc[0])
    return f"{group} (n = {total})"


def baseline_display(before: pd.DataFrame, after: pd.DataFrame | None = None, groups=None) -> pd.DataFrame:
    """Table 1 as printed: characteristic rows with indented levels, n (%) per group and P,
    under grouped headers "Before PSM" / "After PSM"."""
    parts = {"Before PSM": before} if after is None else {"Before PSM": before, "After PSM": after}
    groups = groups or [c[2:] for c in before.columns if c.startswith("n_")]
    rows, index = [], []
    for var, sub in before.groupby("variable", sort=False):
        index.append(str(sub["characteristic"].iloc[0]))
        header = {}
        for part, frame in parts.items():
            p = frame.loc[frame["variable"] == var, "p_value"].iloc[0]
            header[(part, "P")] = format_p(p)
            for g in groups:
                header[(part, _group_header(g, frame))] = ""
        rows.append(header)
        for level in sub["level"]:
            label = sub.loc[sub["level"] == level, "level_label"].iloc[0]
            index.append(INDENT + str(label))
            row = {}
            for part, frame in parts.items():
                r = frame[(frame["variable"] == var) & (frame["level"] == level)].iloc[0]
                for g in groups:
                    row[(part, _group_header(g, frame))] = format_n_pct(r[f"n_{g}"], r[f"total_{g}"])
                row[(part, "P")] = ""
            rows.append(row)
    out = pd.DataFrame(rows, index=pd.Index(index, name="Characteristic"))
    columns = []
    for part, frame in parts.items():
        columns += [(part, _group_header(g, frame)) for g in groups] + [(part, "P")]
    out = out[columns]
    out.columns = pd.MultiIndex.from_tuples(columns)
    return out


def counts_display(frames: dict[str, pd.DataFrame], *, tested_only: bool = True) -> pd.DataFrame:
    """Tables 2 and 3: one row per outcome, n (%) per group and P, one column block per population.

    ``frames`` maps a block title (e.g. "Before PSM") to a frame from
    :func:`helpers.study.counts.response_table` or :func:`helpers.study.counts.safety_table`.
    A CR row of zero prints as a bare 0, as in the paper.
    """
    first = next(iter(frames.values()))
    groups = [c[2:] for c in first.columns if c.startswith("n_")]
    columns, blocks = [], []
    for part, frame in frames.items():
        block = pd.DataFrame(index=frame["label"].to_numpy())
        for g in groups:
            col = (part, _group_header(g, frame))
            block[col] = [
                "0" if n == 0 and label == "CR" else format_n_pct(n, t)
                for n, t, label in zip(frame[f"n_{g}"], frame[f"total_{g}"], frame["label"], strict=True)
            ]
            columns.append(col)
        block[(part, "P")] = [format_p(p) for p in frame["p_value"]]
        columns.append((part, "P"))
        blocks.append(block)
    out = pd.concat(blocks, axis=1)
    out.columns = pd.MultiIndex.from_tuples(columns)
    return out


def efficacy_survival_display(results) -> pd.DataFrame:
    """Figure 1 in numbers: every curve's n, events, median with both CIs and landmark rates."""
    blocks = {}
    for pop in POPULATIONS:
        for endpoint in ENDPOINTS:
            rows = results.survival(pop, endpoint)
            shown = survival_display(rows)
            loglog = [format_interval(a, b) for a, b in zip(rows["loglog_lower"], rows["loglog_upper"], strict=True)]
            shown.insert(3, "Log-log 95% CI", loglog)
            blocks[f"{POPULATION_LABELS[pop]}, {ENDPOINT_SHORT[endpoint]}"] = shown
    return pd.concat(blocks, names=["Curves", "Group"])


def survival_display(comparison_frame: pd.DataFrame, level_col: str = "group", landmarks=(6, 12, 24)) -> pd.DataFrame:
    """Medians with the symmetric 95% CI and landmark rates, one row per curve."""
    rows = {}
    for _, r in comparison_frame.iterrows():
        row = {
            "n": int(r["n"]),
            "Events": int(r["events"]),
            "Median, months (95% CI)": format_estimate_ci(r["median"], r["ci_lower"], r["ci_upper"]),
        }
        for t in landmarks:
            col = f"rate_{t}"
            if col in r:
                row[f"{t}-month rate, %"] = format_number(r[col], 1)
        rows[str(r[level_col])] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def format_pct(value, digits: int = 1) -> str:
    """A percentage as the paper prints it, with the sign: '29.5%' (halves rounded up)."""
    return "" if _missing(value) else f"{_fixed(value, digits)}%"


def join_words(words) -> str:
    """'a', 'a and b', 'a, b and c'; 'none' for an empty list."""
    words = list(words)
    if not words:
        return "none"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def characteristic_name(variable: str) -> str:
    """A Table 1 characteristic's name for running text: 'liver metastases', 'ECOG PS', '1L-PFS'."""
    return characteristic_in_text(variable)


def styled(frame: pd.DataFrame, caption: str = ""):
    """A pandas Styler in the book's table style (left-aligned labels, caption above).

    Cells and labels are HTML-escaped: values such as "<0.001" or "<65" are text.
    """
    sty = frame.style.set_table_attributes('class="paper-table"').format(escape="html", na_rep="")
    sty = sty.format_index(escape="html", axis=0).format_index(escape="html", axis=1)
    if caption:
        sty = sty.set_caption(caption)
    return sty.set_table_styles(
        [
            {"selector": "th.row_heading", "props": "text-align: left; white-space: pre; font-weight: normal;"},
            {"selector": "th.col_heading.level0", "props": "text-align: center; border-bottom: 1px solid #888;"},
            {"selector": "td", "props": "text-align: center; padding: 2px 10px; white-space: nowrap;"},
            {"selector": "caption", "props": "caption-side: top; text-align: left; font-weight: bold;"},
        ]
    )


def fidelity_misses_display(misses: pd.DataFrame) -> pd.DataFrame:
    """Audit rows that miss, ready to show: text cells, keys that may break after a dot,
    and a single "(none)" row when nothing misses (an empty table would say nothing)."""
    columns = ["key", "published", "reproduced", "abs_diff", "tolerance", "status", "note"]
    out = misses.reindex(columns=columns).astype(str).replace({"nan": "", "None": ""})
    out["key"] = out["key"].str.replace(".", ".\u200b", regex=False)
    if out.empty:
        out.loc[0] = ["(none)", "", "", "", "", "", "every number is exact or within its tolerance"]
    return out.set_index("key")


# --- Cox, subgroups, fidelity and methods chapters ---------------------------------

NBSP = "\u00a0"
NOT_IN_MODEL = "—"  # a multivariable cell of a characteristic that did not pass the screen


def unbroken(text: str) -> str:
    """A header that never breaks inside a phrase: its spaces become no-break spaces."""
    return text.replace(" ", NBSP)


def yes_no(value) -> str:
    """'yes' or 'no' for a flag (never Python's True/False on a page); '' when missing."""
    return "" if _missing(value) else ("yes" if bool(value) else "no")


def cox_models_display(table: pd.DataFrame) -> pd.DataFrame:
    """Tables 4 and 5: HR (95% CI) and p of each characteristic, univariable and multivariable, three decimals.

    Rows are named by the contrast each HR measures ('Liver metastases: Yes
    vs No'). A characteristic that did not pass the univariate screen has no
    multivariable estimate: its cells print :data:`NOT_IN_MODEL` (the caption
    says why), never 'nan'. The column names put 'Characteristic' on the
    same header row as 'HR (95% CI)', so the table has two header rows, not three.
    """
    hr, p = unbroken("HR (95% CI)"), "p"
    rows = {}
    for _, r in table.iterrows():
        row = {}
        for model, prefix in (("Univariable", "uni"), ("Multivariable", "multi")):
            if _missing(r[f"{prefix}_estimate"]):
                row[(model, hr)] = row[(model, p)] = NOT_IN_MODEL
                continue
            row[(model, hr)] = format_estimate_ci(
                r[f"{prefix}_estimate"], r[f"{prefix}_ci_lower"], r[f"{prefix}_ci_upper"], 3
            )
            row[(model, p)] = format_p(r[f"{prefix}_p_value"])
        rows[contrast_label(r["covariate"])] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.columns = pd.MultiIndex.from_tuples(out.columns, names=[None, "Characteristic"])
    return out


def ph_tests_display(ph: pd.DataFrame) -> pd.DataFrame:
    """Proportional-hazards tests of some models: chi-square, df and p per characteristic and for the whole model."""
    out = pd.DataFrame(
        {
            "Endpoint": [ENDPOINT_SHORT[e] for e in ph["endpoint"]],
            "Characteristic": [
                "Whole model (global test)" if c == "GLOBAL" else contrast_label(c) for c in ph["covariate"]
            ],
            "Chi-square": [format_number(s, 3) for s in ph["statistic"]],
            "df": [str(int(d)) for d in ph["df"]],
            "p": [format_p(v) for v in ph["p_value"]],
        }
    )
    return out.set_index(["Endpoint", "Characteristic"]).rename_axis(index=[None, None])


def strata_survival_display(results) -> pd.DataFrame:
    """Figure 3 in numbers: each stratum's n, events, median (95% CI) and landmark rates."""
    blocks = {}
    for variable in STRATA:
        for endpoint in ENDPOINTS:
            rows = results.strata(variable, endpoint)
            named = rows.assign(stratum=[STRATUM_LABELS[variable][lv] for lv in rows["level"]])
            blocks[f"{STRATA[variable]}, {ENDPOINT_SHORT[endpoint]}"] = survival_display(named, level_col="stratum")
    return pd.concat(blocks).rename_axis(index=[None, None])


CONTINGENCY_NAMES = {
    "pearson": "Pearson",
    "yates": "Yates",
    "fisher": "Fisher",
    "auto": "Rule: Pearson or Fisher",
}
CONTINGENCY_SHORT = {"pearson": "Pearson", "yates": "Yates", "fisher": "Fisher", "auto": "the rule"}


def contingency_display(conventions: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """Every printed categorical p-value beside the same test by each method, and which methods give it.

    ``conventions`` is :func:`helpers.paper.sensitivity.contingency_conventions`;
    ``labels`` names each key (the registry's labels).
    """
    rows = {}
    for _, r in conventions.iterrows():
        row = {"Printed": format_p(r["printed"])}
        row |= {name: format_p(r[method]) for method, name in CONTINGENCY_NAMES.items()}
        matching = [name for method, name in CONTINGENCY_SHORT.items() if r[f"{method}_matches"]]
        row["Reproduced by"] = ", ".join(matching) or "none"
        rows[labels[r["key"]]] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def contingency_agreement_display(agreement: pd.DataFrame) -> pd.DataFrame:
    """How many printed p-values each method reproduces, per table (from ``sensitivity.contingency_agreement``)."""
    out = agreement.rename(columns=CONTINGENCY_NAMES | {"printed": "Printed p-values"})
    return out[["Printed p-values", *CONTINGENCY_NAMES.values()]].astype(int).astype(str)


MEDIAN_CI_NAMES = {"symmetric": "symmetric (SE-based)", "loglog": "log-log (Brookmeyer–Crowley)"}


def median_ci_display(styles: pd.DataFrame) -> pd.DataFrame:
    """Before-PSM medians with both 95% CI styles beside the printed interval (two decimals, yes/no)."""
    rows = {}
    for _, r in styles.iterrows():
        rows[(ENDPOINT_SHORT[r["endpoint"]], r["group"], MEDIAN_CI_NAMES[r["style"]])] = {
            "Median, months": format_number(r["median"]),
            "95% CI, this book": format_interval(r["ci_lower"], r["ci_upper"]),
            "95% CI, printed": format_interval(r["printed_lower"], r["printed_upper"]),
            "Symmetric about the median": yes_no(r["symmetric_shape"]),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index = pd.MultiIndex.from_tuples(out.index)
    return out


def ties_display(ties: pd.DataFrame) -> pd.DataFrame:
    """HRs and p-values under Breslow and Efron ties, with how many events share their time."""
    rows = {}
    for _, r in ties.iterrows():
        rows[(ENDPOINT_SHORT[r["endpoint"]], r["model"])] = {
            "HR, Breslow": format_number(r["hr_breslow"], 3),
            "HR, Efron": format_number(r["hr_efron"], 3),
            "p, Breslow": format_p(r["p_breslow"]),
            "p, Efron": format_p(r["p_efron"]),
            "Events": str(int(r["events"])),
            "Distinct event times": str(int(r["distinct_event_times"])),
            "Events sharing their time": str(int(r["tied_event_times"])),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index = pd.MultiIndex.from_tuples(out.index)
    return out


def matching_choices_display(choices: pd.DataFrame) -> pd.DataFrame:
    """Pairs, worst remaining imbalance and after-PSM results under each matching order and caliper."""
    rows = {}
    for _, r in choices.iterrows():
        row = {"Pairs": str(int(r["pairs"])), "Largest |SMD| after": format_number(r["max_abs_smd_after"], 3)}
        for endpoint in ENDPOINTS:
            row[f"{ENDPOINT_SHORT[endpoint]} HR"] = format_number(r[f"{endpoint}_hr"], 2)
            row[f"{ENDPOINT_SHORT[endpoint]} log-rank p"] = format_p(r[f"{endpoint}_logrank_p"])
        rows[f"{r['caliper']}, {r['order']}"] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.columns.name = "Caliper, order"  # shown in the header's corner: no extra header row
    return out


def consistency_display(checks: pd.DataFrame) -> pd.DataFrame:
    """The consistency checks for reading: where, what is printed, the arithmetic, the verdict, yes/no."""
    out = pd.DataFrame(
        {
            "Where in the paper": checks["location"],
            "What it prints": checks["printed"],
            "Arithmetic on the printed numbers": checks["arithmetic"],
            "Verdict": checks["verdict"],
            "Consistent": [yes_no(c) for c in checks["consistent"]],
        }
    )
    return out.set_index("Where in the paper").rename_axis(index=None)


def listed_inconsistencies_display(listed: pd.DataFrame) -> pd.DataFrame:
    """The transcriber's list of the paper's inconsistencies, with readable kinds."""
    out = pd.DataFrame(
        {
            "Where in the paper": listed["location"],
            "Kind": listed["type"].str.replace("_", " "),
            "Severity": listed["severity"],
            "What is wrong": listed["description"],
        }
    )
    return out.set_index("Where in the paper").rename_axis(index=None)


def threshold_screen_display(screen: pd.DataFrame) -> pd.DataFrame:
    """How many characteristics enter the multivariable model at each entry threshold (``paper.screen.threshold_screen``)."""
    rows = {}
    for (endpoint, source), sub in screen.groupby(["endpoint", "source"], sort=False):
        rows[(ENDPOINT_SHORT[endpoint], source)] = {
            f"p < {t:g}": str(int(n)) for t, n in zip(sub["threshold"], sub["n_entered"], strict=True)
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index = pd.MultiIndex.from_tuples(out.index)
    return out
