"""Formatting of results the way the original study printed them.

Only strings are made here; nothing is computed. Conventions: counts as
integers, percentages with one decimal, p-values with three decimals and
"<0.001" below that, main-comparison HRs with two decimals and Cox-table HRs
with three.
"""

from __future__ import annotations

import pandas as pd

from ..printed import EN_DASH, NOT_ESTIMABLE, format_median_ci, format_p, p_phrase, round_half_up
from ..printed import fixed as _fixed
from ..printed import is_missing as _missing
from ..study.design import ENDPOINT_SHORT, ENDPOINTS, POPULATION_LABELS, POPULATIONS, characteristic_in_text

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


def cox_display(table: pd.DataFrame, labels: dict) -> pd.DataFrame:
    """Tables 4 and 5: HR (95% CI) and P, univariate and multivariate, three decimals."""
    rows = {}
    for _, r in table.iterrows():
        rows[labels.get(r["covariate"], r["covariate"])] = {
            ("Univariate", "HR (95% CI)"): format_estimate_ci(
                r["uni_estimate"], r["uni_ci_lower"], r["uni_ci_upper"], 3
            ),
            ("Univariate", "P"): format_p(r["uni_p_value"]),
            ("Multivariate", "HR (95% CI)"): format_estimate_ci(
                r["multi_estimate"], r["multi_ci_lower"], r["multi_ci_upper"], 3
            ),
            ("Multivariate", "P"): format_p(r["multi_p_value"]),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.columns = pd.MultiIndex.from_tuples(out.columns)
    out.index.name = "Characteristic"
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
    """Medians with the symmetric 95% CI and landmark rates, one row per curve.

    A median not reached prints as "NR" and a limit that is not estimable as
    "NE" (:func:`helpers.printed.format_median_ci`).
    """
    rows = {}
    for _, r in comparison_frame.iterrows():
        row = {
            "n": int(r["n"]),
            "Events": int(r["events"]),
            "Median, months (95% CI)": format_median_ci(r["median"], r["ci_lower"], r["ci_upper"], 2),
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


def styled(frame: pd.DataFrame, caption: str = "", *, line_breaks: bool = False):
    """A pandas Styler in the book's table style (left-aligned labels, caption above).

    Cells and labels are HTML-escaped: values such as "<0.001" or "<65" are text.
    With ``line_breaks`` a newline in a cell starts a new line (for narrow
    tables); cells never wrap otherwise.
    """
    sty = frame.style.set_table_attributes('class="paper-table"').format(escape="html", na_rep="")
    sty = sty.format_index(escape="html", axis=0).format_index(escape="html", axis=1)
    if caption:
        sty = sty.set_caption(caption)
    return sty.set_table_styles(
        [
            {"selector": "th.row_heading", "props": "text-align: left; white-space: pre; font-weight: normal;"},
            {"selector": "th.col_heading.level0", "props": "text-align: center; border-bottom: 1px solid #888;"},
            {
                "selector": "td",
                "props": "text-align: center; "
                + ("padding: 2px 6px; white-space: pre;" if line_breaks else "padding: 2px 10px; white-space: nowrap;"),
            },
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
