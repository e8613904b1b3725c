"""Between-group comparisons of categorical variables (tests of independence in a contingency table).

Compute only: no rounding and no string formatting. The default rule is SPSS's
crosstabs convention: Pearson's chi-square without continuity
correction, replaced by the two-sided Fisher exact test when a cell's expected
count is below 5. Other methods can be forced for sensitivity analyses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar

from .errors import StatsError
from .results import TestResult

METHODS = ("auto", "pearson", "yates", "fisher")
EXPECTED_CUTOFF = 5.0


def _as_count_table(table) -> pd.DataFrame:
    """The input as a DataFrame of non-negative integer counts, labels kept."""
    if isinstance(table, pd.DataFrame):
        frame = table.copy()
    else:
        array = np.asarray(table)
        if array.ndim != 2:
            raise StatsError(f"expected a 2-D table of counts (levels x groups), got {array.ndim} dimension(s)")
        frame = pd.DataFrame(array)
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise StatsError(f"expected a 2-D table of counts (levels x groups), got an empty table {frame.shape}")
    try:
        values = frame.to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise StatsError(f"the table must hold numeric counts: {exc}") from None
    if not np.all(np.isfinite(values)):
        raise StatsError("the table holds missing or infinite values; every cell must be a count")
    if np.any(values < 0):
        raise StatsError("the table holds negative values; every cell must be a count >= 0")
    if not np.all(values == np.round(values)):
        raise StatsError("the table holds non-integer values; every cell must be a whole-number count")
    return pd.DataFrame(values.astype(np.int64), index=frame.index, columns=frame.columns)


def _drop_empty(counts: pd.DataFrame) -> pd.DataFrame:
    """Remove all-zero rows and columns; fail unless a 2 x 2 or larger table remains."""
    kept = counts.loc[counts.sum(axis=1) > 0, counts.sum(axis=0) > 0]
    problems = []
    if kept.shape[0] < 2:
        levels = ", ".join(repr(x) for x in kept.index) or "none"
        problems.append(
            f"only {kept.shape[0]} row (level) with any count (non-empty: {levels}); the variable does not vary"
        )
    if kept.shape[1] < 2:
        groups = ", ".join(repr(x) for x in kept.columns) or "none"
        problems.append(f"only {kept.shape[1]} column (group) with any count (non-empty: {groups})")
    if problems:
        raise StatsError(
            "cannot compare proportions: after dropping empty rows and columns the table has "
            + " and ".join(problems)
            + "; a test of independence needs at least 2 levels and 2 groups"
        )
    return kept


def _expected(observed: np.ndarray) -> np.ndarray:
    return np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()


def expected_counts(table) -> pd.DataFrame:
    """Counts expected under independence: row total x column total / grand total, same labels as ``table``."""
    counts = _as_count_table(table)
    return pd.DataFrame(_expected(counts.to_numpy()), index=counts.index, columns=counts.columns)


def compare_proportions(
    table,
    *,
    method: str = "auto",
    expected_cutoff: float = EXPECTED_CUTOFF,
    n_resamples: int = 100_000,
    seed: int = 0,
) -> TestResult:
    """Test whether the distribution of a categorical variable differs between groups.

    Parameters
    ----------
    table : DataFrame or array-like
        Counts, one row per level of the variable and one column per group.
        Rows or columns that are entirely zero (e.g. complete responses when
        no patient had one) are dropped before testing.
    method : {"auto", "pearson", "yates", "fisher"}
        ``auto`` (default) is the SPSS crosstabs rule: Pearson if every
        expected count is >= ``expected_cutoff``, otherwise Fisher.
        ``pearson`` always uses the uncorrected chi-square, ``yates`` the
        continuity-corrected chi-square (2x2 tables only) and ``fisher`` the
        two-sided Fisher test.
    expected_cutoff : float
        The expected count below which ``auto`` switches to Fisher.
    n_resamples, seed : int
        Monte Carlo settings, used only for the Fisher test on a table larger
        than 2x2 (see Notes). The fixed seed makes the p-value repeatable.

    Returns
    -------
    TestResult
        ``test`` is the test actually run (``pearson``, ``yates`` or ``fisher``),
        ``p_method`` how its p-value was obtained (``asymptotic``, ``exact`` for
        2x2 Fisher, ``monte-carlo`` for larger Fisher tables), ``min_expected``
        the smallest expected count under independence, and ``details`` the
        table that was tested (empty rows and columns removed).

    Raises
    ------
    StatsError
        If the input is not a 2-D table of non-negative whole counts, if fewer
        than two non-empty rows or columns remain, if ``method`` is unknown,
        or if ``yates`` is asked for on a table larger than 2x2.

    Notes
    -----
    Expected counts are row total x column total / grand total. Pearson's
    statistic is sum (O - E)^2 / E on (r - 1)(c - 1) degrees of freedom.
    The Yates version shrinks each |O - E| by 0.5 (never below zero) before
    squaring, as SPSS's "Continuity Correction" row does for 2x2 tables.

    Fisher's test on a 2x2 table is exact: with all margins fixed the top-left
    cell is hypergeometric, and the two-sided p-value adds the probabilities of
    every table no more likely than the observed one (the SPSS and R
    definition; ``scipy.stats.fisher_exact``). For larger tables SciPy 1.17
    offers no exact enumeration; ``fisher_exact`` instead estimates the
    Freeman–Halton p-value (the share of random tables with the observed
    margins that are no more likely than the observed table) by Monte Carlo
    sampling, which is what is used here, with ``n_resamples`` tables drawn
    from a generator seeded with ``seed``. The Monte Carlo standard error is
    about sqrt(p (1 - p) / n_resamples), i.e. at most 0.0016 by default. 2x2 tables never
    depend on this.
    """
    if method not in METHODS:
        raise StatsError(f"method must be one of {METHODS}, got {method!r}")
    counts = _drop_empty(_as_count_table(table))
    observed = counts.to_numpy()
    n = int(observed.sum())
    min_expected = float(_expected(observed).min())
    is_2x2 = observed.shape == (2, 2)

    test = method
    if method == "auto":
        test = "fisher" if min_expected < expected_cutoff else "pearson"

    if test == "fisher":
        if is_2x2:
            p_value = float(stats.fisher_exact(observed, alternative="two-sided").pvalue)
            p_method = "exact"
        else:
            mc = stats.MonteCarloMethod(n_resamples=n_resamples, rng=np.random.default_rng(seed))
            p_value = float(stats.fisher_exact(observed, method=mc).pvalue)
            p_method = "monte-carlo"
        return TestResult("fisher", float("nan"), None, p_value, p_method, n, min_expected, counts)

    if test == "yates" and not is_2x2:
        raise StatsError(
            f"the Yates continuity correction is defined for 2x2 tables only; this table is "
            f"{observed.shape[0]}x{observed.shape[1]} (use method='pearson' or 'fisher')"
        )
    res = stats.chi2_contingency(observed, correction=(test == "yates"))
    return TestResult(
        test, float(res.statistic), int(res.dof), float(res.pvalue), "asymptotic", n, min_expected, counts
    )


def compare_groups(
    data: pd.DataFrame,
    variable: str,
    group_col: str = "group",
    *,
    method: str = "auto",
    **options,
) -> TestResult:
    """Cross-tabulate one column of a patient-level frame by group and test it.

    Parameters
    ----------
    data : DataFrame
        One row per patient.
    variable : str
        A 0/1 or categorical column; each distinct value is one row of the table.
    group_col : str
        The column holding the group; each distinct value is one column.
    method : str
        Passed to :func:`compare_proportions`, as are any further ``options``.

    Notes
    -----
    Patients with a missing value in ``variable`` or ``group_col`` are left
    out, as in a crosstab. Levels are sorted, which does not change any of
    the tests. A variable with one observed level (or a single group) raises
    StatsError naming the variable.
    """
    missing = [c for c in (variable, group_col) if c not in data.columns]
    if missing:
        raise StatsError(f"columns not in the data: {', '.join(missing)}")
    counts = pd.crosstab(data[variable], data[group_col])
    try:
        return compare_proportions(counts, method=method, **options)
    except StatsError as exc:
        raise StatsError(f"'{variable}' by '{group_col}': {exc}") from None


def mcnemar_test(first, second, *, exact: bool = True) -> TestResult:
    """McNemar's test of paired 0/1 observations (e.g. both members of matched pairs).

    Parameters
    ----------
    first, second : array-like
        One 0/1 value per pair: the first and the second member's.
    exact : bool
        Binomial test on the discordant pairs (default, R ``binom.test`` on
        them); otherwise the chi-square statistic without continuity correction.

    Returns
    -------
    TestResult
        ``details`` is the 2x2 table of pairs (rows: first, columns: second).

    Notes
    -----
    Only the discordant pairs inform the test: b pairs with (1, 0) and c with
    (0, 1). The exact p-value is 2 P(X <= min(b, c)) for X ~ Binomial(b + c, 1/2),
    capped at 1.
    """
    a = pd.Series(np.asarray(first)).reset_index(drop=True)
    b = pd.Series(np.asarray(second)).reset_index(drop=True)
    if len(a) != len(b):
        raise StatsError(f"first and second must hold one value per pair (got {len(a)} and {len(b)})")
    for name, values in (("first", a), ("second", b)):
        bad = values.index[~values.isin([0, 1])]
        if len(bad):
            raise StatsError(
                f"{name}: {len(bad)} value(s) are not 0/1 (pairs {', '.join(str(i + 1) for i in bad[:5])}); "
                "McNemar's test needs paired 0/1 observations"
            )
    table = pd.crosstab(a.astype(int), b.astype(int)).reindex(index=[0, 1], columns=[0, 1], fill_value=0)
    res = mcnemar(table.to_numpy(), exact=exact, correction=False)
    statistic = float("nan") if exact else float(res.statistic)
    return TestResult(
        "mcnemar",
        statistic,
        None if exact else 1,
        float(res.pvalue),
        "exact" if exact else "asymptotic",
        len(a),
        None,
        table,
    )
