"""Cox proportional-hazards models: fit, univariate screens, multivariable selection, PH test.

Compute only. The partial likelihood is maximised by Newton–Raphson. Each
step costs O(n·p²) time and O(n·p) memory: patients are sorted once (by
stratum, then by decreasing time), risk-set sums are cumulative sums read at
the end of each tied group, and the information matrix is a weighted
cross-product XᵀDX minus one p×p term per event, so no n×p×p array is ever
built. Breslow ties (SPSS's method, the default here) and Efron ties (R's
default) are offered, with case weights, strata and a robust (sandwich)
variance clustered on a grouping variable; the test suite checks every
combination against R's ``survival::coxph`` and ``cox.zph``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from numbers import Real

import numpy as np
import pandas as pd
from scipy import stats

from . import validate
from .errors import StatsError
from .results import TestResult
from .survival import fit_km

TIES = ("breslow", "efron")

# Newton–Raphson: the stopping rule on the log partial likelihood and the iteration cap.
MAX_ITER = 50
TOL = 1e-9
# A covariate is aliased when the part of it (centred within strata, weighted) that the
# covariates before it do not explain has a norm below ALIAS_TOL times its own norm.
ALIAS_TOL = 1e-7
# Infinite coefficients: after convergence, a Newton step longer than INFINITE_STEP standard
# deviations of the covariate that the next step does not shrink (it keeps climbing).
INFINITE_STEP = 1e-4


@dataclass(frozen=True)
class CoxResult:
    """A fitted Cox model.

    ``summary`` has one row per covariate: ``covariate, coef, se, se_naive,
    estimate`` (the hazard ratio), ``ci_lower, ci_upper`` (Wald), ``z,
    p_value``. ``se`` is the standard error the interval and the p-value use:
    the robust (sandwich) one when ``robust`` is true, otherwise the
    model-based one, which ``se_naive`` always holds (R's ``se(coef)``; R's
    ``robust se`` is ``se`` of a robust fit).

    ``n`` and ``events`` count the rows used (after ``n_dropped`` rows with a
    missing value were dropped, when the fit was asked to); ``strata`` names
    the stratification columns, ``n_strata`` the number of strata,
    ``n_clusters`` the number of clusters of a clustered robust variance
    (None otherwise), ``weighted`` whether case weights were given.
    """

    summary: pd.DataFrame
    n: int
    events: int
    ties: str
    alpha: float
    loglik: float
    model: object = field(repr=False, compare=False, default=None)
    n_dropped: int = 0
    robust: bool = False
    strata: tuple = ()
    n_strata: int = 1
    n_clusters: int | None = None
    weighted: bool = False

    def to_frame(self) -> pd.DataFrame:
        return self.summary.assign(n=self.n, events=self.events, ties=self.ties)

    def hazard_ratio(self, covariate: str) -> float:
        return float(self.summary.set_index("covariate").loc[covariate, "estimate"])


def fit_cox(
    data: pd.DataFrame,
    duration_col: str,
    event_col: str,
    covariates,
    *,
    ties: str = "breslow",
    alpha: float = 0.05,
    weights=None,
    strata=None,
    cluster=None,
    robust: bool | None = None,
    dropna: bool = False,
) -> CoxResult:
    """Fit a Cox model and return hazard ratios with Wald intervals.

    Parameters
    ----------
    data : DataFrame
        One row per patient (or per observation when ``cluster`` groups them).
    duration_col, event_col : str
        Follow-up time (finite, >= 0) and event indicator coded 0 (censored) /
        1 (event).
    covariates : sequence of str
        Numeric (0/1 for categories) columns; each enters as one coefficient.
    ties : {"breslow", "efron"}
        Handling of tied event times. SPSS uses Breslow, R Efron.
    alpha : float
        1 - confidence level of the intervals.
    weights : str or array-like, optional
        Case weights (finite, >= 0): a column of ``data`` or one value per row.
        A weight of 2 counts a row twice, as in R's ``coxph(weights = )``.
    strata : str or sequence of str, optional
        Column(s) whose combinations define strata: each stratum has its own
        baseline hazard and the coefficients are shared (R's ``strata()``),
        e.g. matched pairs.
    cluster : str or array-like, optional
        Cluster labels (a column of ``data`` or one per row), e.g. matched pairs
        or repeated patients: the robust variance then sums the score residuals
        within clusters before forming the sandwich. Implies ``robust``.
    robust : bool, optional
        Use the robust (sandwich) variance for ``se``, intervals and p-values.
        Default: true when ``cluster`` is given, false otherwise. (R also turns
        it on by itself for non-integer weights; here it is always explicit.)
    dropna : bool
        Drop rows with a missing value in any column the model uses (R's
        ``na.omit``) and report how many in ``n_dropped``. By default a missing
        value is an error that names the column and the rows.

    Returns
    -------
    CoxResult

    Raises
    ------
    StatsError
        For unusable input (the message names the argument, the column and the
        rows) and for models the data cannot support: a covariate with one
        level, covariates that are linear combinations of the others (aliased;
        R reports them as NA), a covariate with no information in any risk
        set, and coefficients whose likelihood has no finite maximum
        (monotone likelihood; R warns that they "may be infinite"). Each
        message names only the covariates responsible.

    Notes
    -----
    The Cox (1972) partial likelihood, with Breslow's (1974) or Efron's (1977)
    handling of tied event times, maximised by Newton–Raphson with step
    halving. With case weights w_i, a tied group of events contributes
    sum w_i·eta_i minus the sum over its d steps of mean(w)·log(denominator),
    as R's ``coxph`` does. HR = exp(coef); CI = exp(coef ± z·SE); p from the
    Wald z statistic. The model-based variance is the inverse of the observed
    information. The robust variance is the sandwich D'D of Lin & Wei (1989),
    D being the weighted score residuals times the model-based variance,
    summed within clusters when clusters are given (Therneau & Grambsch 2000,
    ch. 7).

    Aliasing is found from the rank of the design: an unpivoted QR
    decomposition of the covariates, weighted and centred within strata, in
    the order given, so that (as in R) the later of two collinear covariates
    is the one named. A coefficient is declared infinite when, after the
    likelihood has converged, its Newton step is still longer than
    ``INFINITE_STEP`` standard deviations of its covariate and the following
    step is no shorter and points the same way: the likelihood keeps rising
    without bound along it. Both rules are invariant to the scale of the
    covariates.
    """
    prepared = _prepare(
        data, duration_col, event_col, covariates, ties, alpha, weights, strata, cluster, robust, dropna
    )
    design, names, robust, n_dropped, cluster_codes, strata_cols = prepared
    fit = _fit(design, names)
    naive = fit.cov
    cov = naive
    n_clusters = None
    if robust:
        cov, n_clusters = _robust_cov(design, fit, cluster_codes)
    fit = _CoxFit(fit.coef, cov, naive, fit.loglik, design)
    coef, se, se_naive = fit.coef, np.sqrt(np.diag(cov)), np.sqrt(np.diag(naive))
    z_crit = stats.norm.ppf(1 - alpha / 2)
    zval = coef / se
    summary = pd.DataFrame(
        {
            "covariate": names,
            "coef": coef,
            "se": se,
            "se_naive": se_naive,
            "estimate": np.exp(coef),
            "ci_lower": np.exp(coef - z_crit * se),
            "ci_upper": np.exp(coef + z_crit * se),
            "z": zval,
            "p_value": 2 * stats.norm.sf(np.abs(zval)),
        }
    )
    return CoxResult(
        summary=summary,
        n=design.n,
        events=int(design.ev.size),
        ties=ties,
        alpha=alpha,
        loglik=fit.loglik,
        model=fit,
        n_dropped=n_dropped,
        robust=bool(robust),
        strata=tuple(strata_cols),
        n_strata=design.n_strata,
        n_clusters=n_clusters,
        weighted=weights is not None,
    )


# --------------------------------------------------------------------------------------------
# inputs


def _as_list(value, argument: str) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        return list(value)
    except TypeError:
        raise StatsError(f"{argument}: expected a column name or a list of column names, got {value!r}") from None


def _column_or_values(data: pd.DataFrame, value, argument: str) -> tuple[pd.Series, str]:
    """A column of ``data`` named by ``value``, or ``value`` itself as one entry per row."""
    if isinstance(value, str):
        return data[value].reset_index(drop=True), f"{argument} {value!r}"
    if isinstance(value, pd.DataFrame) or np.ndim(value) != 1:
        raise StatsError(f"{argument}: expected a column name or one value per row of data")
    validate.check_length(len(data), **{argument: value})
    series = value.reset_index(drop=True) if isinstance(value, pd.Series) else pd.Series(np.asarray(value))
    return series, argument


def _prepare(data, duration_col, event_col, covariates, ties, alpha, weights, strata, cluster, robust, dropna):
    if ties not in TIES:
        raise StatsError(f"ties must be one of {TIES}, got {ties!r}")
    if not (isinstance(alpha, Real) and 0 < alpha < 1):
        raise StatsError(f"alpha: must be a number between 0 and 1, got {alpha!r}")
    if not isinstance(data, pd.DataFrame):
        raise StatsError(f"data: expected a pandas DataFrame, got {type(data).__name__}")
    names = _as_list(covariates, "covariates")
    if not names:
        raise StatsError("covariates: a Cox model needs at least one covariate")
    repeated = sorted({c for c in names if names.count(c) > 1})
    if repeated:
        raise StatsError(f"covariates: {', '.join(map(repr, repeated))} given more than once")
    strata_cols = _as_list(strata, "strata")
    both = [c for c in strata_cols if c in names]
    if both:
        raise StatsError(f"strata: {', '.join(map(repr, both))} is also a covariate; a column can be only one of them")
    if cluster is not None and robust is False:
        raise StatsError("cluster: a cluster variable is used only by the robust variance; do not pass robust=False")
    robust = cluster is not None if robust is None else bool(robust)
    named = [duration_col, event_col, *names, *strata_cols]
    named += [v for v in (weights, cluster) if isinstance(v, str)]
    missing = [str(c) for c in named if c not in data.columns]
    if missing:
        raise StatsError(f"columns not in the data: {', '.join(missing)}")

    # (series, name for messages, kind) of every input of the model
    inputs = [
        (data[duration_col].reset_index(drop=True), f"duration_col {duration_col!r}", "durations"),
        (data[event_col].reset_index(drop=True), f"event_col {event_col!r}", "events"),
        *[(data[c].reset_index(drop=True), f"covariate {c!r}", "covariate") for c in names],
        *[(data[c].reset_index(drop=True), f"strata {c!r}", "labels") for c in strata_cols],
    ]
    if weights is not None:
        inputs.append((*_column_or_values(data, weights, "weights"), "weights"))
    if cluster is not None:
        inputs.append((*_column_or_values(data, cluster, "cluster"), "labels"))
    absent = np.zeros(len(data), dtype=bool)
    for series, _, _ in inputs:
        absent |= series.isna().to_numpy()
    n_dropped = int(absent.sum()) if dropna else 0
    keep = ~absent if dropna else np.ones(len(data), dtype=bool)

    checked = []
    for series, label, kind in inputs:
        if kind == "labels":
            checked.append(validate.labels(series[keep], label))
            continue
        # with dropna, missing values are stood in for before the checks, so that the rows a
        # message names are positions in the data as passed
        filled = series.mask(pd.Series(absent), 0) if dropna and absent.any() else series
        check = {"durations": validate.durations, "events": validate.events, "weights": validate.weights}
        checked.append(check.get(kind, validate.finite)(filled, label)[keep])
    time, event, *rest = checked
    x = np.column_stack(rest[: len(names)]) if names else np.empty((len(time), 0))
    rest = rest[len(names) :]
    strata_values, rest = rest[: len(strata_cols)], rest[len(strata_cols) :]
    w = rest.pop(0) if weights is not None else np.ones(len(time))
    cluster_codes = pd.factorize(rest.pop(0))[0] if cluster is not None else None
    if strata_values:
        frame = pd.DataFrame({i: v for i, v in enumerate(strata_values)})
        stratum = frame.groupby(list(frame.columns), sort=True).ngroup().to_numpy()
    else:
        stratum = np.zeros(len(time), dtype=np.int64)

    n = len(time)
    if n < 2:
        raise StatsError(f"too few patients for a Cox model (n = {n})")
    if not ((event == 1) & (w > 0)).any():
        raise StatsError(f"no events in '{event_col}' (n = {n}): a Cox model cannot be fitted")
    for j, c in enumerate(names):
        if not (x[:, j] != x[0, j]).any():
            raise StatsError(
                f"covariate '{c}' has a single level ({x[0, j]:g}) in these {n} patients: "
                "its hazard ratio is not estimable"
            )
    design = _Design.build(time, event, x, w, stratum, ties)
    _check_aliasing(design, names)
    return design, names, robust, n_dropped, cluster_codes, strata_cols


# --------------------------------------------------------------------------------------------
# the engine


def _segment_cumsum(values: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
    """Cumulative sums down the rows, restarting at every change of ``codes`` (None: one segment)."""
    if codes is None:
        return np.cumsum(values, axis=0)
    frame = pd.DataFrame(values) if values.ndim == 2 else pd.Series(values)
    return frame.groupby(codes, sort=False).cumsum().to_numpy()


@dataclass(frozen=True)
class _Design:
    """The sorted data of one model and the layout of its risk sets.

    Rows are sorted by stratum, then by decreasing time, events first among
    equal times, so the risk set of an event is a prefix of its stratum. A
    tie *group* is the events of one stratum at one time; ``gid`` gives each
    event its group, ``group_row`` the last row of the stratum at the group's
    time (its risk set ends there) and ``row_group`` each row the first group
    (latest time) whose risk set holds it (``n_groups`` when none does).

    The likelihood is a sum over *steps*, each with one risk-set denominator:
    under Breslow ties one step per group, weighted by the group's total case
    weight; under Efron ties one step per event, the l-th of a group of d
    removing the share l/d (``step_frac``) of the group's own risk and
    weighted by the group's mean case weight (as R's ``coxph``).
    """

    time: np.ndarray
    event: np.ndarray
    x: np.ndarray  # centred by the weighted column means
    x_ev: np.ndarray  # its rows with an event
    sd: np.ndarray  # weighted standard deviation of each covariate
    center: np.ndarray
    weight: np.ndarray
    stratum: np.ndarray
    order: np.ndarray  # row of the input (after dropping) of each sorted row
    efron: bool
    ev: np.ndarray
    gid: np.ndarray
    group_start: np.ndarray  # first event (and, under Efron, first step) of each group
    group_size: np.ndarray
    group_row: np.ndarray
    group_codes: np.ndarray | None
    row_group: np.ndarray
    row_codes: np.ndarray | None
    step_group: np.ndarray
    step_frac: np.ndarray
    step_weight: np.ndarray
    n_strata: int

    @property
    def n(self) -> int:
        return self.time.size

    @property
    def n_groups(self) -> int:
        return self.group_row.size

    @classmethod
    def build(cls, time, event, x, weight, stratum, ties) -> _Design:
        keys = (-event, -time, stratum) if (stratum != stratum[0]).any() else (-event, -time)
        order = np.lexsort(keys)
        time, event, x, weight, stratum = time[order], event[order], x[order], weight[order], stratum[order]
        n = time.size
        new_block = np.r_[True, (time[1:] != time[:-1]) | (stratum[1:] != stratum[:-1])]
        block_last = np.r_[np.flatnonzero(new_block)[1:] - 1, n - 1]
        block_end = block_last[np.cumsum(new_block) - 1]
        ev = np.flatnonzero(event)
        key = block_end[ev]
        group_start = np.r_[0, np.flatnonzero(np.diff(key)) + 1]
        group_size = np.diff(np.r_[group_start, ev.size])
        gid = np.repeat(np.arange(group_start.size), group_size)
        group_row = key[group_start]
        group_weight = np.add.reduceat(weight[ev], group_start)
        efron = ties == "efron" and bool((group_size > 1).any())
        if efron:
            step_group = gid
            step_frac = (np.arange(ev.size) - group_start[gid]) / group_size[gid]
            step_weight = (group_weight / group_size)[gid]
        else:  # Breslow, or Efron without a tie: one step per group
            step_group = np.arange(group_start.size)
            step_frac = np.zeros(group_start.size)
            step_weight = group_weight
        first = np.searchsorted(group_row, block_end, side="left")
        inside = first < group_row.size
        inside[inside] = stratum[group_row[first[inside]]] == stratum[inside]
        row_group = np.where(inside, first, group_row.size)
        n_strata = int(np.unique(stratum).size)
        total = np.average(x, axis=0, weights=weight)
        x = x - total
        return cls(
            time=time,
            event=event,
            x=x,
            x_ev=x[ev],
            sd=np.sqrt(np.average(x**2, axis=0, weights=weight)),
            center=total,
            weight=weight,
            stratum=stratum,
            order=order,
            efron=efron,
            ev=ev,
            gid=gid,
            group_start=group_start,
            group_size=group_size,
            group_row=group_row,
            group_codes=stratum[group_row] if n_strata > 1 else None,
            row_group=row_group,
            row_codes=stratum if n_strata > 1 else None,
            step_group=step_group,
            step_frac=step_frac,
            step_weight=step_weight,
            n_strata=n_strata,
        )

    def risk_set_sums(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` (rows) over the risk set of every tie group (``values`` is overwritten)."""
        if self.row_codes is None:
            return np.cumsum(values, axis=0, out=values)[self.group_row]
        return _segment_cumsum(values, self.row_codes)[self.group_row]

    def per_row(self, increments: np.ndarray) -> np.ndarray:
        """For each row, the sum of per-group ``increments`` over the groups whose risk set holds it."""
        later = _segment_cumsum(increments[::-1], None if self.group_codes is None else self.group_codes[::-1])[::-1]
        pad = np.zeros((1, *increments.shape[1:]))
        return np.concatenate([later, pad])[self.row_group]

    def by_group(self, per_step: np.ndarray) -> np.ndarray:
        """Sums over the steps of each group."""
        return np.add.reduceat(per_step, self.group_start, axis=0) if self.efron else per_step

    def group_mean(self, per_step: np.ndarray) -> np.ndarray:
        """Means over the steps of each group (one step per group under Breslow)."""
        if not self.efron:
            return per_step
        return np.add.reduceat(per_step, self.group_start, axis=0) / self.group_size.reshape(
            -1, *[1] * (per_step.ndim - 1)
        )


