"""Formatting of results the way the original study printed them.

Only strings are made here; nothing is computed. Conventions: counts as
integers, percentages with one decimal, p-values with three decimals and
"<0.001" below that, main-comparison HRs with two decimals and Cox-table HRs
with three.
"""

from __future__ import annotations

import copy
import html
import re

import pandas as pd
from pandas.io.formats.style import Styler

from ..printed import EN_DASH, NOT_ESTIMABLE, format_median_ci, format_p, p_phrase, round_half_up
from ..printed import fixed as _fixed
from ..printed import is_missing as _missing
from ..stats.contingency import EXPECTED_CUTOFF
from ..study.design import (
    ENDPOINT_SHORT,
    ENDPOINTS,
    POPULATION_LABELS,
    POPULATIONS,
    STRATA,
    STRATUM_LABELS,
    characteristic_in_text,
    contrast_label,
    describe_test,
)
from .words import in_text
from .words import join_words as _join_words

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
NBSP = "\u00a0"  # keeps "n = 200" and similar phrases on one line in a header
NBHY = "\u2011"  # non-breaking hyphen: "2L-non-ICIs" never breaks at its hyphens in a narrow header
COUNT_UNIT = "No. (%)"  # the sub-header of count columns, as in the paper's Table 1


def _group_header(group: str, frame: pd.DataFrame) -> str:
    """'2L-ICIs (n = 200)': a narrow column may break only between the group and its size."""
    total = int(frame[f"total_{group}"].iloc[0])
    return f"{group.replace('-', NBHY)} (n{NBSP}={NBSP}{total})"


def _count_columns(parts: dict[str, pd.DataFrame], groups, row_label: str) -> pd.MultiIndex:
    """Three header rows: population, group with its size, and 'No. (%)' (P on the last row).

    The name of the row labels sits on the last header row, beside the units,
    instead of on a row of its own.
    """
    columns = []
    for part, frame in parts.items():
        columns += [(part, _group_header(g, frame), COUNT_UNIT) for g in groups] + [(part, "", "P")]
    return pd.MultiIndex.from_tuples(columns, names=[None, None, row_label])


def baseline_display(before: pd.DataFrame, after: pd.DataFrame | None = None, groups=None) -> pd.DataFrame:
    """Table 1 as printed: characteristic rows with indented levels, n (%) per group and P,
    under grouped headers "Before PSM" / "After PSM"."""
    parts = {"Before PSM": before} if after is None else {"Before PSM": before, "After PSM": after}
    groups = groups or [c[2:] for c in before.columns if c.startswith("n_")]
    rows, index = [], []
    for var, sub in before.groupby("variable", sort=False):
        index.append(str(sub["characteristic"].iloc[0]))
        header = []
        for frame in parts.values():
            header += [""] * len(groups) + [format_p(frame.loc[frame["variable"] == var, "p_value"].iloc[0])]
        rows.append(header)
        for level, label in zip(sub["level"], sub["level_label"], strict=True):
            index.append(INDENT + str(label))
            row = []
            for frame in parts.values():
                r = frame[(frame["variable"] == var) & (frame["level"] == level)].iloc[0]
                row += [format_n_pct(r[f"n_{g}"], r[f"total_{g}"]) for g in groups] + [""]
            rows.append(row)
    return pd.DataFrame(rows, index=index, columns=_count_columns(parts, groups, "Characteristic"))


def counts_display(frames: dict[str, pd.DataFrame], *, row_label: str = "") -> pd.DataFrame:
    """Tables 2 and 3: one row per outcome, n (%) per group and P, one column block per population.

    ``frames`` maps a block title (e.g. "Before PSM") to a frame from
    :func:`helpers.study.counts.response_table` or :func:`helpers.study.counts.safety_table`;
    ``row_label`` heads the row labels. A CR row of zero prints as a bare 0,
    as in the paper; rows without a test have an empty P.
    """
    first = next(iter(frames.values()))
    groups = [c[2:] for c in first.columns if c.startswith("n_")]
    rows = []
    for i, label in enumerate(first["label"]):
        row = []
        for frame in frames.values():
            r = frame.iloc[i]
            row += [
                "0" if r[f"n_{g}"] == 0 and label == "CR" else format_n_pct(r[f"n_{g}"], r[f"total_{g}"])
                for g in groups
            ] + [format_p(r["p_value"])]
        rows.append(row)
    return pd.DataFrame(rows, index=list(first["label"]), columns=_count_columns(frames, groups, row_label))


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
    """'a', 'a and b', 'a, b and c'; 'none' for an empty list (see :func:`helpers.report.words.join_words`)."""
    return _join_words(words)


