"""Between-group comparisons of categorical variables (tests of independence in a contingency table).

Compute only: no rounding and no string formatting. The default rule is SPSS's
crosstabs convention: Pearson's chi-square without continuity
correction, replaced by the two-sided Fisher exact test when a cell's expected
count is below 5. Other methods can be forced for sensitivity analyses.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import special, stats
from statsmodels.stats.contingency_tables import mcnemar

from . import validate
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
        raise StatsError(f"table: the table must hold numeric counts: {exc}") from None
    rules = (
        (~np.isfinite(values), "missing or infinite", "every cell must be a count"),
        (values < 0, "negative", "every cell must be a count >= 0"),
        (values != np.round(values), "non-integer", "every cell must be a whole-number count"),
    )
    for bad, what, rule in rules:  # in this order, a NaN is reported as missing only
        if bad.any():
            cells = np.argwhere(bad)
            shown = ", ".join(f"(row {i + 1}, column {j + 1})" for i, j in cells[: validate.SHOWN_ROWS])
            more = f" and {len(cells) - validate.SHOWN_ROWS} more" if len(cells) > validate.SHOWN_ROWS else ""
            raise StatsError(f"table: the table holds {what} values in cell(s) {shown}{more}; {rule}")
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
    definition; ``scipy.stats.fisher_exact``). Larger tables get the exact
    Freeman–Halton p-value by enumeration (:func:`fisher_rxc`), as R's
    ``fisher.test`` computes it; only a table too large to enumerate falls
    back to Monte Carlo (``p_method`` "monte-carlo", standard error in
    ``p_se``, below 1e-4).
    """
    if method not in METHODS:
        raise StatsError(f"method must be one of {METHODS}, got {method!r}")
    expected_cutoff = validate.positive(expected_cutoff, "expected_cutoff")
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int | np.integer) or n_resamples < 1:
        raise StatsError(f"n_resamples: expected a whole number >= 1, got {n_resamples!r}")
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
            p_method, p_se = "exact", None
        else:
            p_value, p_method, p_se = fisher_rxc(observed, n_resamples=n_resamples, seed=seed)
        return TestResult("fisher", float("nan"), None, p_value, p_method, n, min_expected, counts, p_se=p_se)

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
    dropna: bool = False,
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
    dropna : bool
        Leave out patients with a missing value in ``variable`` or
        ``group_col`` (as a crosstab or R's ``na.omit`` does) and count them in
        the result's ``n_dropped``. By default a missing value raises
        StatsError naming the column and rows.

    Notes
    -----
    Levels are sorted, which does not change any of the tests. A variable
    with one observed level (or a single group) raises StatsError naming the
    variable.
    """
    if not isinstance(data, pd.DataFrame):
        raise StatsError(f"data: expected a pandas DataFrame, got {type(data).__name__}")
    missing = [c for c in (variable, group_col) if c not in data.columns]
    if missing:
        raise StatsError(f"data: columns not in the data: {', '.join(missing)}")
    for column in (variable, group_col):
        validate.labels(data[column], f"column {column!r}", dropna=dropna)
    keep, n_dropped = validate.complete_rows(data[variable].to_numpy(), data[group_col].to_numpy())
    rows = data.loc[keep]
    counts = pd.crosstab(rows[variable], rows[group_col])
    try:
        result = compare_proportions(counts, method=method, **options)
    except StatsError as exc:
        raise StatsError(f"'{variable}' by '{group_col}': {exc}") from None
    return replace(result, n_dropped=n_dropped)


def mcnemar_test(first, second, *, exact: bool = True, dropna: bool = False) -> TestResult:
    """McNemar's test of paired 0/1 observations (e.g. both members of matched pairs).

    Parameters
    ----------
    first, second : array-like
        One 0/1 value per pair: the first and the second member's.
    exact : bool
        Binomial test on the discordant pairs (default, R ``binom.test`` on
        them); otherwise the chi-square statistic without continuity correction.
    dropna : bool
        Leave out pairs with a missing member (counted in ``n_dropped``); by
        default a missing value raises StatsError naming the pairs.

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
    x = validate.binary(first, "first", dropna=dropna)
    y = validate.binary(second, "second", dropna=dropna)
    if len(x) != len(y):
        raise StatsError(f"first and second must hold one value per pair (got {len(x)} and {len(y)})")
    keep, n_dropped = validate.complete_rows(x, y)
    a = pd.Series(x[keep].astype(int))
    b = pd.Series(y[keep].astype(int))
    if len(a) == 0:
        raise StatsError("first, second: no complete pair to test")
    table = pd.crosstab(a, b).reindex(index=[0, 1], columns=[0, 1], fill_value=0)
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
        n_dropped,
    )