@dataclass(frozen=True)
class _Sums:
    """Everything at one value of the coefficients: risk scores, means, log-likelihood, score."""

    eta: np.ndarray
    r: np.ndarray  # exp(eta - max eta): the common factor cancels in every ratio
    risk: np.ndarray  # weight * r
    denom: np.ndarray  # per step: its (Efron-reduced) risk-set sum
    xbar: np.ndarray  # per step: the risk-weighted mean of x over that risk set
    loglik: float
    grad: np.ndarray


def _risk(d: _Design, beta: np.ndarray):
    eta = d.x @ beta
    shift = eta.max()
    r = np.exp(eta - shift)
    return eta, shift, r, d.weight * r


def _loglik(d: _Design, beta: np.ndarray) -> float:
    eta, shift, _, risk = _risk(d, beta)
    denom = d.risk_set_sums(risk.copy())
    if d.efron:
        own = np.add.reduceat(risk[d.ev], d.group_start)
        denom = denom[d.gid] - d.step_frac * own[d.gid]
    return float(d.weight[d.ev] @ (eta[d.ev] - shift) - d.step_weight @ np.log(denom))


def _sums(d: _Design, beta: np.ndarray) -> _Sums:
    eta, shift, r, risk = _risk(d, beta)
    n, p = d.x.shape
    cum = np.empty((n, p + 1))
    cum[:, 0] = risk
    np.multiply(d.x, risk[:, None], out=cum[:, 1:])
    num = d.risk_set_sums(cum)
    del cum
    if d.efron:
        risk_ev = risk[d.ev]
        own = np.add.reduceat(np.column_stack([risk_ev, d.x_ev * risk_ev[:, None]]), d.group_start, axis=0)
        num = num[d.gid] - d.step_frac[:, None] * own[d.gid]
    denom = num[:, 0]
    xbar = num[:, 1:] / denom[:, None]
    loglik = float(d.weight[d.ev] @ (eta[d.ev] - shift) - d.step_weight @ np.log(denom))
    grad = d.weight[d.ev] @ d.x_ev - d.step_weight @ xbar
    return _Sums(eta, r, risk, denom, xbar, loglik, grad)