def characteristic_name(variable: str) -> str:
    """A Table 1 characteristic's name for running text: 'liver metastases', 'ECOG PS', '1L-PFS'."""
    return characteristic_in_text(variable)


LONG_TEXT = 40  # characters: a column with longer cells (a note, a reason) wraps instead of widening the table


def _long_text_columns(frame: pd.DataFrame) -> list:
    return [
        column
        for column in frame.columns
        if frame[column].dtype == object and frame[column].astype(str).str.len().max() > LONG_TEXT
    ]


class BookStyler(Styler):
    """A pandas Styler that also renders itself as LaTeX (``text/latex``) for the PDF book.

    In HTML it is an ordinary Styler; a notebook output of it carries both
    representations, and MyST-NB picks HTML for the web book and LaTeX
    (:func:`latex_table`) for the PDF.
    """

    def _repr_latex_(self) -> str:
        return latex_table(self)


def styled(frame: pd.DataFrame, caption: str = "", *, line_breaks: bool = False):
    """A pandas Styler in the book's table style (left-aligned labels, caption above).

    Cells and labels are HTML-escaped: values such as "<0.001" or "<65" are text.
    Numbers stay on one line; row labels and long text cells (notes) wrap, so a
    table fits the text column where it can and scrolls in its own box where it
    cannot (book/_static/book.css). With ``line_breaks`` a newline in a cell
    starts a new line (for narrow tables).
    """
    sty = BookStyler(frame).set_table_attributes('class="paper-table"').format(escape="html", na_rep="")
    sty = sty.format_index(escape="html", axis=0).format_index(escape="html", axis=1)
    if caption:
        sty = sty.set_caption(caption)
    sty = sty.set_table_styles(
        [
            {
                "selector": "th.row_heading",
                "props": "text-align: left; white-space: pre-wrap; min-width: 8em; font-weight: normal;",
            },
            {"selector": "th.col_heading.level0", "props": "text-align: center; border-bottom: 1px solid #888;"},
            {
                "selector": "td",
                "props": "text-align: center; "
                + ("padding: 2px 6px; white-space: pre;" if line_breaks else "padding: 2px 10px; white-space: nowrap;"),
            },
            {"selector": "caption", "props": "caption-side: top; text-align: left; font-weight: bold;"},
        ]
    )
    wrapped = "white-space: normal; text-align: left; min-width: 16em; overflow-wrap: anywhere;"
    long_columns = _long_text_columns(frame)
    if long_columns:
        sty = sty.set_table_styles(
            {column: [{"selector": "td", "props": wrapped}] for column in long_columns}, overwrite=False
        )
    return sty


def fidelity_misses_display(misses: pd.DataFrame) -> pd.DataFrame:
    """Audit rows that miss, ready to show: text cells, keys that may break after a dot,
    and a single "(none)" row when nothing misses (an empty table would say nothing)."""
    columns = ["key", "published", "reproduced", "abs_diff", "tolerance", "status", "note"]
    out = misses.reindex(columns=columns).astype(str).replace({"nan": "", "None": ""})
    out["key"] = out["key"].str.replace(".", ".\u200b", regex=False)
    if out.empty:
        out.loc[0] = ["(none)", "", "", "", "", "", "every number is exact or within its tolerance"]
    return out.set_index("key")


# --- Tables 1-3, sections 3.1-3.2, the matching and the data chapter --------------------


