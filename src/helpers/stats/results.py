"""The result type shared by every hypothesis test of the statistics layer."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class TestResult:
    """A test statistic with its degrees of freedom and p-value.

    ``test`` names the test actually run (``"log-rank"``, ``"pearson"``,
    ``"fisher"``, ...). ``p_method`` says how the p-value was obtained:
    ``"asymptotic"`` (chi-square or normal distribution), ``"exact"`` or
    ``"monte-carlo"``. A test without a chi-square statistic (Fisher's) has
    ``statistic`` NaN and ``df`` None. ``n`` is the number of observations and
    ``min_expected`` the smallest expected count where the test has one.
    ``details`` holds the test's own table (observed and expected events per
    group, or the contingency table that was tested). ``n_dropped`` counts
    the rows left out for a missing value when the function was called with
    ``dropna=True`` (R's ``na.omit``); it is 0 otherwise. ``p_se`` is the
    standard error of a Monte Carlo p-value (None for other methods).
    """

    __test__ = False  # not a pytest test class

    test: str
    statistic: float
    df: int | None
    p_value: float
    p_method: str = "asymptotic"
    n: int | None = None
    min_expected: float | None = None
    details: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)
    n_dropped: int = 0
    p_se: float | None = None

    @property
    def table(self) -> pd.DataFrame:
        """The table the test was computed from (alias of ``details``)."""
        return self.details

    def to_frame(self) -> pd.DataFrame:
        """One row; ``df`` is a nullable integer column (missing for Fisher)."""
        return pd.DataFrame(
            {
                "test": [self.test],
                "statistic": [self.statistic],
                "df": pd.array([self.df], dtype="Int64"),
                "p_value": [self.p_value],
                "p_method": [self.p_method],
                "n": pd.array([self.n], dtype="Int64"),
                "min_expected": [self.min_expected],
            }
        )
