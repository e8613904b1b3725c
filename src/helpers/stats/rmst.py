"""Restricted mean survival time (RMST) up to a horizon τ, per group and between groups.

Compute only: no plotting and no string formatting. The RMST is the area under
the Kaplan–Meier curve from 0 to τ, i.e. the mean of min(T, τ): the expected
survival time over the first τ time units. Results are frozen dataclasses
with a tidy ``to_frame()``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from . import validate
from .errors import StatsError
from .survival import KMResult, _check_km, fit_km


@dataclass(frozen=True)
class RMSTResult:
    """The restricted mean of one curve: ``estimate`` (area under S up to ``tau``) with its SE and CI."""

    tau: float
    estimate: float
    se: float
    ci_lower: float
    ci_upper: float
    n: float
    events: float
    alpha: float = 0.05
    label: str = ""

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "group": self.label,
                    "tau": self.tau,
                    "estimate": self.estimate,
                    "se": self.se,
                    "ci_lower": self.ci_lower,
                    "ci_upper": self.ci_upper,
                    "n": self.n,
                    "events": self.events,
                }
            ]
        )


def rmst(km: KMResult, tau: float) -> RMSTResult:
    """Restricted mean survival time of a fitted Kaplan–Meier curve up to ``tau``.

    Parameters
    ----------
    km : KMResult
        From :func:`~helpers.stats.survival.fit_km` (weighted or not).
    tau : float
        The horizon (> 0), in the time unit of the fit. It may not lie beyond
        the last observed time unless the curve has already reached 0: past
        the last observation S(t) is unknown, so the area would be made up.

    Returns
    -------
    RMSTResult
        The estimate, its standard error and the normal-approximation
        interval estimate ± z·SE at the fit's ``alpha``.

    Notes
    -----
    The estimate is the integral of the step function S(t) from 0 to τ. Its
    variance is the Greenwood-type formula of Klein & Moeschberger
    (*Survival Analysis*, 2nd ed., §4.5): the sum over event times t_j <= τ
    of A_j² d_j / (n_j (n_j - d_j)), with A_j the area under S from t_j to τ
    (a term with n_j = d_j, where S drops to 0, contributes 0). This is the
    ``se(rmean)`` that R's survival package prints with
    ``print(survfit(...), rmean = tau)``. For a weighted fit d_j and n_j are
    the weighted counts, as in R, which uses this formula for ``se(rmean)``
    even when the curve's own standard errors are the robust
    (infinitesimal-jackknife) ones.
    """
    _check_km(km)
    tau = validate.positive(tau, "tau")
    tab = km.table
    last = float(tab["time"].iloc[-1])
    if tau > last and float(tab["survival"].iloc[-1]) > 0:
        name = f" of {km.label!r}" if km.label else ""
        raise StatsError(
            f"tau: {tau:g} lies beyond the last observed time{name} ({last:g}) while S(t) > 0 there; "
            "the area under the curve is not estimable past the follow-up (choose tau <= "
            f"{last:g})"
        )
    times = tab["time"].to_numpy(dtype=float)
    surv = tab["survival"].to_numpy(dtype=float)
    inside = times <= tau
    knots = np.concatenate([[0.0], times[inside], [tau]])
    heights = np.concatenate([[1.0], surv[inside]])  # S on [knot_k, knot_{k+1})
    pieces = np.diff(knots) * heights
    estimate = float(pieces.sum())
    # area from each observed time t_j <= tau to tau
    after = np.cumsum(pieces[::-1])[::-1][1:]
    d = tab["n_events"].to_numpy(dtype=float)[inside]
    n = tab["n_at_risk"].to_numpy(dtype=float)[inside]
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.where((d > 0) & (n > d), d / (n * (n - d)), 0.0)
    se = float(np.sqrt(np.sum(after**2 * h)))
    z = stats.norm.ppf(1 - km.alpha / 2)
    return RMSTResult(tau, estimate, se, estimate - z * se, estimate + z * se, km.n, km.events, km.alpha, km.label)


@dataclass(frozen=True)
class RMSTComparison:
    """RMST per group and each group against the reference: difference and ratio.

    ``groups`` has one row per group (``group, tau, estimate, se, ci_lower,
    ci_upper, n, events``); ``contrasts`` one row per non-reference group and
    measure (``measure`` "difference" or "ratio", ``group``, ``reference``,
    ``estimate, se, ci_lower, ci_upper, p_value``; for the ratio ``se`` is
    that of its logarithm).
    """

    tau: float
    reference: str
    groups: pd.DataFrame
    contrasts: pd.DataFrame
    alpha: float = 0.05
    n_dropped: int = 0

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows: one per group (``measure`` "rmst") and one per contrast."""
        per_group = self.groups.assign(measure="rmst", reference="", p_value=np.nan)
        return pd.concat([per_group, self.contrasts], ignore_index=True)[
            ["measure", "group", "reference", "tau", "estimate", "se", "ci_lower", "ci_upper", "p_value"]
        ]