# --- Fisher–Freeman–Halton exact test for r x c tables ------------------------------

FISHER_RELATIVE_TOLERANCE = 1e-7  # R's fisher.test: tables within this relative distance of P_obs count as ties
FISHER_MAX_NODES = 20_000_000  # enumeration budget (partial tables x candidate columns) before Monte Carlo
MONTE_CARLO_MAX_SE = 1e-4


class _TooLarge(Exception):
    pass


def _log_factorial(x):
    return special.gammaln(np.asarray(x, dtype=float) + 1.0)


def _even_split_score(totals: np.ndarray, parts: int) -> float:
    """max of -sum log(x_k!) over splits of each total into ``parts`` non-negative integers."""
    q, rem = np.divmod(totals, parts)
    return float(-np.sum(rem * _log_factorial(q + 1) + (parts - rem) * _log_factorial(q)))


def _column_vectors(total: int, caps: np.ndarray) -> np.ndarray:
    """All integer vectors 0 <= x <= caps with sum(x) = total, one per row of the result."""
    if caps.size == 1:
        return np.array([[total]]) if total <= caps[0] else np.empty((0, 1), dtype=np.int64)
    if caps.size == 2:
        first = np.arange(max(0, total - int(caps[1])), min(total, int(caps[0])) + 1)
        return np.column_stack([first, total - first])
    rest_cap = int(caps[1:].sum())
    out = []
    for first in range(max(0, total - rest_cap), min(total, int(caps[0])) + 1):
        tail = _column_vectors(total - first, caps[1:])
        if tail.size:
            out.append(np.column_stack([np.full(len(tail), first), tail]))
    return np.vstack(out) if out else np.empty((0, caps.size), dtype=np.int64)


def fisher_rxc(observed, *, n_resamples: int = 100_000, seed: int = 0) -> tuple[float, str, float | None]:
    """Exact Fisher–Freeman–Halton p-value of an r x c table of counts.

    Returns ``(p_value, p_method, p_se)``: ``"exact"`` with ``p_se`` None, or,
    when the enumeration would exceed :data:`FISHER_MAX_NODES` nodes,
    ``"monte-carlo"`` with the standard error of the estimate (below
    :data:`MONTE_CARLO_MAX_SE`).

    Notes
    -----
    Under independence with both margins fixed a table has probability
    P = prod(r_i!) prod(c_j!) / (n! prod(n_ij!)) (Freeman & Halton 1951). The
    p-value is the sum of P over every table with the observed margins whose
    P is at most P_obs (1 + 1e-7), the relative tolerance R's ``fisher.test``
    uses so that tables tied with the observed one in exact arithmetic are not
    lost to rounding.

    The tables are enumerated column by column (the table is first transposed
    so that columns are the longer side). At each partial table the remaining
    cells are bounded as in the network algorithm of Mehta & Patel (1983): if
    even the most probable completion is no more probable than the observed
    table, all completions count, and their total probability is known in
    closed form (sum over completions of 1 / prod n_ij! =
    n'! / (prod r'_i! prod c'_j!)); if even the least probable completion is
    more probable, none counts. The bounds come from relaxing either the row
    or the column sums: spreading each remaining total evenly gives the
    largest possible value of -sum log n_ij!, putting it in a single cell the
    smallest. Only partial tables near the boundary are expanded, which keeps
    tables with small r, c and n up to a few hundred fast.
    """
    table = np.asarray(observed, dtype=np.int64)
    if table.shape[0] > table.shape[1]:
        table = table.T
    try:
        return _fisher_exact_enumeration(table), "exact", None
    except _TooLarge:
        return _fisher_monte_carlo(table, n_resamples, seed)


