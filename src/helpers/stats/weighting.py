"""Propensity score weights: ATE, ATT and overlap (ATO) weights, stabilisation, truncation, balance.

Compute only: no rounding and no string formatting. Every public function
checks its input and raises :class:`~helpers.stats.errors.StatsError` naming
the argument, the rows and the rule.

With e = P(treated | x) the propensity score and t the 0/1 treatment:

========  ======================  =====================  ==========================================
estimand  weight of a treated     weight of a control    population described
========  ======================  =====================  ==========================================
ATE       1 / e                   1 / (1 - e)            everyone (treated and controls)
ATT       1                       e / (1 - e)            the treated
ATO       1 - e                   e                      the overlap: patients who might have had
                                                         either treatment (Li, Morgan and Zaslavsky
                                                         2018)
========  ======================  =====================  ==========================================

Stabilised weights multiply each arm's weights by a constant so that their
expected sum is the arm's size: p for the treated and 1 - p for the controls
under ATE (p the share treated), and (1 - p) / p for the controls under ATT.
Stabilisation leaves the weighted means of each arm unchanged; it tames the
variance of weighted regressions. Overlap weights are bounded by 1 and are not
stabilised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import validate
from .errors import StatsError

ESTIMANDS = ("ATE", "ATT", "ATO")
ESTIMAND_LABELS = {
    "ATE": "average treatment effect (everyone)",
    "ATT": "average treatment effect in the treated",
    "ATO": "average treatment effect in the overlap population",
}
SMD_VARIANCES = ("weighted", "unweighted")


# --- input checks -----------------------------------------------------------------


def _treated(values, name: str = "treated") -> np.ndarray:
    t = validate._numeric(values, name)
    validate._no_missing(name, np.isnan(t))
    bad = ~np.isin(t, (0.0, 1.0))
    if bad.any():
        shown = ", ".join(f"{v:g}" for v in sorted(np.unique(t[bad]).tolist())[:5])
        raise StatsError(f"{name}: {validate.rows_text(bad)} {validate._verb(bad)} not coded 0/1 (found {shown})")
    t = t.astype(np.int64)
    if t.min() == t.max():
        raise StatsError(f"{name}: every one of the {t.size} rows is {t[0]}; weights need treated and control rows")
    return t


def _scores(values, name: str = "scores") -> np.ndarray:
    e = validate._numeric(values, name)
    validate._no_missing(name, np.isnan(e))
    bad = ~((e > 0) & (e < 1))
    if bad.any():
        raise StatsError(
            f"{name}: {validate.rows_text(bad)} {validate._verb(bad)} not strictly between 0 and 1 "
            f"(e.g. {e[bad][0]:g}); a propensity score of 0 or 1 gives an infinite weight"
        )
    return e


def _estimand(estimand: str) -> str:
    if estimand not in ESTIMANDS:
        raise StatsError(f"estimand must be one of {ESTIMANDS}, got {estimand!r}")
    return estimand


# --- weights ----------------------------------------------------------------------


def propensity_weights(scores, treated, estimand: str = "ATE", *, stabilize: bool = False) -> np.ndarray:
    """Weights that make the arms resemble the population of ``estimand``.

    Parameters
    ----------
    scores : array-like
        Propensity scores, strictly between 0 and 1.
    treated : array-like
        0/1 treatment indicator (both levels present).
    estimand : {"ATE", "ATT", "ATO"}
        See the module's table.
    stabilize : bool
        Multiply the arms' weights by p and 1 - p (ATE) or the controls' by
        (1 - p) / p (ATT), p the share treated. Not defined for ATO (its
        weights are bounded by 1): asking for it raises.

    Returns
    -------
    ndarray
        One weight per row, in input order.
    """
    estimand = _estimand(estimand)
    e = _scores(scores)
    t = _treated(treated)
    validate.check_length(e.size, treated=t)
    p = float(t.mean())
    if estimand == "ATE":
        w = np.where(t == 1, 1.0 / e, 1.0 / (1.0 - e))
        if stabilize:
            w = w * np.where(t == 1, p, 1.0 - p)
    elif estimand == "ATT":
        w = np.where(t == 1, 1.0, e / (1.0 - e))
        if stabilize:
            w = w * np.where(t == 1, 1.0, (1.0 - p) / p)
    else:
        if stabilize:
            raise StatsError(
                "stabilize: overlap (ATO) weights are bounded by 1 and are not stabilised; pass stabilize=False"
            )
        w = np.where(t == 1, 1.0 - e, e)
    return w


def effective_sample_size(weights) -> float:
    """Kish's effective sample size, (sum w)^2 / sum w^2.

    The number of unweighted patients that would give the same precision as
    the weighted sample for a mean; it equals n when all weights are equal and
    falls as the weights grow unequal.
    """
    w = validate.weights(weights)
    return float(w.sum() ** 2 / np.sum(w**2))


@dataclass(frozen=True)
class TruncatedWeights:
    """Weights truncated at two quantiles of their own distribution.

    ``weights`` are the truncated weights; ``lower`` and ``upper`` the bounds
    applied; ``n_below`` and ``n_above`` the rows that were raised to
    ``lower`` or lowered to ``upper``; ``max_before`` the largest weight
    before truncation.
    """

    weights: np.ndarray
    lower: float
    upper: float
    quantiles: tuple[float, float]
    n_below: int
    n_above: int
    max_before: float

    @property
    def n_truncated(self) -> int:
        return self.n_below + self.n_above


def truncate_weights(weights, *, quantiles: tuple[float, float] = (0.01, 0.99)) -> TruncatedWeights:
    """Truncate (winsorise) weights at two quantiles of their distribution.

    Every row is kept (the population stays the one the weights describe);
    weights below the lower quantile are raised to it and weights above the
    upper quantile are lowered to it. Quantiles are those of R's default
    ``quantile(type = 7)`` (NumPy's ``linear``). ``quantiles=(0, 1)`` leaves
    the weights unchanged.
    """
    w = validate.weights(weights)
    try:
        q_lo, q_hi = (float(q) for q in quantiles)
    except (TypeError, ValueError):
        raise StatsError(f"quantiles: expected two numbers (lower, upper), got {quantiles!r}") from None
    if not (0.0 <= q_lo < q_hi <= 1.0):
        raise StatsError(f"quantiles: need 0 <= lower < upper <= 1, got ({q_lo:g}, {q_hi:g})")
    lower, upper = (float(v) for v in np.quantile(w, [q_lo, q_hi]))
    return TruncatedWeights(
        weights=np.clip(w, lower, upper),
        lower=lower,
        upper=upper,
        quantiles=(q_lo, q_hi),
        n_below=int((w < lower).sum()),
        n_above=int((w > upper).sum()),
        max_before=float(w.max()),
    )


def outside_bounds(scores, *, bounds: tuple[float, float] = (0.05, 0.95)) -> np.ndarray:
    """True for rows whose propensity score lies outside ``bounds`` (inclusive bounds are inside).

    The rows a trimming rule such as "exclude scores outside [0.05, 0.95]"
    would drop; counting them says how much of the sample lies where one arm
    is nearly absent.
    """
    e = _scores(scores)
    lo, hi = bounds
    if not (0.0 <= lo < hi <= 1.0):
        raise StatsError(f"bounds: need 0 <= lower < upper <= 1, got ({lo:g}, {hi:g})")
    return (e < lo) | (e > hi)


def check_overlap(scores, treated) -> None:
    """Raise unless the two arms' propensity scores share a range (common support).

    Without any overlap no patient of one arm resembles any patient of the
    other, and a weighted comparison only extrapolates.
    """
    e = _scores(scores)
    t = _treated(treated)
    validate.check_length(e.size, treated=t)
    lo = max(e[t == 1].min(), e[t == 0].min())
    hi = min(e[t == 1].max(), e[t == 0].max())
    if lo > hi:
        raise StatsError(
            f"scores: the arms do not overlap (treated {e[t == 1].min():.3g} to {e[t == 1].max():.3g}, "
            f"controls {e[t == 0].min():.3g} to {e[t == 0].max():.3g}); no weighting can compare them"
        )


def weight_summary(weights, treated) -> pd.DataFrame:
    """The distribution of the weights in each arm.

    One row per arm (``treated`` then ``control``): ``arm, n, sum, mean, sd,
    min, q01, median, q99, max, ess`` (Kish's effective sample size of the arm).
    """
    w = validate.weights(weights)
    t = _treated(treated)
    validate.check_length(w.size, treated=t)
    rows = []
    for arm, level in (("treated", 1), ("control", 0)):
        x = w[t == level]
        rows.append(
            {
                "arm": arm,
                "n": int(x.size),
                "sum": float(x.sum()),
                "mean": float(x.mean()),
                "sd": float(x.std(ddof=1)) if x.size > 1 else np.nan,
                "min": float(x.min()),
                "q01": float(np.quantile(x, 0.01)),
                "median": float(np.median(x)),
                "q99": float(np.quantile(x, 0.99)),
                "max": float(x.max()),
                "ess": float(x.sum() ** 2 / np.sum(x**2)) if x.sum() > 0 else 0.0,
            }
        )
    return pd.DataFrame(rows)


# --- balance ------------------------------------------------------------------------


def _weighted_moments(x: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    total = w.sum()
    mean = float(np.dot(w, x) / total)
    var = float(np.dot(w, (x - mean) ** 2) / total)
    return mean, var


def weighted_standardized_differences(
    data: pd.DataFrame,
    covariates,
    treatment_col: str,
    weights=None,
    *,
    variance: str = "weighted",
) -> pd.DataFrame:
    """Standardised mean differences (treated minus control) under weights.

    Parameters
    ----------
    data : DataFrame
        One row per patient.
    covariates : sequence of str
        Numeric columns (0/1 or continuous).
    treatment_col : str
        The 0/1 treatment column.
    weights : str or array-like, optional
        A column of ``data`` or one weight >= 0 per row; None weighs every row 1.
    variance : {"weighted", "unweighted"}
        Whose variances standardise the difference: the weighted sample's
        (the default, as the matched sample's own variances are used after
        matching) or the unweighted sample's (the same denominator before and
        after weighting, so that only the numerator moves).

    Returns
    -------
    DataFrame
        One row per covariate: ``covariate, mean_treated, mean_control, smd, abs_smd``.

    Notes
    -----
    SMD = (m1 - m0) / sqrt((v1 + v0) / 2) with weighted means
    m = sum w x / sum w and variances v = sum w (x - m)^2 / sum w (no
    small-sample correction), so that for a 0/1 covariate v = p (1 - p) and
    the unweighted SMD equals Austin's (2009) formula for proportions. When
    both variances are 0 the SMD is 0 for equal means and ±inf otherwise.
    """
    covariates = list(covariates)
    validate.columns(data, [treatment_col, *covariates])
    if not covariates:
        raise StatsError("covariates: at least one covariate is needed")
    if variance not in SMD_VARIANCES:
        raise StatsError(f"variance must be one of {SMD_VARIANCES}, got {variance!r}")
    t = _treated(data[treatment_col], f"column {treatment_col!r}")
    w = validate.weights_of(data, weights)
    w1, w0 = w * (t == 1), w * (t == 0)
    for arm, ww in (("treated", w1), ("control", w0)):
        if ww.sum() <= 0:
            raise StatsError(f"weights: every {arm} row has weight 0; both arms need a positive total weight")
    x_all = validate.numeric_columns(data, covariates)
    rows = []
    for j, c in enumerate(covariates):
        x = x_all[:, j]
        m1, v1 = _weighted_moments(x, w1)
        m0, v0 = _weighted_moments(x, w0)
        if variance == "unweighted":
            _, v1 = _weighted_moments(x, (t == 1).astype(float))
            _, v0 = _weighted_moments(x, (t == 0).astype(float))
        pooled = np.sqrt((v1 + v0) / 2)
        if pooled > 0:
            smd = (m1 - m0) / pooled
        else:
            smd = 0.0 if m1 == m0 else float(np.copysign(np.inf, m1 - m0))
        rows.append({"covariate": c, "mean_treated": m1, "mean_control": m0, "smd": smd, "abs_smd": abs(smd)})
    return pd.DataFrame(rows)