def compare_rmst(
    durations,
    events,
    groups,
    tau: float,
    *,
    weights=None,
    reference=None,
    alpha: float = 0.05,
    dropna: bool = False,
) -> RMSTComparison:
    """Restricted mean survival time per group, with differences and ratios against a reference group.

    Parameters
    ----------
    durations, events, groups : array-like
        As for :func:`~helpers.stats.survival.logrank`.
    tau : float
        The horizon; it may not lie beyond any group's last observed time
        (unless that group's curve has reached 0).
    weights : array-like, optional
        Case weights passed to :func:`~helpers.stats.survival.fit_km`.
    reference : optional
        The group the others are compared with (default: the first in sorted order).
    alpha : float
        1 - confidence level.
    dropna : bool
        Leave out rows with a missing value (counted in ``n_dropped``).

    Notes
    -----
    Groups are independent samples, so the difference D = μ_g - μ_ref has
    variance SE_g² + SE_ref², with a normal-approximation interval and
    two-sided Wald p-value. The ratio R = μ_g / μ_ref is handled on the log
    scale: by the delta method Var(log μ) ≈ SE² / μ², so
    SE(log R) = sqrt(SE_g²/μ_g² + SE_ref²/μ_ref²) and the interval is
    exp(log R ± z·SE(log R)).
    """
    alpha = validate.probability(alpha, "alpha")
    t = validate.durations(durations, dropna=dropna)
    d = validate.events(events, dropna=dropna)
    g = validate.labels(groups, "groups", dropna=dropna)
    w = None if weights is None else validate.weights(weights, dropna=dropna)
    validate.check_length(t.size, events=d, groups=g, weights=w)
    keep, n_dropped = validate.complete_rows(t, d, g, w) if dropna else (np.ones(t.size, dtype=bool), 0)
    t, d, g = t[keep], d[keep].astype(np.int64), pd.Series(g[keep]).astype(str).to_numpy()
    w = None if w is None else w[keep]
    levels = sorted(np.unique(g).tolist())
    if len(levels) < 2:
        raise StatsError(f"groups: comparing restricted means needs at least two groups (found {levels})")
    reference = levels[0] if reference is None else str(reference)
    if reference not in levels:
        raise StatsError(f"reference: {reference!r} is not one of the groups {levels}")
    results = {}
    for level in levels:
        m = g == level
        km = fit_km(t[m], d[m], weights=None if w is None else w[m], alpha=alpha, label=level)
        results[level] = rmst(km, tau)
    z = stats.norm.ppf(1 - alpha / 2)
    ref = results[reference]
    rows = []
    for level in levels:
        if level == reference:
            continue
        res = results[level]
        diff = res.estimate - ref.estimate
        se_diff = float(np.hypot(res.se, ref.se))
        rows.append(
            _contrast("difference", level, reference, tau, diff, se_diff, diff - z * se_diff, diff + z * se_diff)
        )
        log_ratio = np.log(res.estimate / ref.estimate)
        se_log = float(np.hypot(res.se / res.estimate, ref.se / ref.estimate))
        rows.append(
            _contrast(
                "ratio",
                level,
                reference,
                tau,
                float(np.exp(log_ratio)),
                se_log,
                float(np.exp(log_ratio - z * se_log)),
                float(np.exp(log_ratio + z * se_log)),
                z_stat=log_ratio / se_log if se_log > 0 else np.nan,
            )
        )
    per_group = pd.concat([r.to_frame() for r in results.values()], ignore_index=True)
    return RMSTComparison(float(tau), reference, per_group, pd.DataFrame(rows), alpha, n_dropped)


def _contrast(measure, group, reference, tau, estimate, se, lower, upper, *, z_stat=None) -> dict:
    if z_stat is None:
        z_stat = estimate / se if se > 0 else np.nan
    p = float(2 * stats.norm.sf(abs(z_stat))) if np.isfinite(z_stat) else np.nan
    return {
        "measure": measure,
        "group": group,
        "reference": reference,
        "tau": float(tau),
        "estimate": float(estimate),
        "se": float(se),
        "ci_lower": float(lower),
        "ci_upper": float(upper),
        "p_value": p,
    }