def _fisher_exact_enumeration(table: np.ndarray) -> float:
    rows = table.sum(axis=1)
    cols = table.sum(axis=0)
    n = int(rows.sum())
    n_rows, n_cols = table.shape
    constant = float(np.sum(_log_factorial(rows)) + np.sum(_log_factorial(cols)) - _log_factorial(n))
    threshold = float(-np.sum(_log_factorial(table))) + np.log1p(FISHER_RELATIVE_TOLERANCE)
    suffix = np.concatenate([np.cumsum(cols[::-1])[::-1], [0]])  # cells left from column j on
    # One level per column: each node is the multiset of row totals still to fill (the rows are
    # exchangeable in what is left), holding the distinct scores -sum log n_ij! of the partial
    # tables that reach it and how many partial tables share each score.
    level = {tuple(sorted(rows.tolist())): (np.zeros(1), np.ones(1))}
    p_value, work = 0.0, 0
    for j in range(n_cols - 1):
        left = cols[j:]
        log_fact_left = float(np.sum(_log_factorial(left)))
        following: dict[tuple, list] = {}
        for state, (past, mult) in level.items():
            remaining = np.array(state, dtype=np.int64)
            log_fact_remaining = float(np.sum(_log_factorial(remaining)))
            best = min(_even_split_score(remaining, left.size), _even_split_score(left, n_rows))
            worst = max(-log_fact_remaining, -log_fact_left)
            every = past + best <= threshold  # even the most probable completion counts
            if every.any():
                mass = float(_log_factorial(suffix[j])) - log_fact_remaining - log_fact_left
                p_value += float(np.sum(mult[every] * np.exp(constant + past[every] + mass)))
            open_ = ~every & (past + worst <= threshold)  # otherwise no completion counts
            if not open_.any():
                continue
            past, mult = past[open_], mult[open_]
            candidates = _column_vectors(int(cols[j]), remaining)
            scores = -_log_factorial(candidates).sum(axis=1)
            work += past.size * len(candidates)
            if work > FISHER_MAX_NODES:
                raise _TooLarge
            if j == n_cols - 2:  # the last column follows from the others
                final = past[:, None] + (scores - _log_factorial(remaining - candidates).sum(axis=1))[None, :]
                counted = final <= threshold
                p_value += float(np.sum((mult[:, None] * np.exp(constant + final))[counted]))
                continue
            for x, score in zip(candidates, scores, strict=True):
                following.setdefault(tuple(sorted((remaining - x).tolist())), []).append((past + score, mult))
        level = {}
        for state, parts in following.items():
            past = np.concatenate([p for p, _ in parts])
            mult = np.concatenate([m for _, m in parts])
            _, inverse = np.unique(np.round(past, 9), return_inverse=True)
            weight = np.bincount(inverse, weights=mult)
            level[state] = (np.bincount(inverse, weights=past * mult) / weight, weight)
    return min(1.0, p_value)


def _fisher_monte_carlo(table: np.ndarray, n_resamples: int, seed: int) -> tuple[float, str, float]:
    """Monte Carlo Freeman–Halton p-value, drawing tables until its standard error is below the target.

    The standard error is sqrt(p (1 - p) / N); the target :data:`MONTE_CARLO_MAX_SE` = 1e-4 needs up to
    25 million tables (p = 0.5), so this is slow, and used only when enumeration is out of reach.
    """
    rng = np.random.default_rng(seed)
    hits, total = 0.0, 0
    batch = n_resamples
    while True:
        res = stats.fisher_exact(table, method=stats.MonteCarloMethod(n_resamples=batch, rng=rng))
        hits += res.pvalue * batch
        total += batch
        p = hits / total
        se = float(np.sqrt(max(p * (1 - p), 1.0 / total) / total))
        if se < MONTE_CARLO_MAX_SE:
            return float(p), "monte-carlo", se
        needed = max(p * (1 - p), 1.0 / total) / MONTE_CARLO_MAX_SE**2
        batch = max(1000, int(np.ceil(1.1 * needed)) - total)
