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

from ..printed import EN_DASH, format_p, round_half_up
from ..printed import fixed as _fixed
from ..printed import is_missing as _missing
from ..study.design import characteristic_in_text

__all__ = ["EN_DASH", "format_p", "round_half_up"]  # re-exported: the chapters format through this module


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


def p_phrase(p, symbol: str = "P") -> str:
    """'P = 0.026' or 'P < 0.001', from a p-value or from a p-value as the paper printed it."""
    text = format_p(p)
    return f"{symbol} {text[0]} {text[1:]}" if text.startswith("<") else f"{symbol} = {text}"


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


def styled(frame: pd.DataFrame, caption: str = ""):
    """A pandas Styler in the book's table style (left-aligned labels, caption above).

    Cells and labels are HTML-escaped: values such as "<0.001" or "<65" are text.
    Numbers stay on one line; row labels and long text cells (notes) wrap, so a
    table fits the text column where it can and scrolls in its own box where it
    cannot (book/_static/book.css).
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
            {"selector": "td", "props": "text-align: center; padding: 2px 10px; white-space: nowrap;"},
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


TEXT_WIDTH_EM = 54.0  # the PDF's text width (A4, Sphinx's margins) in em of the table's footnotesize font
CHAR_EM = 0.64  # average character width, in em (DejaVu Serif is wide; digits 0.64 em)


def _column_widths(cells: list[list[str]], budget: float = TEXT_WIDTH_EM) -> list[float | None]:
    """Widths (em) for the columns that must wrap to fit ``budget``; None for a column left at its natural width.

    ``cells`` holds each column's texts (header and body). The longest text of each
    column sets its natural width, its longest unbreakable word its least width. If
    the columns do not fit side by side, every column is capped at the largest width
    that makes them fit (never below its least width), and the capped ones wrap.
    """
    natural = [max((len(t) for t in column), default=1) * CHAR_EM for column in cells]
    least = [
        max((len(w) for t in column for w in re.split(r"[\s._]|allowbreak\{\}", t)), default=1) * CHAR_EM
        for column in cells
    ]
    padding = 1.0  # \tabcolsep on both sides

    def total(cap: float) -> float:
        return sum(max(min(w, cap), m) for w, m in zip(natural, least, strict=True)) + padding * len(natural)

    if total(max(natural)) <= budget:
        return [None] * len(natural)
    low, high = 0.0, max(natural)
    for _ in range(40):
        cap = (low + high) / 2
        low, high = (cap, high) if total(cap) <= budget else (low, cap)
    return [round(max(low, m), 2) if w > max(low, m) else None for w, m in zip(natural, least, strict=True)]


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
    for j, column in enumerate(frame.columns):
        header = column if isinstance(column, tuple) else (column,)
        shown = [str(sty._display_funcs[(i, j)](frame.iat[i, j])) for i in range(len(frame))]
        cells.append([*shown, latex_escape(header[-1])])
    widths = _column_widths(cells)
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
    labels_wrap = index_levels and all(widths[i] is not None for i in range(len(index_levels)))
    if labels_wrap:  # a multirow label sits in its (paragraph) column, not at its natural width
        body = re.sub(r"(\\multirow\[\w\]\{\d+\})\{\*\}", r"\1{=}", body)
    return "\n".join(
        [r"\begingroup\footnotesize\setlength{\tabcolsep}{4pt}\renewcommand{\arraystretch}{1.1}", body, r"\endgroup"]
    )