def _information(d: _Design, s: _Sums, scale: np.ndarray | None = None) -> np.ndarray:
    """Observed information: the sum over steps of weight·scale·Var(x | the step's risk set).

    ``scale`` (one value per step, equal within a tie group) weights the
    steps: the blocks of a model with time-varying covariates x·g(t) are this
    with scale g and g².

    The variance at a step is S2/S0 - xbar·xbarᵀ with S2 = sum risk·x·xᵀ over
    its risk set. Summed over steps, the S2/S0 part is Xᵀ·diag(c)·X, where c_i
    is the risk of row i times the sum of weight·scale/S0 over the steps whose
    risk set holds it (less, for an event row under Efron, the share of the
    steps of its own group that leave it out), so no per-step p×p sum over
    rows is ever formed: O(n·p²) time and O(n·p) memory.
    """
    weight = d.step_weight if scale is None else d.step_weight * scale
    per_step = weight / s.denom
    c = s.risk * d.per_row(d.by_group(per_step))
    if d.efron:
        removed = np.add.reduceat(per_step * d.step_frac, d.group_start)
        c[d.ev] -= s.risk[d.ev] * removed[d.gid]
    info = (d.x * c[:, None]).T @ d.x - (weight[:, None] * s.xbar).T @ s.xbar
    return (info + info.T) / 2


