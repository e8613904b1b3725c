"""Numbers as the original study prints them: rounding, formatting, and reading them back.

The paper prints with SPSS conventions: halves rounded away from zero, p-values
with three decimals and ``<0.001`` below that, ``NR`` for a median not reached.
This module is the one place that turns a number into that text
(:func:`round_half_up`, :func:`format_p`, ...) and the one place that reads such
text back (:func:`parse_printed`), so that "<0.001" means the same thing in the
audit, the generator's targets and the chapters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

EN_DASH = "–"
NOT_REACHED = "NR"  # a median the curve never reaches
NOT_ESTIMABLE = "NE"  # a confidence limit that cannot be estimated


def is_missing(x) -> bool:
    """None, NaN (float or numpy) or pandas' NA; text is never missing."""
    if x is None or isinstance(x, str):
        return x is None
    try:
        return bool(x != x)  # NaN and pd.NA compare unequal to themselves
    except TypeError:  # pd.NA raises in a boolean context
        return True


def round_half_up(x: float, decimals: int = 0) -> float:
    """Round halves away from zero, as SPSS prints (31.25 -> 31.3; Python's round gives 31.2)."""
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(x))).quantize(quantum, rounding=ROUND_HALF_UP))


def fixed(x: float, decimals: int) -> str:
    """``x`` with exactly ``decimals`` decimals, halves rounded up."""
    return f"{round_half_up(x, decimals):.{decimals}f}"


def format_p(p, digits: int = 3) -> str:
    """p-value with ``digits`` decimals; below 10^-digits it prints as '<0.001'.

    A p-value already printed as text (the paper's '<0.001') passes through;
    a missing one prints as an empty string.
    """
    if isinstance(p, str):
        return p
    if is_missing(p):
        return ""
    floor = 10.0**-digits
    return f"<{floor:.{digits}f}" if p < floor else fixed(p, digits)


def p_phrase(p, symbol: str = "p") -> str:
    """'p = 0.026' or 'p < 0.001', from a p-value or a p-value as printed ('<0.001')."""
    text = format_p(p)
    return f"{symbol} {text[0]} {text[1:]}" if text.startswith("<") else f"{symbol} = {text}"


def format_median_ci(median, lower, upper, digits: int = 1) -> str:
    """'est (lower–upper)' for a median survival time, with "NR" and "NE" at the edges.

    A missing median prints as ``NR`` (not reached) and a missing limit as
    ``NE`` (not estimable), so a table never shows an empty cell or
    "nan–nan": ``format_median_ci(float("nan"), 4.1, float("nan"))`` gives
    "NR (4.1–NE)".
    """

    def one(x) -> str:
        return NOT_ESTIMABLE if is_missing(x) else fixed(x, digits)

    estimate = NOT_REACHED if is_missing(median) else fixed(median, digits)
    return f"{estimate} ({one(lower)}{EN_DASH}{one(upper)})"


@dataclass(frozen=True)
class PrintedNumber:
    """A number as printed: its text, the value and how the value relates to the truth.

    ``relation`` is ``"="`` for an ordinary number, ``"<"`` for an upper bound
    such as ``<0.001`` (``value`` is then the bound), and ``"NR"`` for a median
    not reached (``value`` is NaN).
    """

    text: str
    value: float
    relation: str

    @property
    def is_bound(self) -> bool:
        return self.relation == "<"

    def below(self, threshold: float) -> bool:
        """Whether the printed quantity is below ``threshold`` (e.g. significant at 0.05)."""
        if self.relation == "NR":
            return False
        return self.value <= threshold if self.is_bound else self.value < threshold

    def agrees(self, x: float, decimals: int) -> bool:
        """Whether ``x``, printed the same way, gives this text (for '<0.001': x < 0.001)."""
        if is_missing(x):
            return self.relation == "NR"
        if self.is_bound:
            return x < self.value
        return self.relation == "=" and round_half_up(x, decimals) == self.value


def parse_printed(value) -> PrintedNumber:
    """Read a printed number: ``0.026``, ``"<0.001"``, ``"NR"`` or an int.

    Raises ValueError naming the value when it is none of these.
    """
    if isinstance(value, bool):
        raise ValueError(f"a printed number was expected, got the flag {value!r}")
    if isinstance(value, int | float):
        return PrintedNumber(str(value), float(value), "=")
    if isinstance(value, str):
        text = value.strip()
        if text.upper() == NOT_REACHED:
            return PrintedNumber(text, math.nan, "NR")
        if text.startswith("<"):
            try:
                return PrintedNumber(text, float(text[1:].strip()), "<")
            except ValueError:
                pass
        else:
            try:
                return PrintedNumber(text, float(text), "=")
            except ValueError:
                pass
    raise ValueError(f"cannot read {value!r} as a printed number (expected e.g. 0.026, '<0.001' or 'NR')")


def is_printed_number(value) -> bool:
    """Whether ``value`` reads as a printed number (see :func:`parse_printed`)."""
    try:
        parse_printed(value)
    except ValueError:
        return False
    return True
