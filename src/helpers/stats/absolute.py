"""Absolute contrasts of survival: differences in survival at fixed times and in restricted mean survival time.

Compute only. A hazard ratio is relative and assumes proportional hazards; a
difference in the probability of being event-free at a fixed time is read
directly ("12 more patients in 100 free of progression at six months"), and
so is a difference in restricted mean survival time (RMST, the area under the
curve up to a horizon τ: months of life gained within τ).

- :func:`survival_difference` — S(t) of one fitted curve minus another's, arms independent;
- :func:`km_influence` — a (weighted) Kaplan–Meier curve at chosen times and its
  area, with each row's infinitesimal-jackknife influence (R's
  ``resid.survfit``), for robust and clustered variances;
- :func:`compare_arms` — two arms' survival differences and RMST differences
  and ratios, with Greenwood or jackknife (optionally cluster-robust) errors;
- :func:`standardized_survival` — the same contrasts from a Cox model by
  regression standardisation (g-computation), point estimates only.

For the restricted mean of one curve see :mod:`helpers.stats.rmst`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from . import validate
from .cox import CoxResult
from .errors import StatsError
from .rmst import rmst as rmst_of
from .survival import KMResult, fit_km


def survival_difference(curve: KMResult, reference: KMResult, times, *, alpha: float = 0.05) -> pd.DataFrame:
    """S(t) of ``curve`` minus S(t) of ``reference`` at each time, with a Wald interval.

    Parameters
    ----------
    curve, reference : KMResult
        Two Kaplan–Meier curves of independent samples (e.g. the two arms,
        weighted or not), each with the standard error of its S(t).
    times : float or sequence of float
        Times (>= 0) in the unit of the fits; none may lie beyond the last
        observed time of a curve that has not reached 0 there.

    Returns
    -------
    DataFrame
        One row per time: ``time, survival, survival_reference, estimate, se,
        ci_lower, ci_upper, p_value``.

    Notes
    -----
    Var(S1 - S0) = SE1^2 + SE0^2 (independent samples); the interval is
    estimate ± z·SE at level 1 - ``alpha`` and the p-value two-sided Wald.
    The standard errors are the curves' own (Greenwood, or the robust
    infinitesimal-jackknife ones of a weighted fit).
    """
    for name, km in (("curve", curve), ("reference", reference)):
        if not isinstance(km, KMResult):
            raise StatsError(f"{name}: expected a fitted Kaplan–Meier curve (KMResult), got {type(km).__name__}")
    if not (0 < alpha < 1):
        raise StatsError(f"alpha: must lie strictly between 0 and 1, got {alpha!r}")
    try:
        ts = np.atleast_1d(np.asarray(times, dtype=float))
    except (TypeError, ValueError):
        raise StatsError(f"times: expected numbers, got {times!r}") from None
    bad = ~np.isfinite(ts) | (ts < 0)
    if bad.any():
        raise StatsError(f"times: {ts[bad][0]:g} is not a finite time >= 0")
    z = stats.norm.ppf(1 - alpha / 2)
    rows = []
    for t in ts:
        values = []
        for name, km in (("curve", curve), ("reference", reference)):
            last = float(km.table["time"].iloc[-1])
            if t > last and float(km.table["survival"].iloc[-1]) > 0:
                label = f" ({km.label})" if km.label else ""
                raise StatsError(
                    f"times: {t:g} lies beyond the last observed time of {name}{label} ({last:g}) while S(t) > 0 "
                    "there; survival is unknown past the follow-up"
                )
            values.append((km.survival_at(t), km.se_at(t)))
        (s1, se1), (s0, se0) = values
        diff = s1 - s0
        se = float(np.hypot(se1, se0))
        p = float(2 * stats.norm.sf(abs(diff) / se)) if se > 0 else np.nan
        rows.append(
            {
                "time": float(t),
                "survival": s1,
                "survival_reference": s0,
                "estimate": diff,
                "se": se,
                "ci_lower": diff - z * se,
                "ci_upper": diff + z * se,
                "p_value": p,
            }
        )
    return pd.DataFrame(rows)


# --- influence functions of the Kaplan–Meier curve and its area -------------------------------

VARIANCES = ("greenwood", "jackknife")


def _query_times(values, name: str, *, positive: bool = False) -> np.ndarray:
    try:
        ts = np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError):
        raise StatsError(f"{name}: expected numbers, got {values!r}") from None
    if ts.ndim != 1:
        raise StatsError(f"{name}: expected a number or a sequence of numbers")
    bad = ~np.isfinite(ts) | ((ts <= 0) if positive else (ts < 0))
    if bad.any():
        rule = "> 0" if positive else ">= 0"
        raise StatsError(f"{name}: {ts[bad][0]:g} is not a finite time {rule}")
    return ts


@dataclass(frozen=True)
class KMInfluence:
    """A (weighted) Kaplan–Meier curve at chosen times and its area up to chosen horizons, with influences.

    ``survival[k]`` is S(``times[k]``) and ``rmst[k]`` the area under S from 0
    to ``taus[k]``. ``survival_influence`` (n × len(times)) and
    ``rmst_influence`` (n × len(taus)) hold, per input row, its weight times
    the derivative of the estimate with respect to that weight: the
    infinitesimal-jackknife influence, which R returns as
    ``resid(survfit(...), times, type = "pstate" / "auc", weighted = TRUE)``.
    The sum of their squares is the robust variance (weights taken as fixed);
    summed first within clusters, the clustered one.
    """

    times: np.ndarray
    survival: np.ndarray
    survival_influence: np.ndarray
    taus: np.ndarray
    rmst: np.ndarray
    rmst_influence: np.ndarray

    @property
    def survival_se(self) -> np.ndarray:
        return np.sqrt(np.sum(self.survival_influence**2, axis=0))

    @property
    def rmst_se(self) -> np.ndarray:
        return np.sqrt(np.sum(self.rmst_influence**2, axis=0))


def km_influence(durations, events, *, weights=None, times=(), taus=(), label: str = "") -> KMInfluence:
    """The Kaplan–Meier estimate at ``times`` and its area up to each of ``taus``, with each row's influence.

    Parameters
    ----------
    durations, events : array-like
        Follow-up times (>= 0) and 0/1 event indicators.
    weights : array-like, optional
        Case weights (>= 0); a row of weight 0 has influence 0.
    times, taus : float or sequence of float
        Where S(t) is wanted, and the horizons (> 0) of the restricted means.
        None may lie beyond the last observed time while S > 0 there.
    label : str
        Named in messages.

    Notes
    -----
    With d_j and n_j the weighted events and numbers at risk at the distinct
    times t_j and C(t) = sum over t_j <= t of d_j / (n_j (n_j - d_j)) (the
    Greenwood sum), the derivative of log S(t) with respect to the weight of
    row i (time T_i, event indicator δ_i) is

        C(min(t, T_i)) - δ_i [T_i <= t] / (n(T_i) - d(T_i)),

    and its influence on S(t) is w_i S(t) times that (0 where S(t) = 0: no
    weight can lift a curve that a last event took to 0). The influence on the
    restricted mean is the area under the influence on S: the sum over the
    pieces [t_j, t_{j+1}) below τ of their width times the influence at t_j,
    computed with cumulative sums in O(n + m). Without weights (all weights
    1) the sum of squared influences on S(t) is exactly Greenwood's variance,
    and that on the restricted mean exactly the Greenwood-type ``se(rmean)``
    (the cross-products of different times cancel); with unequal weights it is
    the robust variance of the weighted estimate, which Greenwood's formula on
    weighted counts is not.
    """
    t = validate.durations(durations)
    d = validate.events(events).astype(np.int64)
    w = np.ones(t.size) if weights is None else validate.weights(weights)
    validate.check_length(t.size, events=d, weights=w)
    ts = _query_times(times, "times")
    taus = _query_times(taus, "taus", positive=True)
    pos = w > 0
    if not pos.any():
        raise StatsError(f"weights: every row{' of ' + label if label else ''} has weight 0; nothing to estimate")
    uniq, inverse = np.unique(t[pos], return_inverse=True)
    n_ev = np.bincount(inverse, weights=(w * d)[pos], minlength=uniq.size)
    n_risk = np.bincount(inverse, weights=w[pos], minlength=uniq.size)[::-1].cumsum()[::-1]
    surv = np.cumprod(1.0 - n_ev / n_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(n_ev > 0, np.where(n_risk > n_ev, n_ev / (n_risk * (n_risk - n_ev)), np.inf), 0.0)
        gw = np.cumsum(terms)
        jump_at = np.where(n_risk > n_ev, 1.0 / (n_risk - n_ev), np.inf)
    last, reached_zero = float(uniq[-1]), bool(surv[-1] == 0)
    named = f" of {label!r}" if label else ""
    for name, values in (("times", ts), ("taus", taus)):
        beyond = values > last
        if beyond.any() and not reached_zero:
            raise StatsError(
                f"{name}: {values[beyond][0]:g} lies beyond the last observed time{named} ({last:g}) while S(t) > 0 "
                "there; survival is unknown past the follow-up"
            )
    row = np.searchsorted(uniq, t, side="right") - 1  # each row's distinct time (-1: before every time)
    gw_finite = np.where(np.isfinite(gw), gw, 0.0)  # infinite only where S = 0, and then multiplied by 0
    jump = np.where((d == 1) & (row >= 0), jump_at[np.maximum(row, 0)], 0.0)
    jump = np.where(np.isfinite(jump), jump, 0.0)

    # S(t) and its influence at each asked time
    k = np.searchsorted(uniq, ts, side="right") - 1
    s_t = np.where(k >= 0, surv[np.maximum(k, 0)], 1.0)
    idx = np.minimum(row[:, None], k[None, :])
    c_part = np.where(idx >= 0, gw_finite[np.maximum(idx, 0)], 0.0)
    dlog = c_part - jump[:, None] * (row[:, None] <= k[None, :])
    surv_infl = np.where(s_t[None, :] > 0, w[:, None] * s_t[None, :] * dlog, 0.0)

    # the area up to each tau and its influence
    rmst_est = np.empty(taus.size)
    rmst_infl = np.zeros((t.size, taus.size))
    for j, tau in enumerate(taus):
        m = int(np.searchsorted(uniq, tau, side="right"))  # distinct times <= tau
        knots = np.concatenate([[0.0], uniq[:m], [tau]])
        heights = np.concatenate([[1.0], surv[:m]])
        rmst_est[j] = float(np.sum(np.diff(knots) * heights))
        if m == 0:
            continue
        a = np.diff(knots)[1:] * surv[:m]  # the piece starting at t_j, j < m
        a_cum = np.cumsum(a)
        ac_cum = np.cumsum(a * gw_finite[:m])
        total = a_cum[-1]
        inside = (row >= 0) & (row < m)
        r = np.clip(row, 0, m - 1)
        after = total - a_cum[r]  # sum of a over pieces after the row's time
        from_row = after + a[r]  # ... from its time on
        value = np.where(
            inside,
            ac_cum[r] + gw_finite[r] * after - jump * from_row,
            np.where(row >= m, ac_cum[-1], 0.0),
        )
        rmst_infl[:, j] = w * value
    return KMInfluence(ts, s_t, surv_infl, taus, rmst_est, rmst_infl)


# --- two arms: survival differences, restricted mean differences and ratios --------------------


@dataclass(frozen=True)
class ArmComparison:
    """Two arms' survival at fixed times and restricted means, and their contrasts (treated against control).

    ``arms``: one row per arm and quantity, ``arm`` ("treated"/"control"),
    ``quantity`` ("survival" or "rmst"), ``time`` (the time or τ),
    ``estimate, se``. ``contrasts``: one row per ``measure``
    ("survival_difference", "rmst_difference", "rmst_ratio") and ``time``:
    ``estimate, se, ci_lower, ci_upper, p_value`` (for the ratio, ``se`` is
    that of its logarithm and the interval is exp(log ratio ± z·se)).
    ``variance`` says how the standard errors were obtained and
    ``n_clusters`` how many clusters a clustered variance summed over.
    """

    arms: pd.DataFrame
    contrasts: pd.DataFrame
    variance: str
    alpha: float = 0.05
    n_clusters: int | None = None

    def to_frame(self) -> pd.DataFrame:
        return self.contrasts.assign(variance=self.variance)


def _contrast_row(measure: str, time: float, estimate: float, se: float, z: float, *, log: bool = False) -> dict:
    if log:
        centre = np.log(estimate) if estimate > 0 else np.nan
        lower, upper = np.exp(centre - z * se), np.exp(centre + z * se)
        z_stat = centre / se if se > 0 else np.nan
    else:
        lower, upper = estimate - z * se, estimate + z * se
        z_stat = estimate / se if se > 0 else np.nan
    p = float(2 * stats.norm.sf(abs(z_stat))) if np.isfinite(z_stat) else np.nan
    return {
        "measure": measure,
        "time": float(time),
        "estimate": float(estimate),
        "se": float(se),
        "ci_lower": float(lower),
        "ci_upper": float(upper),
        "p_value": p,
    }


def compare_arms(
    durations,
    events,
    treated,
    *,
    times=(),
    taus=(),
    weights=None,
    cluster=None,
    variance: str = "greenwood",
    alpha: float = 0.05,
) -> ArmComparison:
    """Survival differences at ``times`` and restricted mean differences and ratios up to ``taus``, treated minus control.

    Parameters
    ----------
    durations, events : array-like
        Follow-up times and 0/1 events.
    treated : array-like
        0/1 arm indicator (1 = treated); both arms present.
    times, taus : float or sequence of float
        As for :func:`km_influence`.
    weights : array-like, optional
        Case weights of a weighted Kaplan–Meier curve per arm.
    cluster : array-like, optional
        Cluster labels (e.g. matched pairs); only with ``variance="jackknife"``.
    variance : {"greenwood", "jackknife"}
        ``greenwood``: each arm's Greenwood standard error of S(t) and the
        Greenwood-type ``se(rmean)`` of its restricted mean (as R prints them;
        on weighted counts when there are weights, i.e. frequency weights), the
        arms independent. ``jackknife``: infinitesimal-jackknife (robust)
        standard errors from :func:`km_influence`, weights taken as fixed; with
        ``cluster``, each contrast's influences are summed within clusters
        first, so that a pair's two members, one per arm, may be correlated.
    alpha : float
        1 - confidence level of the Wald intervals.
    """
    alpha = validate.probability(alpha, "alpha")
    validate.one_of(variance, "variance", VARIANCES)
    t = validate.durations(durations)
    d = validate.events(events).astype(np.int64)
    arm = validate.binary(treated, "treated").astype(np.int64)
    w = np.ones(t.size) if weights is None else validate.weights(weights)
    validate.check_length(t.size, events=d, treated=arm, weights=w)
    for level, name in ((1, "treated"), (0, "control")):
        if not (w[arm == level] > 0).any():
            raise StatsError(f"treated: no {name} row with a positive weight; two arms are needed")
    codes = None
    if cluster is not None:
        if variance != "jackknife":
            raise StatsError("cluster: a clustered variance needs variance='jackknife'")
        labels = validate.labels(cluster, "cluster")
        validate.check_length(t.size, cluster=labels)
        codes = pd.factorize(labels)[0]
    ts = _query_times(times, "times")
    taus = _query_times(taus, "taus", positive=True)
    z = stats.norm.ppf(1 - alpha / 2)
    fits = {}
    for level, name in ((1, "treated"), (0, "control")):
        m = arm == level
        fits[name] = km_influence(t[m], d[m], weights=w[m], times=ts, taus=taus, label=name)
    rows = []
    if variance == "greenwood":
        se_arm = {}
        for level, name in ((1, "treated"), (0, "control")):
            m = arm == level
            km = fit_km(t[m], d[m], weights=None if weights is None else w[m], variance="greenwood", label=name)
            s_se = np.array([km.se_at(x) for x in ts])
            r_se = np.array([rmst_of(km, tau).se for tau in taus])
            se_arm[name] = (s_se, r_se)
    else:
        se_arm = {name: (f.survival_se, f.rmst_se) for name, f in fits.items()}
    for name, f in fits.items():
        s_se, r_se = se_arm[name]
        for x, est, se in zip(ts, f.survival, s_se, strict=True):
            rows.append(
                {"arm": name, "quantity": "survival", "time": float(x), "estimate": float(est), "se": float(se)}
            )
        for x, est, se in zip(taus, f.rmst, r_se, strict=True):
            rows.append({"arm": name, "quantity": "rmst", "time": float(x), "estimate": float(est), "se": float(se)})
    arms_frame = pd.DataFrame(rows, columns=["arm", "quantity", "time", "estimate", "se"])

    def contrast_se(infl1: np.ndarray, infl0: np.ndarray, se1: float, se0: float) -> float:
        if variance == "greenwood":
            return float(np.hypot(se1, se0))
        per_row = np.zeros(t.size)
        per_row[arm == 1] = infl1
        per_row[arm == 0] = -infl0
        if codes is not None:
            per_row = np.bincount(codes, weights=per_row)
        return float(np.sqrt(np.sum(per_row**2)))

    f1, f0 = fits["treated"], fits["control"]
    (s1_se, r1_se), (s0_se, r0_se) = se_arm["treated"], se_arm["control"]
    contrasts = []
    for k, x in enumerate(ts):
        diff = f1.survival[k] - f0.survival[k]
        se = contrast_se(f1.survival_influence[:, k], f0.survival_influence[:, k], s1_se[k], s0_se[k])
        contrasts.append(_contrast_row("survival_difference", x, diff, se, z))
    for k, tau in enumerate(taus):
        mu1, mu0 = f1.rmst[k], f0.rmst[k]
        se = contrast_se(f1.rmst_influence[:, k], f0.rmst_influence[:, k], r1_se[k], r0_se[k])
        contrasts.append(_contrast_row("rmst_difference", tau, mu1 - mu0, se, z))
        se_log = contrast_se(
            f1.rmst_influence[:, k] / mu1, f0.rmst_influence[:, k] / mu0, r1_se[k] / mu1, r0_se[k] / mu0
        )
        contrasts.append(_contrast_row("rmst_ratio", tau, mu1 / mu0, se_log, z, log=True))
    contrast_frame = pd.DataFrame(
        contrasts, columns=["measure", "time", "estimate", "se", "ci_lower", "ci_upper", "p_value"]
    )
    n_clusters = int(codes.max() + 1) if codes is not None else None
    return ArmComparison(arms_frame, contrast_frame, variance, alpha, n_clusters)


# --- regression standardisation: the survival every patient would have under each arm ------------


@dataclass(frozen=True)
class StandardizedSurvival:
    """Marginal survival curves standardised over a population from a Cox model.

    ``curves`` has one row per distinct event time: ``time, treated, control``
    (the average predicted S(t) with everyone set to treated, then to
    control). ``arms`` and ``contrasts`` are laid out as in
    :class:`ArmComparison`, with point estimates only (``se`` and the limits
    NaN: a bootstrap gives their uncertainty).
    """

    curves: pd.DataFrame
    arms: pd.DataFrame
    contrasts: pd.DataFrame


def standardized_survival(
    result,
    data: pd.DataFrame,
    duration_col: str,
    event_col: str,
    treatment_col: str,
    *,
    weights=None,
    population=None,
    times=(),
    taus=(),
) -> StandardizedSurvival:
    """Regression standardisation (g-computation) from a Cox model: S under treatment and under control.

    Parameters
    ----------
    result : CoxResult
        A model of :func:`~helpers.stats.cox.fit_cox` fitted on ``data`` with
        Breslow ties and no strata; ``treatment_col`` (0/1) must be one of its
        covariates.
    data : DataFrame
        The rows the model was fitted on (its durations, events and covariates).
    weights : str or array-like, optional
        The case weights the model was fitted with (they enter the baseline hazard).
    population : array-like, optional
        Weights over the rows of ``data`` defining the population to average
        over (default: every row equally, e.g. all patients for the ATE).
    times, taus : float or sequence of float
        As for :func:`compare_arms`.

    Notes
    -----
    The Breslow estimate of the baseline cumulative hazard,
    H0(t) = sum over event times t_j <= t of (weighted events at t_j) /
    (sum over the risk set of w_i exp(x_i'b)), gives each patient's predicted
    S(t | x) = exp(-H0(t) exp(x'b)), as R's ``survfit(coxph_fit, newdata)``
    with its default for a Breslow fit. Setting the treatment to 1, then to 0,
    for every patient and averaging over the population gives the two
    standardised curves; their restricted means are the areas under them.
    """
    if not isinstance(result, CoxResult):
        raise StatsError(f"result: expected a fitted Cox model (CoxResult), got {type(result).__name__}")
    if result.strata:
        raise StatsError(
            "result: a stratified Cox model has one baseline hazard per stratum; standardise without strata"
        )
    if result.ties != "breslow":
        raise StatsError(f"result: only Breslow ties are supported (the model used {result.ties!r})")
    names = result.summary["covariate"].tolist()
    if treatment_col not in names:
        raise StatsError(f"treatment_col: {treatment_col!r} is not a covariate of the model ({', '.join(names)})")
    validate.columns(data, [duration_col, event_col, *names])
    t = validate.durations(data[duration_col], f"column {duration_col!r}")
    d = validate.events(data[event_col], f"column {event_col!r}").astype(np.int64)
    x = validate.numeric_columns(data, names)
    if isinstance(weights, str):
        validate.columns(data, [weights])
        weights = data[weights]
    w = np.ones(t.size) if weights is None else validate.weights(weights)
    pop = np.ones(t.size) if population is None else validate.weights(population, "population")
    validate.check_length(t.size, weights=w, population=pop)
    if pop.sum() <= 0:
        raise StatsError("population: the weights sum to 0; there is no one to average over")
    ts = _query_times(times, "times")
    taus = _query_times(taus, "taus", positive=True)
    beta = result.summary["coef"].to_numpy(dtype=float)
    j = names.index(treatment_col)
    lp = x @ beta
    risk = w * np.exp(lp - lp.max())
    uniq, inverse = np.unique(t, return_inverse=True)
    at_risk = np.bincount(inverse, weights=risk, minlength=uniq.size)[::-1].cumsum()[::-1]
    dead = np.bincount(inverse, weights=w * d, minlength=uniq.size)
    event_time = dead > 0
    grid = uniq[event_time]
    h0 = np.cumsum(dead[event_time] / at_risk[event_time]) * np.exp(-lp.max())
    last = float(uniq[-1])
    for name, values in (("times", ts), ("taus", taus)):
        beyond = values > last
        if beyond.any():
            raise StatsError(f"{name}: {values[beyond][0]:g} lies beyond the last observed time ({last:g})")
    base = lp - x[:, j] * beta[j]
    share = pop / pop.sum()
    curves = {}
    for arm, level in (("treated", 1.0), ("control", 0.0)):
        rel = np.exp(base + level * beta[j])
        curves[arm] = share @ np.exp(-np.outer(rel, h0))  # average S at each event time
    frame = pd.DataFrame({"time": grid, "treated": curves["treated"], "control": curves["control"]})

    def s_at(curve: np.ndarray, q: float) -> float:
        k = int(np.searchsorted(grid, q, side="right")) - 1
        return 1.0 if k < 0 else float(curve[k])

    def area(curve: np.ndarray, tau: float) -> float:
        m = int(np.searchsorted(grid, tau, side="right"))
        knots = np.concatenate([[0.0], grid[:m], [tau]])
        return float(np.sum(np.diff(knots) * np.concatenate([[1.0], curve[:m]])))

    rows, contrasts = [], []
    values = {arm: ([s_at(c, q) for q in ts], [area(c, tau) for tau in taus]) for arm, c in curves.items()}
    for arm, (s_vals, r_vals) in values.items():
        rows += [
            {"arm": arm, "quantity": "survival", "time": float(q), "estimate": v, "se": np.nan}
            for q, v in zip(ts, s_vals, strict=True)
        ]
        rows += [
            {"arm": arm, "quantity": "rmst", "time": float(q), "estimate": v, "se": np.nan}
            for q, v in zip(taus, r_vals, strict=True)
        ]
    (s1, r1), (s0, r0) = values["treated"], values["control"]
    empty = {"se": np.nan, "ci_lower": np.nan, "ci_upper": np.nan, "p_value": np.nan}
    for k, q in enumerate(ts):
        contrasts.append({"measure": "survival_difference", "time": float(q), "estimate": s1[k] - s0[k]} | empty)
    for k, tau in enumerate(taus):
        contrasts.append({"measure": "rmst_difference", "time": float(tau), "estimate": r1[k] - r0[k]} | empty)
        contrasts.append({"measure": "rmst_ratio", "time": float(tau), "estimate": r1[k] / r0[k]} | empty)
    return StandardizedSurvival(
        frame,
        pd.DataFrame(rows, columns=["arm", "quantity", "time", "estimate", "se"]),
        pd.DataFrame(contrasts, columns=["measure", "time", "estimate", "se", "ci_lower", "ci_upper", "p_value"]),
    )