def _solve(info: np.ndarray, grad: np.ndarray, names) -> np.ndarray:
    try:
        return np.linalg.solve(info, grad)
    except np.linalg.LinAlgError:
        raise StatsError(
            f"the information matrix of {', '.join(names)} is singular in these data: the Cox model is not estimable"
        ) from None


@dataclass(frozen=True)
class _CoxFit:
    """A fitted model: coefficients, the variance in use and the model-based one, and the data."""

    coef: np.ndarray
    cov: np.ndarray
    naive_cov: np.ndarray
    loglik: float
    design: _Design


def _fit(d: _Design, names, max_iter: int = MAX_ITER, tol: float = TOL) -> _CoxFit:
    beta = np.zeros(d.x.shape[1])
    s = _sums(d, beta)
    info = _information(d, s)
    _check_information(d, info, names)
    loglik, grad = s.loglik, s.grad
    converged = False
    for _ in range(max_iter):
        step = _solve(info, grad, names)
        new_beta = beta + step
        s = _sums(d, new_beta)
        new_loglik = s.loglik
        halvings = 0
        # step halving keeps the climb monotone; a fall within the convergence tolerance is rounding
        while new_loglik < loglik - tol * (abs(loglik) + 1) and halvings < 30:
            step /= 2
            new_beta = beta + step
            new_loglik = _loglik(d, new_beta)
            halvings += 1
        if halvings:
            s = _sums(d, new_beta)
        converged = abs(s.loglik - loglik) < tol * (abs(loglik) + 1)
        beta, loglik, grad, info = new_beta, s.loglik, s.grad, _information(d, s)
        if converged:
            break
    infinite = _infinite(d, beta, grad, info, names)
    if infinite:
        raise StatsError(
            f"the likelihood has no finite maximum for {', '.join(map(repr, infinite))} (monotone likelihood: "
            "for example a covariate level with no events, or whose patients all fail first): "
            f"{'its hazard ratio is' if len(infinite) == 1 else 'their hazard ratios are'} not estimable "
            "(R's coxph warns that the coefficient may be infinite)"
        )
    if not converged:
        raise StatsError(f"the Cox model of {', '.join(names)} did not converge in {max_iter} Newton steps")
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        raise StatsError(f"the covariates {', '.join(names)} are collinear: the Cox model is not estimable") from None
    return _CoxFit(beta, cov, cov, loglik, d)


