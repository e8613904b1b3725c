"""A doubly robust estimate of survival and restricted mean differences: augmented IPW on pseudo-observations.

Compute only. The estimand is the average treatment effect on an absolute
scale: the difference (treated minus control) in the probability of being
event-free at fixed times, and in the restricted mean survival time up to
fixed horizons, had everyone been treated against had no one been.

- :func:`pseudo_observations` — each row's jackknife pseudo-value of S(t) and
  of the restricted mean, as R's ``pseudo(survfit(...), times, type = "surv"
  / "rmst")``;
- :func:`aipw_survival` — the augmented inverse-probability-weighted (AIPW)
  estimator on those pseudo-values, with its influence-function standard
  errors.

Why "doubly robust": the estimator combines a propensity model e(x) and an
outcome model m_a(x) (here a linear regression of the pseudo-values on the
covariates within each arm). Its mean is right if either of the two models is
right; only when both are wrong can confounding by the covariates remain.
Censoring must be unrelated to the covariates within each arm (the arm's
Kaplan–Meier curve is what the pseudo-values are taken from).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from . import validate
from .absolute import ArmComparison, _contrast_row, _query_times, km_influence
from .errors import StatsError


def pseudo_observations(durations, events, *, times=(), taus=(), label: str = "") -> np.ndarray:
    """Pseudo-values of S(t) at ``times`` and of the restricted mean up to each of ``taus``: an n × k array.

    The pseudo-value of row i is θ̂ + n · (influence of row i on θ̂), with the
    infinitesimal-jackknife influences of :func:`~helpers.stats.absolute.km_influence`
    (R's ``pseudo()`` of survival >= 3.0 uses the same definition). Without
    censoring before t the pseudo-value of S(t) is exactly the indicator of
    being event-free at t. Columns: the times, then the horizons.
    """
    f = km_influence(durations, events, times=times, taus=taus, label=label)
    n = f.survival_influence.shape[0]
    return np.column_stack([f.survival + n * f.survival_influence, f.rmst + n * f.rmst_influence])


def _design(data: pd.DataFrame, covariates, treated: np.ndarray) -> np.ndarray:
    """The outcome model's design matrix (intercept and covariates), full rank within each arm."""
    covariates = list(covariates)
    validate.columns(data, covariates, "covariates")
    x = np.column_stack([np.ones(len(data)), validate.numeric_columns(data, covariates)])
    for level, name in ((1, "treated"), (0, "control")):
        sub = x[treated == level]
        rank = np.linalg.matrix_rank(sub)
        if rank < x.shape[1]:
            # the first covariate that adds nothing to those before it, within this arm
            bad = next(c for j, c in enumerate(covariates, 1) if np.linalg.matrix_rank(sub[:, : j + 1]) <= j)
            raise StatsError(
                f"covariates: within the {name} arm ({sub.shape[0]} rows) column {bad!r} is constant or a linear "
                "combination of the covariates before it; the outcome model cannot be fitted"
            )
    return x


def aipw_survival(
    data: pd.DataFrame,
    duration_col: str,
    event_col: str,
    treatment_col: str,
    covariates,
    propensity,
    *,
    times=(),
    taus=(),
    alpha: float = 0.05,
) -> ArmComparison:
    """AIPW estimates of S(t) and the restricted mean under treatment and under control, and their contrasts.

    Parameters
    ----------
    data : DataFrame
        Durations, 0/1 events, the 0/1 treatment and the covariates of the outcome model.
    covariates : sequence of str
        Numeric columns of the outcome model (fitted separately in each arm,
        with an intercept).
    propensity : str or array-like
        Each row's probability of treatment given its covariates (a column
        name or values), strictly between 0 and 1.
    times, taus : float or sequence of float
        As for :func:`~helpers.stats.absolute.compare_arms`; within each arm the
        follow-up must reach them.
    alpha : float
        1 - confidence level of the Wald intervals.

    Returns
    -------
    ArmComparison
        ``arms`` and ``contrasts`` laid out as for
        :func:`~helpers.stats.absolute.compare_arms`, ``variance="aipw"``.

    Notes
    -----
    With Y_i a row's pseudo-value (taken from its own arm's Kaplan–Meier
    curve), A_i its treatment, e_i its propensity and m_a(x) the outcome
    model's prediction for arm a,

        μ_1 = mean[m_1(X) + A (Y - m_1(X)) / e],
        μ_0 = mean[m_0(X) + (1 - A) (Y - m_0(X)) / (1 - e)].

    The standard errors are those of the estimators' influence functions
    (the terms inside the means, centred), sqrt(Σ φ_i²) / n, taking the two
    models as known; the ratio's is that of its logarithm,
    φ_1/μ_1 - φ_0/μ_0. With no covariates and a constant propensity the
    estimates are each arm's Kaplan–Meier values and the standard errors
    Greenwood's.
    """
    alpha = validate.probability(alpha, "alpha")
    validate.columns(data, [duration_col, event_col, treatment_col])
    t = validate.durations(data[duration_col], f"column {duration_col!r}")
    d = validate.events(data[event_col], f"column {event_col!r}").astype(np.int64)
    a = validate.binary(data[treatment_col], f"column {treatment_col!r}").astype(np.int64)
    if isinstance(propensity, str):
        validate.columns(data, [propensity])
        propensity = data[propensity]
    e = validate.finite(propensity, "propensity")
    validate.check_length(t.size, propensity=e)
    outside = (e <= 0) | (e >= 1)
    if outside.any():
        raise StatsError(
            f"propensity: {validate.rows_text(outside)} {'is' if outside.sum() == 1 else 'are'} not strictly "
            "between 0 and 1; inverse probability weights need 0 < e < 1"
        )
    for level, name in ((1, "treated"), (0, "control")):
        if not (a == level).any():
            raise StatsError(f"column {treatment_col!r}: no {name} row; two arms are needed")
    x = _design(data, covariates, a)
    ts = _query_times(times, "times")
    taus = _query_times(taus, "taus", positive=True)
    k = ts.size + taus.size
    y = np.empty((t.size, k))
    for level, name in ((1, "treated"), (0, "control")):
        m = a == level
        y[m] = pseudo_observations(t[m], d[m], times=ts, taus=taus, label=name)
    n = t.size
    mu, phi = {}, {}
    for level, name, p in ((1, "treated", e), (0, "control", 1.0 - e)):
        m = a == level
        beta, *_ = np.linalg.lstsq(x[m], y[m], rcond=None)
        pred = x @ beta  # every row's predicted outcome in this arm
        term = pred + m[:, None] * (y - pred) / p[:, None]
        mu[name] = term.mean(axis=0)
        phi[name] = term - mu[name]
    se = {name: np.sqrt(np.sum(phi[name] ** 2, axis=0)) / n for name in mu}
    z = stats.norm.ppf(1 - alpha / 2)
    quantities = [("survival", float(q)) for q in ts] + [("rmst", float(q)) for q in taus]
    arms = [
        {"arm": name, "quantity": qty, "time": when, "estimate": float(mu[name][j]), "se": float(se[name][j])}
        for name in ("treated", "control")
        for j, (qty, when) in enumerate(quantities)
    ]
    contrasts = []
    for j, (qty, when) in enumerate(quantities):
        diff_se = float(np.sqrt(np.sum((phi["treated"][:, j] - phi["control"][:, j]) ** 2)) / n)
        measure = "survival_difference" if qty == "survival" else "rmst_difference"
        contrasts.append(_contrast_row(measure, when, mu["treated"][j] - mu["control"][j], diff_se, z))
        if qty == "rmst":
            mu1, mu0 = mu["treated"][j], mu["control"][j]
            log_phi = phi["treated"][:, j] / mu1 - phi["control"][:, j] / mu0
            se_log = float(np.sqrt(np.sum(log_phi**2)) / n)
            contrasts.append(_contrast_row("rmst_ratio", when, mu1 / mu0, se_log, z, log=True))
    # the layout of compare_arms: survival differences first, then each horizon's difference and ratio
    contrast_frame = pd.DataFrame(
        contrasts, columns=["measure", "time", "estimate", "se", "ci_lower", "ci_upper", "p_value"]
    )
    return ArmComparison(
        pd.DataFrame(arms, columns=["arm", "quantity", "time", "estimate", "se"]), contrast_frame, "aipw", alpha
    )
