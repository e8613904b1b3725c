"""Cox proportional-hazards models: fit, univariate screens, multivariable selection.

Compute only. Models are fitted with statsmodels ``PHReg``, which offers both
Breslow ties (SPSS's method, the default here) and Efron ties (R's default).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.duration.hazard_regression import PHReg

TIES = ("breslow", "efron")


class ModelError(ValueError):
    """The data cannot support the requested model (too few events, one level, ...)."""


@dataclass(frozen=True)
class CoxResult:
    """A fitted Cox model.

    ``summary`` has one row per covariate: ``covariate, coef, se, estimate``
    (the hazard ratio), ``ci_lower, ci_upper`` (Wald), ``z, p_value``.
    """

    summary: pd.DataFrame
    n: int
    events: int
    ties: str
    alpha: float
    loglik: float
    model: object = field(repr=False, compare=False, default=None)

    def to_frame(self) -> pd.DataFrame:
        return self.summary.assign(n=self.n, events=self.events, ties=self.ties)

    def hazard_ratio(self, covariate: str) -> float:
        return float(self.summary.set_index("covariate").loc[covariate, "estimate"])


def _check_design(data: pd.DataFrame, duration_col: str, event_col: str, covariates) -> None:
    missing = [c for c in (duration_col, event_col, *covariates) if c not in data.columns]
    if missing:
        raise ModelError(f"columns not in the data: {', '.join(missing)}")
    if len(data) < 2:
        raise ModelError(f"too few patients for a Cox model (n = {len(data)})")
    if int(data[event_col].sum()) == 0:
        raise ModelError(f"no events in '{event_col}' (n = {len(data)}): a Cox model cannot be fitted")
    for c in covariates:
        if data[c].nunique(dropna=False) < 2:
            raise ModelError(
                f"covariate '{c}' has a single level ({data[c].iloc[0]!r}) in these "
                f"{len(data)} patients: its hazard ratio is not estimable"
            )


def fit_cox(
    data: pd.DataFrame,
    duration_col: str,
    event_col: str,
    covariates,
    *,
    ties: str = "breslow",
    alpha: float = 0.05,
) -> CoxResult:
    """Fit a Cox model and return hazard ratios with Wald intervals.

    Parameters
    ----------
    covariates : sequence of str
        Numeric (0/1 for categories) columns; each enters as one coefficient.
    ties : {"breslow", "efron"}
        Handling of tied event times. SPSS uses Breslow.

    Notes
    -----
    HR = exp(coef); CI = exp(coef ± z·SE); p from the Wald z statistic.
    """
    if ties not in TIES:
        raise ValueError(f"ties must be one of {TIES}, got {ties!r}")
    covariates = list(covariates)
    _check_design(data, duration_col, event_col, covariates)
    exog = data[covariates].to_numpy(dtype=float)
    model = PHReg(
        data[duration_col].to_numpy(dtype=float),
        exog,
        status=data[event_col].to_numpy(dtype=int),
        ties=ties,
    )
    fit = model.fit(disp=False)
    coef = np.asarray(fit.params)
    se = np.asarray(fit.bse)
    if not np.all(np.isfinite(se)):
        raise ModelError(f"the Cox model did not converge for {', '.join(covariates)}")
    z_crit = stats.norm.ppf(1 - alpha / 2)
    zval = coef / se
    summary = pd.DataFrame(
        {
            "covariate": covariates,
            "coef": coef,
            "se": se,
            "estimate": np.exp(coef),
            "ci_lower": np.exp(coef - z_crit * se),
            "ci_upper": np.exp(coef + z_crit * se),
            "z": zval,
            "p_value": 2 * stats.norm.sf(np.abs(zval)),
        }
    )
    return CoxResult(
        summary=summary,
        n=len(data),
        events=int(data[event_col].sum()),
        ties=ties,
        alpha=alpha,
        loglik=float(fit.llf),
        model=fit,
    )


def univariate_cox(data: pd.DataFrame, duration_col: str, event_col: str, covariates, **kwargs) -> pd.DataFrame:
    """One Cox model per covariate; rows in the order given."""
    frames = [fit_cox(data, duration_col, event_col, [c], **kwargs).summary for c in covariates]
    return pd.concat(frames, ignore_index=True)