def with_corner(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    """Name the row labels in the header's corner cell (the columns' name), not on a header row of its own."""
    out = frame.rename_axis(index=None)
    if isinstance(out.columns, pd.MultiIndex):
        return out.rename_axis(columns=[*out.columns.names[:-1], label])
    return out.rename_axis(columns=label)


def p_value_note(tables: dict[str, pd.DataFrame], label: str = "label") -> str:
    """Which test gave the P column of a count table, as a footnote under it.

    ``tables`` maps a population title ("Before PSM") to a table of
    :mod:`helpers.study.counts` with a ``test`` column; ``label`` is the
    column naming its rows ("characteristic" for Table 1). The usual test is
    named once and every row that used another is listed.
    """
    rows = []
    for title, table in tables.items():
        tested = table.drop_duplicates(label)
        where = f" ({title[:1].lower()}{title[1:]})" if len(tables) > 1 else ""
        rows += [(t, in_text(str(name)) + where) for t, name in zip(tested["test"], tested[label], strict=True) if t]
    if not rows:
        return ""
    used = list(dict.fromkeys(t for t, _ in rows))
    usual = "pearson" if "pearson" in used else used[0]
    others = {t: [name for tt, name in rows if tt == t] for t in used if t != usual}
    rule = f"an expected count below {EXPECTED_CUTOFF:g}"
    text = f"P: {describe_test(usual)}"
    if usual == "pearson" and not others:
        return f"{text}; no table had {rule}, so Fisher's exact test was never needed."
    if usual == "fisher" and not others:
        return f"{text}, as every table had {rule}."
    parts = []
    for test, names in others.items():
        if test == "fisher":
            parts.append(f"{describe_test(test)} where a table had {rule}: {_join_words(names)}")
        elif test == "not testable":
            parts.append(f"no test for {_join_words(names)} (no patient of either group had it)")
        else:
            parts.append(f"{describe_test(test)} for {_join_words(names)}")
    return f"{text}; " + "; ".join(parts) + "."


def odds_ratio_display(odds: pd.DataFrame) -> pd.DataFrame:
    """The propensity model's odds ratios (from ``PropensityModel.odds_ratios``): OR (95% CI) and P per contrast."""
    return pd.DataFrame(
        {
            "Odds ratio (95% CI)": [
                format_estimate_ci(o, lo, hi)
                for o, lo, hi in zip(odds["odds_ratio"], odds["ci_lower"], odds["ci_upper"], strict=True)
            ],
            "P": [format_p(p) for p in odds["p_value"]],
        },
        index=[contrast_label(t) for t in odds["term"]],
    ).rename_axis(columns="Characteristic")


def _value_text(row: pd.Series) -> str:
    """'390 (78.6)' for a count, '62 (19–87)' for a median with its range."""
    if _missing(row["median"]):
        return format_n_pct(row["n"], row["total"])
    return f"{row['median']:g} ({row['min']:g}{EN_DASH}{row['max']:g})"


def _label_text(row: pd.Series) -> str:
    return f"{row['label']}, median (range)" if not _missing(row["median"]) else str(row["label"])


def cohort_description_display(table: pd.DataFrame) -> pd.DataFrame:
    """Section 3.1 as a table: one row per item, n (%) or median (range) of all patients."""
    header = f"All patients (n{NBSP}={NBSP}{int(table['total'].iloc[0])})"
    columns = pd.MultiIndex.from_tuples([(header, VALUE_UNIT)], names=[None, ""])
    values = [[_value_text(r)] for _, r in table.iterrows()]
    return pd.DataFrame(values, index=[_label_text(r) for _, r in table.iterrows()], columns=columns)


TREATMENT_ITEMS = {"regimen": "Regimen", "ici_agent": "ICI agent"}
VALUE_UNIT = f"No.{NBSP}(%) or median{NBSP}(range)"


def treatment_details_display(table: pd.DataFrame) -> pd.DataFrame:
    """Section 3.2 as a table: per group, regimens and ICI agents as n (%), and cycles as median (range)."""
    index, values = [], []
    for group, sub in table.groupby("group", sort=False):
        index.append(f"{group} (n{NBSP}={NBSP}{int(sub['total'].iloc[0])})")
        values.append("")
        for item, rows in sub.groupby("item", sort=False):
            if item in TREATMENT_ITEMS:
                index.append(INDENT + TREATMENT_ITEMS[item])
                values.append("")
                for _, r in rows.iterrows():
                    index.append(2 * INDENT + str(r["label"]))
                    values.append(_value_text(r))
            else:
                r = rows.iloc[0]
                index.append(INDENT + _label_text(r))
                values.append(_value_text(r))
    return pd.DataFrame({VALUE_UNIT: values}, index=index)


def data_dictionary_display(dictionary: pd.DataFrame) -> pd.DataFrame:
    """The data contract with readable headers (the column names of the file stay as they are)."""
    out = dictionary.rename(
        columns={"column": "Column", "type": "Type", "values": "Allowed values", "meaning": "Meaning"}
    )
    return with_corner(out.set_index("Column"), "Column")


def accrual_display(accrual: pd.DataFrame) -> pd.DataFrame:
    """Patients by year of 2L start: n (%)."""
    total = int(accrual["patients"].sum())
    return pd.DataFrame(
        {COUNT_UNIT: [format_n_pct(n, total) for n in accrual["patients"]]},
        index=accrual["year"].astype(str).to_numpy(),
    ).rename_axis(columns="Year of 2L start")


def styled_prose(frame: pd.DataFrame, columns, caption: str = ""):
    """:func:`styled`, with the text ``columns`` (sentences, long lists) left-aligned and wrapping."""
    prose = "white-space: normal; text-align: left; min-width: 14em;"
    # per column, so that the rule outranks the book's 'td' style (a more specific selector)
    rules = {column: [{"selector": "td", "props": prose}] for column in columns}
    return styled(frame, caption).set_table_styles(rules, overwrite=False)


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


# --- tables in the PDF book ------------------------------------------------------------

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "\u200b": "",  # zero-width space: breaks are allowed after dots anyway (below)
}


