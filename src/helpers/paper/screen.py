"""The multivariable screen of Tables 4–5, read from the book's results and from the paper's printed p-values.

The original study let a characteristic into its multivariable Cox model when
its univariate p-value was below an entry threshold (``design.COX_ENTRY_P``)
and called the characteristics whose multivariable p-value was below the
significance level "independent factors". :func:`selection` applies both rules
to either source, :func:`threshold_screen` re-applies the screen with other
thresholds. Printed p-values such as ``"<0.001"`` are read by
:func:`helpers.printed.parse_printed`, never by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from ..printed import PrintedNumber, is_missing, parse_printed
from ..study.cohort import TABLE1_VARIABLES
from ..study.design import ALPHA, COX_ENTRY_P, COX_TABLES, ENDPOINTS
from ..study.pipeline import StudyResults
from .published import TABLE1_KEYS, published

SOURCES = ("This book", "Original study")
THRESHOLDS = (0.05, 0.10, COX_ENTRY_P, 0.20)


@dataclass(frozen=True)
class Selection:
    """Which characteristics pass the univariate screen, and which stay below ``alpha`` in the model."""

    entered: tuple[str, ...]
    independent: tuple[str, ...]


def printed_p(endpoint: str, model: str) -> dict[str, PrintedNumber | None]:
    """The printed p-value of each characteristic in Table 4 (PFS) or 5 (OS); None where the cell is empty."""
    table = COX_TABLES[endpoint]
    out = {}
    for var in TABLE1_VARIABLES:
        value = published(f"{table}.rows.{TABLE1_KEYS[var][0]}.{model}.p")
        out[var] = None if value is None else parse_printed(value)
    return out


def _below(p, threshold: float) -> bool:
    if p is None:
        return False
    if isinstance(p, PrintedNumber):
        return p.below(threshold)
    return not is_missing(p) and float(p) < threshold


def _p_values(source: str, results: StudyResults | None, endpoint: str, model: str) -> dict:
    if source == SOURCES[1]:
        return printed_p(endpoint, model)
    if results is None:
        raise ValueError("the book's p-values need the results")
    table = results.cox(endpoint).set_index("covariate")
    column = "uni_p_value" if model == "univariate" else "multi_p_value"
    return {var: table.loc[var, column] for var in TABLE1_VARIABLES}


def selection(
    endpoint: str,
    results: StudyResults | None = None,
    *,
    entry_p: float = COX_ENTRY_P,
    alpha: float = ALPHA,
) -> Selection:
    """The screen and the 'independent factors' of one endpoint: the book's (``results``) or the paper's (None)."""
    source = SOURCES[1] if results is None else SOURCES[0]
    uni = _p_values(source, results, endpoint, "univariate")
    multi = _p_values(source, results, endpoint, "multivariate")
    entered = tuple(v for v in TABLE1_VARIABLES if _below(uni[v], entry_p))
    independent = tuple(v for v in entered if _below(multi[v], alpha))
    return Selection(entered, independent)


def printed_multivariable(endpoint: str) -> tuple[str, ...]:
    """The characteristics the paper shows in its multivariable model (those with a printed multivariable HR)."""
    table = COX_TABLES[endpoint]
    return tuple(
        v for v in TABLE1_VARIABLES if published(f"{table}.rows.{TABLE1_KEYS[v][0]}.multivariate.hr") is not None
    )


def threshold_screen(results: StudyResults, thresholds: Iterable[float] = THRESHOLDS) -> pd.DataFrame:
    """How many characteristics enter under each entry threshold, from the book's and the printed p-values.

    One row per (endpoint, source, threshold): ``endpoint, source,
    threshold, n_entered, entered`` (a tuple of variables).
    """
    rows = []
    for endpoint in ENDPOINTS:
        for source in SOURCES:
            uni = _p_values(source, results, endpoint, "univariate")
            for t in sorted(set(thresholds)):
                entered = tuple(v for v in TABLE1_VARIABLES if _below(uni[v], t))
                rows.append(
                    {
                        "endpoint": endpoint,
                        "source": source,
                        "threshold": t,
                        "n_entered": len(entered),
                        "entered": entered,
                    }
                )
    return pd.DataFrame(rows)


def threshold_sensitive(results: StudyResults, thresholds: Iterable[float] = THRESHOLDS) -> pd.DataFrame:
    """The characteristics whose entry depends on the threshold: in the screen at the largest, not at the smallest.

    One row per (endpoint, source, variable).
    """
    screen = threshold_screen(results, thresholds)
    rows = []
    for (endpoint, source), sub in screen.groupby(["endpoint", "source"], sort=False):
        low = set(sub.loc[sub["threshold"].idxmin(), "entered"])
        high = sub.loc[sub["threshold"].idxmax(), "entered"]
        rows += [{"endpoint": endpoint, "source": source, "variable": v} for v in high if v not in low]
    return pd.DataFrame(rows, columns=["endpoint", "source", "variable"])