def _infinite(d: _Design, beta, grad, info, names) -> list[str]:
    """Covariates whose coefficient would keep growing: the scale-free monotone-likelihood rule."""
    sd = d.sd
    try:
        step = np.linalg.solve(info, grad)
    except np.linalg.LinAlgError:
        return []
    suspect = np.abs(step) * sd > INFINITE_STEP
    if not suspect.any():
        return []
    nxt = _sums(d, beta + step)
    try:
        step2 = np.linalg.solve(_information(d, nxt), nxt.grad)
    except np.linalg.LinAlgError:
        step2 = step
    climbing = suspect & (np.sign(step2) == np.sign(step)) & (np.abs(step2) > 0.5 * np.abs(step))
    return [n for n, flag in zip(names, climbing, strict=True) if flag]


def _check_aliasing(d: _Design, names) -> None:
    """Refuse covariates that are linear combinations of earlier ones (and of the strata)."""
    root_w = np.sqrt(d.weight)[:, None]
    overall = np.sqrt(((d.x * root_w) ** 2).sum(axis=0))
    x = d.x
    if d.n_strata > 1:
        size = d.stratum.max() + 1
        mass = np.bincount(d.stratum, weights=d.weight, minlength=size)
        totals = np.column_stack(
            [np.bincount(d.stratum, weights=d.weight * x[:, j], minlength=size) for j in range(x.shape[1])]
        )
        x = x - (totals / np.where(mass > 0, mass, 1)[:, None])[d.stratum]
    x = x * root_w
    within = np.sqrt((x**2).sum(axis=0))
    # The cross-product answers at once when no covariate comes near aliasing; the QR
    # decomposition (twice the digits) decides the close calls.
    if _relative_pivots(x.T @ x).min() > 1e-8 and (within > ALIAS_TOL * overall).all():
        return
    own = np.abs(np.diag(np.linalg.qr(x, mode="r")))
    in_strata = ~(within > ALIAS_TOL * overall)
    combined = ~in_strata & ~(own > ALIAS_TOL * within)
    problems = []
    for mask, reason in (
        (in_strata, "constant within every stratum"),
        (combined, "a linear combination of the covariates before it" + (" and the strata" if d.n_strata > 1 else "")),
    ):
        bad = [c for c, flag in zip(names, mask, strict=True) if flag]
        if bad:
            one = len(bad) == 1
            problems.append(
                f"{'covariate' if one else 'covariates'} {', '.join(map(repr, bad))} {'is' if one else 'are'} {reason}"
            )
    if problems:
        count = int(in_strata.sum() + combined.sum())
        raise StatsError(
            f"{'; '.join(problems)} in these {d.n} patients (aliased; R's coxph reports NA): "
            f"{'its hazard ratio is' if count == 1 else 'their hazard ratios are'} not estimable; drop "
            f"{'it' if count == 1 else 'them'} from the model"
        )