def _breakable(text: str) -> str:
    """Allow a line break after a dot or underscore inside long identifiers (audit keys)."""
    return re.sub(r"(\.|\\_)(?=[A-Za-z])", r"\1\\allowbreak{}", text)


def latex_escape(text: str) -> str:
    """Plain text as LaTeX (XeLaTeX: Unicode such as ≥, –, χ², β stays as it is)."""
    return _breakable("".join(_LATEX_SPECIAL.get(ch, ch) for ch in str(text)))


def _as_latex_text(func):
    """Wrap a Styler display function: its (possibly HTML-escaped) text, LaTeX-escaped."""

    def display(value):
        return latex_escape(html.unescape(str(func(value))))

    return display


TEXT_WIDTH_PT = 400.0  # the text width (A4, Sphinx's margins) is about 430 pt; the rest absorbs estimate error
TABCOLSEP_PT = 4.0
CHAR_EM = 0.64  # average character width, in em (DejaVu Serif is wide; digits 0.64 em)
# the table's font, largest first: a table whose columns cannot fit even when every one wraps
# down to its longest word is set in the next smaller size
FONT_SIZES = ((r"\footnotesize", 8.0), (r"\scriptsize", 7.0), (r"\tiny", 5.0))
TEXT_WIDTH_EM = TEXT_WIDTH_PT / FONT_SIZES[0][1]  # the budget in em of the first size


def _words(text: str) -> list[str]:
    """Where a cell may break: spaces (not no-break spaces), underscores, a dot before a letter; never in a number."""
    return re.split(r"[ \t\n]|_|\.(?=[A-Za-z])|allowbreak\{\}", text)


def _least_width(cells: list[list[str]], padding: float) -> float:
    """The table's width (em) with every column wrapped down to its longest word."""
    return sum(max((len(w) for t in column for w in _words(t)), default=1) * CHAR_EM + padding for column in cells)


def _column_widths(cells: list[list[str]], budget: float = TEXT_WIDTH_EM, padding: float = 1.0) -> list[float | None]:
    """Widths (em) for the columns that must wrap to fit ``budget``; None for a column left at its natural width.

    ``cells`` holds each column's texts (header and body). The longest text of each
    column sets its natural width, its longest unbreakable word its least width. If
    the columns do not fit side by side, every column is capped at the largest width
    that makes them fit (never below its least width), and the capped ones wrap.
    ``padding`` is the space around each column (``\tabcolsep`` twice), in em.
    """
    natural = [max((len(t) for t in column), default=1) * CHAR_EM for column in cells]
    least = [max((len(w) for t in column for w in _words(t)), default=1) * CHAR_EM for column in cells]

    def total(cap: float) -> float:
        return sum(max(min(w, cap), m) for w, m in zip(natural, least, strict=True)) + padding * len(natural)

    if total(max(natural)) <= budget:
        return [None] * len(natural)
    low, high = 0.0, max(natural)
    for _ in range(40):
        cap = (low + high) / 2
        low, high = (cap, high) if total(cap) <= budget else (low, cap)
    return [round(max(low, m), 2) if w > max(low, m) else None for w, m in zip(natural, least, strict=True)]


