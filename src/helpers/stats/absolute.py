"""Absolute contrasts of two survival curves: the difference in survival at fixed times.

Compute only. A hazard ratio is relative and assumes proportional hazards; a
difference in the probability of being event-free at a fixed time is read
directly ("12 more patients in 100 free of progression at six months"). For
restricted mean survival time see :mod:`helpers.stats.rmst`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .errors import StatsError
from .survival import KMResult


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
