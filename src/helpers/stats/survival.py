"""Kaplan–Meier estimation, landmark rates, median follow-up and the log-rank test.

Compute only: no plotting and no string formatting. Results are frozen
dataclasses with a ``to_frame()`` giving tidy rows (``estimate, ci_lower,
ci_upper, ...``). Times are in months throughout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from . import validate
from .errors import StatsError
from .results import TestResult

MEDIAN_CI_STYLES = ("symmetric", "loglog")


@dataclass(frozen=True)
class KMResult:
    """A fitted Kaplan–Meier curve.

    ``table`` has one row per distinct observed time: ``time, n_at_risk,
    n_events, n_censored, survival, se`` (Greenwood standard error of S).
    ``n_dropped`` counts the rows left out for a missing value (``dropna=True``).
    For a weighted fit the counts are sums of weights; ``variance`` says
    which standard error ``se`` is ("greenwood" or "jackknife").
    """

    table: pd.DataFrame
    n: int
    events: int | float  # a sum of weights for a weighted fit with non-integer weights
    alpha: float = 0.05
    label: str = ""
    n_dropped: int = 0
    weighted: bool = False
    variance: str = "greenwood"

    @property
    def event_times(self) -> pd.DataFrame:
        return self.table[self.table["n_events"] > 0]

    def survival_at(self, t: float) -> float:
        """S(t), right-continuous (events at t count)."""
        rows = self.table[self.table["time"] <= t]
        return 1.0 if rows.empty else float(rows["survival"].iloc[-1])

    def se_at(self, t: float) -> float:
        rows = self.table[self.table["time"] <= t]
        return 0.0 if rows.empty else float(rows["se"].iloc[-1])

    def median(self) -> float:
        """First time at which S(t) <= 0.5 (NaN if the curve never gets there)."""
        return quantile_time(self, 0.5)

    def to_frame(self) -> pd.DataFrame:
        return self.table.assign(label=self.label)


def _check_km(km) -> None:
    if not isinstance(km, KMResult):
        raise StatsError(f"km: expected a KMResult from fit_km, got {type(km).__name__}")


def _observations(durations, events, *, dropna: bool, weights=None, **labels):
    """Validated times, 0/1 events, weights (None if not given) and labels.

    Rows with a missing value in any of them are dropped if ``dropna``; their number is returned.
    """
    t = validate.durations(durations, dropna=dropna)
    d = validate.events(events, dropna=dropna)
    w = None if weights is None else validate.weights(weights, dropna=dropna)
    named = {k: validate.labels(v, k, dropna=dropna) for k, v in labels.items() if v is not None}
    validate.check_length(t.size, events=d, weights=w, **named)
    n_dropped = 0
    if dropna:
        keep, n_dropped = validate.complete_rows(t, d, w, *named.values())
        t, d = t[keep], d[keep]
        w = None if w is None else w[keep]
        named = {k: v[keep] for k, v in named.items()}
    return t, d.astype(np.int64), w, named, n_dropped


KM_VARIANCES = ("auto", "greenwood", "jackknife")


def fit_km(
    durations,
    events,
    *,
    weights=None,
    variance: str = "auto",
    alpha: float = 0.05,
    label: str = "",
    dropna: bool = False,
) -> KMResult:
    """Kaplan–Meier estimate with Greenwood (or infinitesimal-jackknife) standard errors.

    Parameters
    ----------
    durations, events : array-like
        Follow-up times (>= 0) and event indicators (1 = event, 0 = censored).
    weights : array-like, optional
        Case weights (finite, >= 0). The counts at risk, of events and of
        censorings become sums of weights; a weight of 2 is the same as the row
        entered twice, and unit weights give the unweighted fit exactly.
    variance : {"auto", "greenwood", "jackknife"}
        Standard error of S. ``greenwood`` is Greenwood's formula on the
        (weighted) counts; ``jackknife`` the infinitesimal-jackknife (robust)
        variance. ``auto`` does what R's ``survfit`` (survival 3.5) does by
        default: Greenwood unless some weight is not a whole number, then the
        jackknife.
    alpha : float
        1 - confidence level of the intervals derived from the fit.
    label : str
        A name carried into ``to_frame()``.
    dropna : bool
        Leave out rows with a missing time, event or weight (R's ``na.omit``)
        and count them in ``n_dropped``; by default a missing value raises.

    Raises
    ------
    StatsError
        If a time is missing, negative or infinite, an event is not coded 0/1
        (1/2 codings are named), a weight is negative, the lengths differ or
        nothing is left to fit.

    Notes
    -----
    Kaplan & Meier (1958): S(t) = prod over event times t_j <= t of
    (1 - d_j / n_j). Censored observations tied with an event time are taken
    to be at risk at that time (the usual convention, as in SPSS and R
    ``survfit``). Greenwood (1926):
    Var S(t) = S(t)^2 * sum d_j / (n_j (n_j - d_j)), with d_j and n_j the
    weighted counts when there are weights (frequency weights). The
    infinitesimal jackknife differentiates log S(t) with respect to each
    observation's weight: for observation i with time T_i,
    U_i(t) = sum over t_j <= min(t, T_i) of d_j / (n_j (n_j - d_j)) minus,
    once T_i <= t and i had the event, 1 / (n_{T_i} - d_{T_i}); then
    Var log S(t) = sum_i (w_i U_i(t))^2 (Therneau's survival package
    documentation, "robust variance" of ``survfit``). Both variances are
    undefined (NaN) once S(t) = 0. With a weighted fit ``n_at_risk``,
    ``n_events`` and ``n_censored`` are sums of weights and ``events`` is the
    weighted number of events (whole numbers are kept as integers); rows of
    weight 0 are left out, and ``n`` counts the rows with a positive weight.
    """
    alpha = validate.probability(alpha, "alpha")
    validate.one_of(variance, "variance", KM_VARIANCES)
    t, d, w, _, n_dropped = _observations(durations, events, dropna=dropna, weights=weights)
    if t.size == 0:
        dropped = f" ({n_dropped} dropped for missing values)" if n_dropped else ""
        raise StatsError(f"durations: no observations to fit a Kaplan–Meier curve{dropped}")
    if w is not None:  # a row of weight 0 contributes nothing (as if it were absent)
        t, d, w = t[w > 0], d[w > 0], w[w > 0]
    whole = w is None or bool(np.all(w == np.round(w)))
    if variance == "auto":
        variance = "greenwood" if whole else "jackknife"
    unit = np.ones(t.size) if w is None else w
    times, inverse = np.unique(t, return_inverse=True)
    n_events = np.bincount(inverse, weights=unit * d, minlength=times.size)
    n_total = np.bincount(inverse, weights=unit, minlength=times.size)
    n_at_risk = n_total[::-1].cumsum()[::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n_at_risk > 0, 1.0 - n_events / n_at_risk, 1.0)
    survival = np.cumprod(factor)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(n_at_risk > n_events, n_events / (n_at_risk * (n_at_risk - n_events)), np.inf)
    terms = np.where(n_events > 0, terms, 0.0)
    greenwood = np.cumsum(terms)
    if variance == "jackknife":
        log_var = _jackknife_log_variance(inverse, d, unit, n_at_risk, n_events, greenwood)
    else:
        log_var = greenwood
    with np.errstate(invalid="ignore"):
        se = np.where(np.isfinite(log_var) & (survival > 0), survival * np.sqrt(log_var), np.nan)
    count = (lambda x: np.round(x).astype(int)) if whole else (lambda x: x)
    table = pd.DataFrame(
        {
            "time": times,
            "n_at_risk": count(n_at_risk),
            "n_events": count(n_events),
            "n_censored": count(n_total - n_events),
            "survival": survival,
            "se": se,
        }
    )
    n_ev = float(np.sum(unit * d))
    return KMResult(
        table=table,
        n=int(t.size),
        events=round(n_ev) if whole else n_ev,
        alpha=alpha,
        label=label,
        n_dropped=n_dropped,
        weighted=w is not None,
        variance=variance,
    )


def _jackknife_log_variance(inverse, d, w, n_at_risk, n_events, greenwood) -> np.ndarray:
    """Infinitesimal-jackknife variance of log S at each distinct time (see :func:`fit_km`).

    Before its own time an observation's influence is the Greenwood sum C(t); from its time on
    it is the constant C(T_i) - d_i / (n(T_i) - d(T_i)). Summing squares by time gives an
    O(n log n) computation.
    """
    size = n_at_risk.size
    with np.errstate(divide="ignore", invalid="ignore"):
        jump = np.where(d == 1, 1.0 / (n_at_risk[inverse] - n_events[inverse]), 0.0)
    with np.errstate(invalid="ignore"):  # inf - inf where the curve drops to 0: NaN, as intended
        settled = greenwood[inverse] - jump
    w2 = w**2
    w2_at = np.bincount(inverse, weights=w2, minlength=size)
    still_at_risk = w2_at[::-1].cumsum()[::-1] - w2_at  # weight^2 of observations with T_i > t
    with np.errstate(invalid="ignore"):
        done = np.cumsum(np.bincount(inverse, weights=w2 * settled**2, minlength=size))
        return greenwood**2 * still_at_risk + done


def quantile_time(km: KMResult, q: float = 0.5) -> float:
    """First event time at which S(t) <= 1 - q (NaN if the curve never gets there)."""
    _check_km(km)
    q = validate.probability(q, "q")
    hit = km.table[(km.table["survival"] <= 1 - q + 1e-12) & (km.table["n_events"] > 0)]
    return float(hit["time"].iloc[0]) if not hit.empty else float("nan")


@dataclass(frozen=True)
class MedianResult:
    """A median with its confidence interval; NaN marks "not reached" (estimate) or "not estimable" (a limit).

    ``truncated`` is True when the symmetric interval's lower limit fell below
    0 and was set to 0 (see :func:`median_survival`).
    """

    estimate: float
    ci_lower: float
    ci_upper: float
    se: float
    style: str
    truncated: bool = False

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([self.__dict__])


def median_survival(km: KMResult, *, style: str = "symmetric") -> MedianResult:
    """Median survival time with a confidence interval.

    Parameters
    ----------
    style : {"symmetric", "loglog"}
        ``symmetric`` is the SE-based interval median ± z·SE (Collett,
        *Modelling Survival Data in Medical Research*, §2.4), the style of
        SPSS and of the original study. ``loglog`` is the Brookmeyer–Crowley
        interval obtained by inverting pointwise log-log confidence limits of
        S(t) (R ``survfit`` with ``conf.type = "log-log"``).

    Returns
    -------
    MedianResult
        ``estimate`` is NaN when the median is not reached; a limit is NaN
        when it is not estimable (printed "NR" and "NE" by
        :func:`helpers.printed.format_median_ci`).

    Notes
    -----
    Symmetric style: SE(median) = SE[S(median)] / f with
    f = (S(u) - S(l)) / (l - u), u the last event time with S >= 0.55 and l the
    first event time with S <= 0.45 (u = 0, S = 1 if none reaches 0.55); this
    is the uniform-kernel density estimate of Klein & Moeschberger
    (*Survival Analysis*, 2nd ed., §4.5) as SPSS's algorithms describe it. The
    interval is not estimable (NaN) when the median is not reached, when no
    event time has S <= 0.45, or when Greenwood's SE of S at the median is
    undefined (S = 0 there). A lower limit below 0 is set to 0 and
    ``truncated`` is flagged: a survival time cannot be negative. We could not
    verify whether SPSS prints such a negative limit as it is or truncates it
    (SPSS's algorithm description gives only median ± z·SE); truncation at 0 is
    the defensible choice and the flag keeps it visible.

    Log-log style (Brookmeyer & Crowley 1982): the lower limit is the first
    time at which the lower pointwise limit of S falls to 0.5 or below, the
    upper limit the first time at which the upper pointwise limit does. Each
    limit is looked for on its own, so the lower limit is usually estimable
    even when the median is not reached (as R reports it). Where S(t) = 0 the
    log-log band is undefined (R: NA) and is skipped, so the last time of a
    curve that drops to 0 does not become a limit by default.
    """
    _check_km(km)
    validate.one_of(style, "style", MEDIAN_CI_STYLES)
    z = stats.norm.ppf(1 - km.alpha / 2)
    med = km.median()
    ev = km.event_times
    if style == "symmetric":
        upper_side = ev[ev["survival"] >= 0.55 - 1e-12]
        lower_side = ev[ev["survival"] <= 0.45 + 1e-12]
        if np.isnan(med) or lower_side.empty:
            return MedianResult(med, np.nan, np.nan, np.nan, style)
        u, s_u = (
            (float(upper_side["time"].iloc[-1]), float(upper_side["survival"].iloc[-1]))
            if not upper_side.empty
            else (0.0, 1.0)
        )
        ell, s_l = float(lower_side["time"].iloc[0]), float(lower_side["survival"].iloc[0])
        density = (s_u - s_l) / (ell - u)
        se = km.se_at(med) / density
        lower, upper = med - z * se, med + z * se
        truncated = bool(lower < 0)
        return MedianResult(med, max(lower, 0.0) if truncated else lower, upper, se, style, truncated)
    lower, upper = _survival_ci(ev["survival"].to_numpy(), ev["se"].to_numpy(), z, "loglog")
    times = ev["time"].to_numpy()
    with np.errstate(invalid="ignore"):
        below_upper = np.nonzero(upper <= 0.5 + 1e-12)[0]  # NaN (S = 0) never counts
        below_lower = np.nonzero(lower <= 0.5 + 1e-12)[0]
    ci_lo = float(times[below_lower[0]]) if below_lower.size else np.nan
    ci_hi = float(times[below_upper[0]]) if below_upper.size else np.nan
    return MedianResult(med, ci_lo, ci_hi, np.nan, style)


def _survival_ci(s, se, z, kind: str):
    s = np.asarray(s, dtype=float)
    se = np.asarray(se, dtype=float)
    if kind == "linear":
        return np.clip(s - z * se, 0, 1), np.clip(s + z * se, 0, 1)
    if kind == "loglog":
        with np.errstate(divide="ignore", invalid="ignore"):
            log_s = np.log(s)
            se_g = se / (s * np.abs(log_s))
            lower = np.exp(-np.exp(np.log(-log_s) + z * se_g))
            upper = np.exp(-np.exp(np.log(-log_s) - z * se_g))
        # S = 1 (before any event): the band is the point 1; S = 0: log(-log S) is undefined (R: NA)
        lower = np.where(s >= 1.0, 1.0, np.where(s <= 0.0, np.nan, lower))
        upper = np.where(s >= 1.0, 1.0, np.where(s <= 0.0, np.nan, upper))
        return lower, upper
    raise StatsError(f"unknown CI kind {kind!r}")


def survival_at_times(km: KMResult, times, *, ci: str = "linear") -> pd.DataFrame:
    """Landmark survival S(t) with Greenwood CIs.

    Parameters
    ----------
    ci : {"linear", "loglog"}
        ``linear`` is S ± z·SE (plain Greenwood, as SPSS prints), ``loglog``
        the transformed interval R uses with ``conf.type = "log-log"``.

    Returns one row per time: ``time, estimate, se, ci_lower, ci_upper, n_at_risk``.
    Beyond the last observation S(t) is unknown (NaN) unless the curve has
    already reached 0.
    """
    _check_km(km)
    validate.one_of(ci, "ci", ("linear", "loglog"))
    times = validate.durations(np.atleast_1d(times), "times")
    z = stats.norm.ppf(1 - km.alpha / 2)
    tab = km.table
    grid = tab["time"].to_numpy(dtype=float)
    last = float(grid[-1])
    reached_zero = float(tab["survival"].iloc[-1]) == 0.0
    at = np.searchsorted(grid, times, side="right") - 1  # last row with time <= t (-1: before the first)
    known = (times <= last) | reached_zero
    before = at < 0
    s = np.where(before, 1.0, tab["survival"].to_numpy(dtype=float)[np.maximum(at, 0)])
    se = np.where(before, 0.0, tab["se"].to_numpy(dtype=float)[np.maximum(at, 0)])
    s, se = np.where(known, s, np.nan), np.where(known, se, np.nan)
    lo, hi = _survival_ci(s, se, z, ci)
    return pd.DataFrame(
        {
            "time": times.astype(float),
            "estimate": s,
            "se": se,
            "ci_lower": lo.astype(float),
            "ci_upper": hi.astype(float),
            "n_at_risk": _at_risk(tab, times),
        }
    )


def _at_risk(tab: pd.DataFrame, times: np.ndarray) -> list:
    grid = tab["time"].to_numpy(dtype=float)
    counts = [*tab["n_at_risk"].tolist(), 0]
    return [counts[i] for i in np.searchsorted(grid, times, side="left")]  # first row with time >= t


def n_at_risk(km: KMResult, times) -> list[int]:
    """Number still at risk just before each time (observed time >= t)."""
    _check_km(km)
    times = validate.durations(np.atleast_1d(times), "times")
    return _at_risk(km.table, times)


def median_follow_up(
    durations, events, *, alpha: float = 0.05, style: str = "symmetric", dropna: bool = False
) -> MedianResult:
    """Median follow-up by the reverse Kaplan–Meier method.

    The censoring indicator is reversed (a death censors follow-up; being
    alive at the last contact is the 'event'), so the estimate describes the
    potential follow-up time (Schemper & Smith, 1996). Inputs are checked as
    in :func:`fit_km` (``dropna`` likewise); ``style`` chooses the interval
    as in :func:`median_survival`.
    """
    t, d, _, _, _ = _observations(durations, events, dropna=dropna)
    km = fit_km(t, 1 - d, alpha=alpha)
    return median_survival(km, style=style)


def logrank(durations, events, groups, *, strata=None, weights=None, dropna: bool = False) -> TestResult:
    """Log-rank (Mantel–Cox) test of equal survival across groups.

    Parameters
    ----------
    groups : array-like
        Group label per observation (two or more groups).
    strata : array-like, optional
        Stratum label per observation; the observed-minus-expected sums and
        their covariances are added over strata (stratified log-rank test).
    weights : array-like, optional
        Case weights (finite, >= 0), treated as frequency weights: every
        count at risk and of events is a sum of weights, so a weight of 2 is
        the row entered twice.
    dropna : bool
        Leave out rows with a missing time, event, weight, group or stratum (R's
        ``na.omit``); ``n`` is then the number of rows used. By default a
        missing value raises StatsError naming the argument and rows.

    Notes
    -----
    At each distinct event time the observed-minus-expected counts and their
    hypergeometric covariance are accumulated (Mantel 1966; Klein &
    Moeschberger, *Survival Analysis*, §7.3). The statistic is the quadratic
    form of O - E in a generalised inverse of the covariance matrix V, with
    degrees of freedom equal to the rank of V. For k groups that all have
    somebody at risk at some event time the rank is k - 1; a group with no
    expected events (e.g. all its members censored before the first event)
    adds a zero row and column to V and no degree of freedom, which is what R's
    ``survdiff`` reports (it drops groups with zero expected events).

    With no events at all (or V otherwise zero) there is nothing to test: the
    statistic and the p-value are NaN and ``df`` is 0. R's ``survdiff`` prints
    a chi-square of 0 on -1 degrees of freedom with p = NA in that case; NaN is
    the same verdict ("no test"), and callers that print it show an empty cell
    rather than p = 1. ``details`` gives observed and expected events per group.

    With weights, the observed and expected counts and the hypergeometric
    variance d (n - d) / (n - 1) * (n_g / n) (1 - n_g / n) use the weighted
    counts n, n_g and d, which is exactly the test on the data with each row
    repeated w times when the weights are whole numbers. R's ``survdiff``
    (survival 3.5.3) takes no weights, so there is no R reference for
    non-integer weights; the duplicated-row identity is what the tests check.
    (The design-based ``svylogrank`` of R's survey package answers a different
    question, with a sandwich variance.)
    """
    t, d, w, named, n_dropped = _observations(
        durations, events, dropna=dropna, weights=weights, groups=groups, strata=strata
    )
    w = np.ones(t.size) if w is None else w
    g = pd.Series(named["groups"]).astype(str).to_numpy()
    levels = np.unique(g)
    if levels.size < 2:
        found = ", ".join(repr(x) for x in levels) or "none"
        raise StatsError(f"groups: the log-rank test needs at least two groups (found {found})")
    s = np.zeros(t.size, dtype=int) if strata is None else pd.factorize(named["strata"])[0]
    k = levels.size
    observed = np.zeros(k)
    expected = np.zeros(k)
    cov = np.zeros((k, k))
    for stratum in np.unique(s):
        m = s == stratum
        o, e, v = _logrank_sums(t[m], d[m], np.searchsorted(levels, g[m]), k, w[m])
        observed += o
        expected += e
        cov += v
    statistic, df = _chi_square(observed - expected, cov)
    p_value = float(stats.chi2.sf(statistic, df)) if df > 0 else float("nan")
    details = pd.DataFrame({"group": levels, "observed": observed, "expected": expected})
    return TestResult(
        "log-rank",
        statistic,
        df,
        p_value,
        n=int(t.size),
        details=details,
        n_dropped=n_dropped,
    )


def _logrank_sums(t, d, gi, k, w):
    event = (d == 1) & (w > 0)
    times = np.unique(t[event])
    at_risk = np.empty((times.size, k))
    deaths = np.empty((times.size, k))
    for j in range(k):
        mine = gi == j
        order = np.argsort(t[mine], kind="stable")
        tj, wj = t[mine][order], w[mine][order]
        after = np.concatenate([np.cumsum(wj[::-1])[::-1], [0.0]])  # weight with time >= tj[i]
        at_risk[:, j] = after[np.searchsorted(tj, times, side="left")]
        hit = mine & event
        deaths[:, j] = np.bincount(np.searchsorted(times, t[hit]), weights=w[hit], minlength=times.size)
    n = at_risk.sum(axis=1)
    total_deaths = deaths.sum(axis=1)
    frac = at_risk / n[:, None]
    expected = (total_deaths[:, None] * frac).sum(axis=0)
    scale = np.where(n > 1, total_deaths * (n - total_deaths) / np.where(n > 1, n - 1, 1.0), 0.0)
    weighted = scale[:, None] * frac
    cov = np.diag(weighted.sum(axis=0)) - weighted.T @ frac
    return deaths.sum(axis=0), expected, cov


RANK_RTOL = 1e-10  # relative size below which an eigenvalue of V counts as zero


def _chi_square(o_minus_e: np.ndarray, cov: np.ndarray) -> tuple[float, int]:
    """Quadratic form of O - E in the pseudo-inverse of V, and the rank of V (the df)."""
    eigval, eigvec = np.linalg.eigh((cov + cov.T) / 2)
    top = float(np.max(np.abs(eigval))) if eigval.size else 0.0
    if top <= 0.0:
        return float("nan"), 0
    keep = eigval > RANK_RTOL * top
    projected = eigvec[:, keep].T @ o_minus_e
    return float(np.sum(projected**2 / eigval[keep])), int(keep.sum())