def _relative_pivots(gram: np.ndarray) -> np.ndarray:
    """Pivots of the Cholesky decomposition of ``gram`` in the order given, each over its diagonal element.

    The share of each column's (weighted) sum of squares that the columns before it do not
    explain; 0 for an aliased column (which is then left out of the later pivots).
    """
    a = gram.astype(float).copy()
    out = np.zeros(a.shape[0])
    for j in range(a.shape[0]):
        pivot = a[j, j]
        if not (gram[j, j] > 0 and pivot > 1e-13 * gram[j, j]):
            a[j, :] = a[:, j] = 0
            continue
        out[j] = pivot / gram[j, j]
        a[j + 1 :, j + 1 :] -= np.outer(a[j + 1 :, j], a[j, j + 1 :]) / pivot
    return out


def _check_information(d: _Design, info: np.ndarray, names) -> None:
    """Refuse covariates that carry no information at beta = 0 (constant within every risk set at an event)."""
    scale = d.sd**2 * float(d.step_weight.sum())
    a = info.copy()
    empty = []
    for j in range(a.shape[0]):
        pivot = a[j, j]
        if not pivot > 1e-10 * scale[j]:
            empty.append(names[j])
            a[j, :] = a[:, j] = 0
            continue
        a[j + 1 :, j + 1 :] -= np.outer(a[j + 1 :, j], a[j, j + 1 :]) / pivot
    if empty:
        one = len(empty) == 1
        raise StatsError(
            f"{'covariate' if one else 'covariates'} {', '.join(map(repr, empty))} "
            f"{'does' if one else 'do'} not vary within any risk set at an event time, beyond what the other "
            "covariates explain: the partial likelihood carries no information on "
            f"{'its' if one else 'their'} hazard ratio (R's coxph reports NA)"
        )


def _score_residuals(d: _Design, s: _Sums) -> np.ndarray:
    """Per row (sorted order), the unweighted score residual of each covariate at the fitted coefficients.

    For row i: its event term x_i - (mean of the step means of its tie group),
    if it had an event, minus r_i times the sum over the steps whose risk set
    holds it of weight/denom · (x_i - xbar) (for an event row under Efron,
    only the share 1 - l/d of its own group's l-th step). Weighted by the case
    weights they sum to the score.
    """
    per_step = d.step_weight / s.denom
    x = d.x
    hazard = d.per_row(d.by_group(per_step))
    pulled = d.per_row(d.by_group(per_step[:, None] * s.xbar))
    resid = -s.r[:, None] * (x * hazard[:, None] - pulled)
    ev, gid = d.ev, d.gid
    resid[ev] += d.x_ev - d.group_mean(s.xbar)[gid]
    if d.efron:
        share = per_step * d.step_frac
        removed = np.add.reduceat(share, d.group_start)
        pulled_removed = np.add.reduceat(share[:, None] * s.xbar, d.group_start, axis=0)
        resid[ev] += s.r[ev, None] * (d.x_ev * removed[gid, None] - pulled_removed[gid])
    return resid


def _robust_cov(d: _Design, fit: _CoxFit, cluster_codes) -> tuple[np.ndarray, int]:
    """Sandwich variance D'D, D = weighted score residuals (summed within clusters) times the naive variance."""
    s = _sums(d, fit.coef)
    scores = d.weight[:, None] * _score_residuals(d, s)
    n_clusters = None
    if cluster_codes is not None:
        codes = cluster_codes[d.order]
        n_clusters = int(codes.max()) + 1
        scores = np.column_stack(
            [np.bincount(codes, weights=scores[:, j], minlength=n_clusters) for j in range(scores.shape[1])]
        )
    dfbeta = scores @ fit.naive_cov
    return dfbeta.T @ dfbeta, n_clusters


