"""Formatting of results the way the original study printed them.

Only strings are made here; nothing is computed. Conventions: counts as
integers, percentages with one decimal, p-values with three decimals and
"<0.001" below that, main-comparison HRs with two decimals and Cox-table HRs
with three.
"""

from __future__ import annotations

import math

import pandas as pd

EN_DASH = "–"


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or (not isinstance(x, str) and pd.isna(x))


def format_p(p, digits: int = 3) -> str:
    """p-value with ``digits`` decimals; below 10^-digits it prints as '<0.001'."""
    if _missing(p):
        return ""
    floor = 10.0**-digits
    return f"<{floor:.{digits}f}" if p < floor else f"{p:.{digits}f}"


def format_n_pct(n, total, digits: int = 1) -> str:
    """'n (pct)' with the percentage of ``total``."""
    if _missing(n):
        return ""
    pct = 100.0 * n / total if total else float("nan")
    return f"{int(n)} ({pct:.{digits}f})"


def format_estimate_ci(estimate, lower, upper, digits: int = 2) -> str:
    """'est (lower–upper)' with an en dash."""
    if _missing(estimate):
        return ""
    return f"{estimate:.{digits}f} ({lower:.{digits}f}{EN_DASH}{upper:.{digits}f})"


def format_number(x, digits: int = 2) -> str:
    return "" if _missing(x) else f"{x:.{digits}f}"
