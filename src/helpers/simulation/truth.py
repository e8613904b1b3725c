"""The estimands: computed from both potential outcomes of large simulated populations.

For every patient of a population the structural model gives both potential
outcomes, T(1) under 2L-ICI and T(0) without, from the same random numbers.
The estimands of the experiment are then plain summaries of them, with no
censoring and no confounding:

- **conditional HR**: the treatment's hazard ratio given all 11 characteristics.
  For PFS it is the declared parameter; for OS (which this model makes only
  approximately proportional-hazards in the treatment) it is the least-false
  value, the treatment coefficient of a Cox model with all 11 characteristics
  fitted to both potential outcomes of everyone;
- **marginal HR**: a Cox model with the treatment alone, fitted to both
  potential outcomes of the target population;
- **RMST difference** at 12 and 24 months: mean of min(T(1), τ) minus mean of
  min(T(0), τ) in the target population;
- **survival difference** at 6 and 12 months: share with T(1) > t minus share
  with T(0) > t.

Target populations: everyone (ATE), the patients the propensity model treats
(ATT), and the overlap population, everyone weighted by e(x)(1 - e(x)) (ATO;
drawn here by accepting each patient with probability e(1 - e) / (1/4)).

The values are the means over ``populations`` independent populations of
``size`` patients; their Monte Carlo standard error is the standard deviation
across populations divided by the square root of their number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..stats.cox import fit_cox
from .structural import OutcomeNoise, StructuralParams, draw_covariates, outcomes, propensity, streams

ENDPOINTS = ("pfs", "os")
ESTIMANDS = ("conditional", "ATE", "ATT", "ATO")
RMST_HORIZONS = (12.0, 24.0)
SURVIVAL_TIMES = (6.0, 12.0)
# a quantity is what a row of results measures; its truth is on the scale bias is measured on
QUANTITIES = (
    "log_hr",
    *(f"rmst_diff_{int(t)}" for t in RMST_HORIZONS),
    *(f"surv_diff_{int(t)}" for t in SURVIVAL_TIMES),
)
TRUTH_SEED = 20251113
CONDITIONAL_SUBSAMPLE = 20_000  # patients per population for the 12-covariate Cox fit of the OS conditional HR


@dataclass(frozen=True)
class Population:
    """Characteristics, true propensity, actual treatment and both potential outcomes of a simulated population."""

    x: np.ndarray
    score: np.ndarray
    treated: np.ndarray
    overlap: np.ndarray  # accepted into the overlap (ATO) population
    untreated_outcome: object
    treated_outcome: object


def population(params: StructuralParams, size: int, seed) -> Population:
    rngs = streams(seed)
    x = draw_covariates(rngs["covariates"], size, params)
    score = propensity(x, params)
    treated = (rngs["treatment"].random(size) < score).astype(np.int8)
    overlap = rngs["censoring"].random(size) < 4 * score * (1 - score)
    noise = OutcomeNoise.draw(rngs["pfs"], rngs["pps"], size)
    return Population(x, score, treated, overlap, outcomes(x, 0, noise, params), outcomes(x, 1, noise, params))


def _marginal_log_hr(t1: np.ndarray, t0: np.ndarray) -> float:
    data = pd.DataFrame({"time": np.concatenate([t1, t0]), "event": 1, "a": np.r_[np.ones(t1.size), np.zeros(t0.size)]})
    return float(fit_cox(data, "time", "event", ["a"]).summary["coef"].iloc[0])


def _conditional_log_hr(x: np.ndarray, t1: np.ndarray, t0: np.ndarray) -> float:
    names = [f"x{j}" for j in range(x.shape[1])]
    frame = pd.DataFrame(np.vstack([x, x]).astype(float), columns=names)
    frame["a"] = np.r_[np.ones(t1.size), np.zeros(t0.size)]
    frame["time"] = np.concatenate([t1, t0])
    frame["event"] = 1
    return float(fit_cox(frame, "time", "event", ["a", *names]).summary["coef"].iloc[0])


def population_estimands(params: StructuralParams, pop: Population) -> list[dict]:
    """One row per (endpoint, estimand, quantity) for one population."""
    rows = []
    groups = {"ATE": np.ones(pop.x.shape[0], bool), "ATT": pop.treated == 1, "ATO": pop.overlap}
    for endpoint in ENDPOINTS:
        t1 = getattr(pop.treated_outcome, endpoint)
        t0 = getattr(pop.untreated_outcome, endpoint)
        if endpoint == "pfs":
            conditional = params.pfs_treatment_log_hr
        else:
            k = min(CONDITIONAL_SUBSAMPLE, t1.size)
            conditional = _conditional_log_hr(pop.x[:k], t1[:k], t0[:k])
        rows.append({"endpoint": endpoint, "estimand": "conditional", "quantity": "log_hr", "value": conditional})
        for estimand, keep in groups.items():
            a, b = t1[keep], t0[keep]
            values = {"log_hr": _marginal_log_hr(a, b)}
            for tau in RMST_HORIZONS:
                values[f"rmst_diff_{int(tau)}"] = float(np.minimum(a, tau).mean() - np.minimum(b, tau).mean())
            for t in SURVIVAL_TIMES:
                values[f"surv_diff_{int(t)}"] = float((a > t).mean() - (b > t).mean())
            rows += [{"endpoint": endpoint, "estimand": estimand, "quantity": q, "value": v} for q, v in values.items()]
    return rows


def compute_truth(
    params: StructuralParams, *, populations: int = 10, size: int = 100_000, seed: int = TRUTH_SEED
) -> pd.DataFrame:
    """The estimands with Monte Carlo error: ``endpoint, estimand, quantity, value, mc_se, populations, size``."""
    children = np.random.SeedSequence(seed).spawn(populations)
    rows = []
    for i, child in enumerate(children):
        for row in population_estimands(params, population(params, size, child)):
            rows.append(row | {"population": i})
    frame = pd.DataFrame(rows)
    keys = ["endpoint", "estimand", "quantity"]
    out = frame.groupby(keys, sort=False)["value"].agg(["mean", "std", "count"]).reset_index()
    out["mc_se"] = out["std"].fillna(0.0) / np.sqrt(out["count"])
    out = out.rename(columns={"mean": "value"}).drop(columns=["std", "count"])
    # the declared PFS conditional log-HR has no Monte Carlo error
    return out.assign(populations=populations, size=size)


def noncollapsibility(
    params: StructuralParams, multipliers=(0.0, 0.5, 1.0, 1.5, 2.0, 3.0), *, size: int = 100_000, seed: int = TRUTH_SEED
) -> pd.DataFrame:
    """Marginal (ATE) PFS HR as the covariates' prognostic effects grow, the conditional HR held fixed.

    With no covariate effect the two coincide; the stronger the covariates
    predict PFS, the further the marginal HR lies from the conditional one,
    although both potential outcomes of everyone are compared (no confounding).
    """
    rows = []
    for m in multipliers:
        scaled = StructuralParams(**{**params.__dict__, "pfs_log_hr": {k: v * m for k, v in params.pfs_log_hr.items()}})
        pop = population(scaled, size, np.random.SeedSequence(seed))
        log_hr = _marginal_log_hr(pop.treated_outcome.pfs, pop.untreated_outcome.pfs)
        rows.append(
            {
                "multiplier": m,
                "conditional_hr": float(np.exp(params.pfs_treatment_log_hr)),
                "marginal_hr": float(np.exp(log_hr)),
                "prognostic_sd": float(np.std(pop.x @ scaled.vector("pfs_log_hr"))),
            }
        )
    return pd.DataFrame(rows)