def _font_size(cells: list[list[str]]) -> tuple[str, float, float]:
    """The largest font whose columns can fit the text width: (command, budget in em, padding in em)."""
    fits = [
        (command, TEXT_WIDTH_PT / size, 2 * TABCOLSEP_PT / size)
        for command, size in FONT_SIZES
        if _least_width(cells, 2 * TABCOLSEP_PT / size) <= TEXT_WIDTH_PT / size
    ]
    if fits:
        return fits[0]
    command, size = FONT_SIZES[-1]  # nothing fits: the smallest size, and the columns wrap as far as they can
    return command, TEXT_WIDTH_PT / size, 2 * TABCOLSEP_PT / size


def latex_table(styler) -> str:
    """A pandas Styler as a LaTeX ``longtable`` for the PDF book.

    The Styler's own formatting (number formats, ``na_rep``, hidden index) is
    kept; its HTML escaping is undone and LaTeX escaping applied instead. The
    table is set small; columns too wide to sit side by side within the text
    width become paragraph columns that wrap (labels ragged right, values
    centred), and the table breaks across pages with its header repeated. The
    caption comes from the book (``{glue:figure}``), not from the table.
    """
    sty = copy.deepcopy(styler)
    for attr in ("_display_funcs", "_display_funcs_index", "_display_funcs_columns"):
        funcs = getattr(sty, attr)
        for key, func in list(funcs.items()):
            funcs[key] = _as_latex_text(func)
        default = funcs.default_factory
        funcs.default_factory = lambda default=default: _as_latex_text(default())
    sty.caption = None
    sty.table_styles = []  # CSS, meaningless in LaTeX
    sty._todo = []  # cell colours of .apply/.map: LaTeX would get them as commands
    frame = sty.data
    index_levels = [i for i, hidden in enumerate(sty.hide_index_) if not hidden]
    cells = [
        [str(v) for v in frame.index.get_level_values(i)] + [str(frame.index.names[i] or "")] for i in index_levels
    ]
    headers = [column if isinstance(column, tuple) else (column,) for column in frame.columns]
    for j, header in enumerate(headers):
        shown = [str(sty._display_funcs[(i, j)](frame.iat[i, j])) for i in range(len(frame))]
        # every header level whose label is this column's own; a label spanning several columns
        # (a \multicolumn such as "Before PSM") does not size any one of them
        neighbours = [headers[k] for k in (j - 1, j + 1) if 0 <= k < len(headers)]
        own = [str(label) for level, label in enumerate(header) if all(n[level] != label for n in neighbours)]
        cells.append([*shown, *(latex_escape(label) for label in own)])
    font, budget, padding = _font_size(cells)
    widths = _column_widths(cells, budget, padding)
    spec = ""
    for i, width in enumerate(widths):
        is_label = i < len(index_levels)
        if width is None:
            spec += "l" if is_label else "c"
        else:
            long_text = max(len(t) for t in cells[i]) > 24  # words, not a number: ragged right
            align = r"\raggedright" if is_label or long_text else r"\centering"
            spec += rf">{{{align}\arraybackslash}}p{{{width}em}}"
    body = sty.to_latex(
        environment="longtable",
        hrules=True,
        column_format=spec,
        multicol_align="c",
        multirow_align="t",
        siunitx=False,
        convert_css=False,
    )
    if index_levels and widths[0] is not None:  # a multirow label sits in its (paragraph) column
        body = re.sub(r"(\\multirow\[\w\]\{\d+\})\{\*\}", r"\1{=}", body)
    return "\n".join(
        [
            rf"\begingroup{font}\setlength{{\tabcolsep}}{{{TABCOLSEP_PT:g}pt}}\renewcommand{{\arraystretch}}{{1.1}}",
            body,
            r"\endgroup",
        ]
    )