def schoenfeld_residuals(result: CoxResult) -> tuple[np.ndarray, np.ndarray]:
    """Event times and Schoenfeld residuals x - E[x | risk set] at each event.

    Returns the times and a (events × covariates) array, by increasing time
    within each stratum (strata in sorted order), as R's
    ``residuals(fit, "schoenfeld")``. The expectation uses the fit's tie
    handling; under Efron ties every event of a tied group is compared with
    the mean of the group's Efron means, as in R. Residuals are unweighted.
    """
    fit: _CoxFit = _model(result)
    d = fit.design
    s = _sums(d, fit.coef)
    resid = d.x_ev - d.group_mean(s.xbar)[d.gid]
    times = d.time[d.ev]
    order = np.lexsort((times, d.stratum[d.ev]))
    return times[order], resid[order]


def _model(result: CoxResult) -> _CoxFit:
    if not isinstance(result, CoxResult) or not isinstance(result.model, _CoxFit):
        raise StatsError("result: expected a CoxResult from fit_cox, holding its fitted model")
    return result.model


def univariate_cox(data: pd.DataFrame, duration_col: str, event_col: str, covariates, **kwargs) -> pd.DataFrame:
    """One Cox model per covariate; rows in the order given."""
    frames = [fit_cox(data, duration_col, event_col, [c], **kwargs).summary for c in covariates]
    return pd.concat(frames, ignore_index=True)


def select_multivariable(univariate: pd.DataFrame, *, entry_p: float = 0.15) -> list[str]:
    """Covariates whose univariate p-value is below ``entry_p`` (a P < 0.15 entry rule by default).

    Notes
    -----
    Screening on univariate p-values is common but debatable: it ignores
    confounding among candidates and makes the final p-values look better
    than they are. It is offered because published analyses use it.
    """
    return univariate.loc[univariate["p_value"] < entry_p, "covariate"].tolist()


def cox_table(
    data: pd.DataFrame,
    duration_col: str,
    event_col: str,
    covariates,
    *,
    entry_p: float = 0.15,
    ties: str = "breslow",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Univariate screen and multivariable model, side by side (Tables 4 and 5).

    Returns one row per covariate with ``uni_*`` and ``multi_*`` columns
    (``estimate, ci_lower, ci_upper, p_value``); ``multi_*`` is NaN for
    covariates that did not pass the univariate screen.
    """
    covariates = list(covariates)
    uni = univariate_cox(data, duration_col, event_col, covariates, ties=ties, alpha=alpha)
    selected = select_multivariable(uni, entry_p=entry_p)
    cols = ["estimate", "ci_lower", "ci_upper", "p_value"]
    table = uni[["covariate", *cols]].rename(columns={c: f"uni_{c}" for c in cols})
    if selected:
        multi = fit_cox(data, duration_col, event_col, selected, ties=ties, alpha=alpha).summary
        table = table.merge(
            multi[["covariate", *cols]].rename(columns={c: f"multi_{c}" for c in cols}), on="covariate", how="left"
        )
    else:
        for c in cols:
            table[f"multi_{c}"] = np.nan
    table.insert(1, "in_multivariable", table["covariate"].isin(selected))
    return table.assign(n=len(data), events=int(data[event_col].sum()))


PH_TRANSFORMS = ("km", "rank", "identity", "log")


@dataclass(frozen=True)
class ProportionalHazardsTest:
    """A test of proportional hazards for each covariate of a Cox model and globally.

    ``table`` has one row per covariate and a last ``GLOBAL`` row:
    ``covariate, statistic, df, p_value``; ``transform`` is the function of
    time the test was run against.
    """

    table: pd.DataFrame
    transform: str

    @property
    def global_test(self) -> TestResult:
        row = self.table.iloc[-1]
        return TestResult(
            "proportional hazards (global)", float(row["statistic"]), int(row["df"]), float(row["p_value"])
        )

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()


def proportional_hazards_test(result: CoxResult, *, transform: str = "km") -> ProportionalHazardsTest:
    """Score test of proportional hazards against a time-varying effect, per covariate and global.

    Parameters
    ----------
    result : CoxResult
        A model from :func:`fit_cox` (any ties, weights, strata; a robust
        variance is not used: the test is built on the model's information,
        as R's ``cox.zph``).
    transform : {"km", "rank", "identity", "log"}
        The function g(t) of time: ``km`` is 1 - S(t-) from the Kaplan–Meier
        curve of all the fitted rows (one curve, unweighted, robust to a few
        long times), ``rank`` the rank of t among all observed times,
        ``identity`` t itself and ``log`` log t.

    Notes
    -----
    The Grambsch & Therneau (1994) test in its exact score form, as R's
    ``survival::cox.zph`` computes it from version 3.0 on (Therneau &
    Grambsch 2000, ch. 6). The model is extended by the time-varying
    covariates x·g(t), g centred on its mean over the events, and the score
    test of "no x·g(t) effect" is computed at the fitted coefficients: the
    score U of the new terms is the sum over events of g(t)·w·(Schoenfeld
    residual), and the information of the extended model has the blocks
    sum mw·V, sum mw·g·V and sum mw·g²·V of the risk-set variances V (with
    the fit's tie handling, weights and strata). The test of covariate j
    adds only x_j·g(t): U_j² times the last diagonal element of the inverse
    of the information of (all x, x_j·g); it has 1 df. The global test adds
    every x·g(t) and has p df. Older R releases (before 3.0) used an
    approximation that assumes the variance of x in the risk sets constant
    over time; it can differ a lot on real data. A small p suggests the
    hazard ratio changes over follow-up.
    """
    fit = _model(result)
    if transform not in PH_TRANSFORMS:
        raise StatsError(f"transform must be one of {PH_TRANSFORMS}, got {transform!r}")
    d = fit.design
    event = d.event.astype(bool)
    times = d.time[d.ev]
    if transform == "km":
        km_times, km_surv = _km_left_continuous(d.time, event)
        g = 1.0 - km_surv[np.searchsorted(km_times, times)]
    elif transform == "rank":
        g = stats.rankdata(d.time)[d.ev]
    elif transform == "identity":
        g = times.astype(float)
    else:
        if (times <= 0).any():
            raise StatsError(f"transform='log': {int((times <= 0).sum())} event time(s) are 0; log(t) is undefined")
        g = np.log(times)
    g_ev = g - g.mean()
    s = _sums(d, fit.coef)
    p = d.x.shape[1]
    schoenfeld = d.x_ev - d.group_mean(s.xbar)[d.gid]
    score = (d.weight[d.ev] * g_ev) @ schoenfeld
    g_step = g_ev[d.group_start][d.step_group]  # g is one value per tie group
    i11 = _information(d, s)
    i12 = _information(d, s, g_step)
    i22 = _information(d, s, g_step**2)
    info = np.block([[i11, i12], [i12.T, i22]])
    u = np.concatenate([np.zeros(p), score])
    per_cov = np.empty(p)
    for j in range(p):
        keep = np.r_[np.arange(p), p + j]
        sub = info[np.ix_(keep, keep)]
        per_cov[j] = u[keep] @ np.linalg.solve(sub, u[keep])
    global_stat = float(u @ np.linalg.solve(info, u))
    names = result.summary["covariate"].tolist()
    rows = [
        {"covariate": n, "statistic": float(st), "df": 1, "p_value": float(stats.chi2.sf(st, 1))}
        for n, st in zip(names, per_cov, strict=True)
    ]
    rows.append(
        {"covariate": "GLOBAL", "statistic": global_stat, "df": p, "p_value": float(stats.chi2.sf(global_stat, p))}
    )
    return ProportionalHazardsTest(table=pd.DataFrame(rows), transform=transform)


def _km_left_continuous(times, status):
    """Distinct event times and S(t-) just before each (for the KM time transform)."""
    ev = fit_km(times, status.astype(int)).event_times
    surv_before = np.concatenate([[1.0], ev["survival"].to_numpy()[:-1]])
    return ev["time"].to_numpy(), surv_before


def subgroup_effects(
    data: pd.DataFrame,
    duration_col: str,
    event_col: str,
    treatment_col: str,
    subgroups,
    *,
    ties: str = "breslow",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Treatment hazard ratio within each level of each subgroup variable (forest plots).

    For every variable: an unstratified Cox model of the treatment within each
    level, and the Wald p-value of the treatment × variable interaction in a
    model with treatment, variable and their product on all patients.

    Returns one row per (variable, level): ``variable, level, n, events,
    n_treated, n_control, estimate, ci_lower, ci_upper, p_value, p_interaction``.
    A level whose patients cannot support a model (no events, one arm only)
    gets NaN estimates rather than an error, and ``note`` says why.
    """
    rows = []
    for var in subgroups:
        inter = data[[duration_col, event_col, treatment_col, var]].copy()
        inter["_interaction"] = inter[treatment_col] * inter[var]
        try:
            full = fit_cox(inter, duration_col, event_col, [treatment_col, var, "_interaction"], ties=ties, alpha=alpha)
            p_int = float(full.summary.set_index("covariate").loc["_interaction", "p_value"])
        except StatsError:
            p_int = np.nan
        for level in sorted(data[var].dropna().unique(), reverse=True):
            sub = data[data[var] == level]
            row = {
                "variable": var,
                "level": level,
                "n": len(sub),
                "events": int(sub[event_col].sum()),
                "n_treated": int(sub[treatment_col].sum()),
                "n_control": int((1 - sub[treatment_col]).sum()),
                "p_interaction": p_int,
                "note": "",
            }
            try:
                res = fit_cox(sub, duration_col, event_col, [treatment_col], ties=ties, alpha=alpha).summary.iloc[0]
                row.update({k: float(res[k]) for k in ("estimate", "ci_lower", "ci_upper", "p_value")})
            except StatsError as err:
                row.update({k: np.nan for k in ("estimate", "ci_lower", "ci_upper", "p_value")})
                row["note"] = str(err)
            rows.append(row)
    return pd.DataFrame(rows)
