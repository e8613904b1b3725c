"""Performance measures of the methods, with their Monte Carlo standard errors.

For each scenario, method, endpoint and quantity, over the ``n_sim``
replicates where the method gave an estimate θ̂_i (with model SE s_i, 95%
interval and p-value), against the true value θ (Morris, White and Crowther,
Stat Med 2019, Table 6):

=================  ===========================================  ===============================================
measure            estimate                                     Monte Carlo SE
=================  ===========================================  ===============================================
bias               mean(θ̂) − θ                                  EmpSE / √n_sim
empirical SE       EmpSE = sd(θ̂)                                EmpSE / √(2 (n_sim − 1))
model SE           ModSE = √mean(s²)                            √(var(s²) / (4 n_sim ModSE²))
relative error     100 (ModSE / EmpSE − 1)                      100 (ModSE / EmpSE) √(var(s²) / (4 n_sim ModSE⁴)
of the model SE                                                   + 1 / (2 (n_sim − 1)))
MSE                mean((θ̂ − θ)²)                               √(var((θ̂ − θ)²) / n_sim)
coverage           share of intervals holding θ                 √(cov (1 − cov) / n_sim)
power              share with p < 0.05                          √(pow (1 − pow) / n_sim)
=================  ===========================================  ===============================================

Hazard ratios are assessed on the log scale. Under the null scenario "power"
is the type I error rate. Replicates where a method failed are counted
(``n_failed``), never silently dropped; the Monte Carlo error of the true
value itself is reported beside it (``truth_mc_se``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..study.design import ALPHA
from .truth import QUANTITIES

MEASURES = ("bias", "emp_se", "mod_se", "rel_error_mod_se", "mse", "coverage", "power")


def _fields(quantity: str) -> tuple[str, str, str, str]:
    return quantity, f"{quantity}_se", f"{quantity}_lower", f"{quantity}_upper"


def measures(estimates, ses, lower, upper, p_values, truth: float, alpha: float = ALPHA) -> dict[str, float]:
    """Every measure and its Monte Carlo SE for one method and quantity (NaN where an input is missing)."""
    est = np.asarray(estimates, float)
    n = est.size
    out: dict[str, float] = {"n_sim": n}
    if n == 0:
        return out | {m: np.nan for m in MEASURES} | {f"{m}_mcse": np.nan for m in MEASURES}
    emp = float(np.std(est, ddof=1)) if n > 1 else np.nan
    out["estimate_mean"] = float(est.mean())
    out["bias"] = float(est.mean() - truth)
    out["bias_mcse"] = emp / np.sqrt(n)
    out["emp_se"] = emp
    out["emp_se_mcse"] = emp / np.sqrt(2 * (n - 1)) if n > 1 else np.nan
    var = np.asarray(ses, float) ** 2
    if np.all(np.isfinite(var)):
        mod = float(np.sqrt(var.mean()))
        var_var = float(np.var(var, ddof=1)) if n > 1 else np.nan
        out["mod_se"] = mod
        out["mod_se_mcse"] = float(np.sqrt(var_var / (4 * n * mod**2)))
        ratio = mod / emp
        out["rel_error_mod_se"] = 100 * (ratio - 1)
        out["rel_error_mod_se_mcse"] = float(100 * ratio * np.sqrt(var_var / (4 * n * mod**4) + 1 / (2 * (n - 1))))
    else:
        for m in ("mod_se", "rel_error_mod_se"):
            out[m] = out[f"{m}_mcse"] = np.nan
    sq = (est - truth) ** 2
    out["mse"] = float(sq.mean())
    out["mse_mcse"] = float(np.sqrt(np.var(sq, ddof=1) / n)) if n > 1 else np.nan
    lo, hi = np.asarray(lower, float), np.asarray(upper, float)
    if np.all(np.isfinite(lo) & np.isfinite(hi)):
        cover = float(np.mean((lo <= truth) & (truth <= hi)))
        out["coverage"] = cover
        out["coverage_mcse"] = float(np.sqrt(cover * (1 - cover) / n))
    else:
        out["coverage"] = out["coverage_mcse"] = np.nan
    p = np.asarray(p_values, float)
    if p.size and np.all(np.isfinite(p)):
        power = float(np.mean(p < alpha))
        out["power"] = power
        out["power_mcse"] = float(np.sqrt(power * (1 - power) / n))
    else:
        out["power"] = out["power_mcse"] = np.nan
    return out


def summarise(replicates: pd.DataFrame, truth: pd.DataFrame, alpha: float = ALPHA) -> pd.DataFrame:
    """One row per (method, estimand, endpoint, quantity) the methods estimated: every measure and its MCSE.

    ``truth`` has ``endpoint, estimand, quantity, value, mc_se`` (from
    :func:`helpers.simulation.truth.compute_truth`).
    """
    ok = replicates[(replicates["error"] == "") & (replicates["method"] != "(data)")]
    true = truth.set_index(["endpoint", "estimand", "quantity"])
    rows = []
    keys = ["method", "estimand", "endpoint"]
    for (method, estimand, endpoint), sub in replicates[replicates["method"] != "(data)"].groupby(keys, sort=False):
        good = ok[(ok["method"] == method) & (ok["endpoint"] == endpoint)]
        for quantity in QUANTITIES:
            est, se, lo, hi = _fields(quantity)
            if est not in good or good[est].isna().all():
                continue
            kept = good[good[est].notna()]
            key = (endpoint, estimand, quantity)
            theta = float(true.loc[key, "value"]) if key in true.index else np.nan
            p = kept["p_value"] if quantity == "log_hr" else np.full(len(kept), np.nan)
            row = {
                "method": method,
                "estimand": estimand,
                "endpoint": endpoint,
                "quantity": quantity,
                "truth": theta,
                "truth_mc_se": float(true.loc[key, "mc_se"]) if key in true.index else np.nan,
                "n_failed": int(len(sub) - len(kept)),
            }
            row |= measures(kept[est], kept[se], kept[lo], kept[hi], p, theta, alpha)
            rows.append(row)
    return pd.DataFrame(rows)


def failures(replicates: pd.DataFrame) -> pd.DataFrame:
    """The rows with an error: which method, how often, and the first message."""
    bad = replicates[replicates["error"] != ""]
    if bad.empty:
        return pd.DataFrame(columns=["method", "endpoint", "n", "first_error"])
    return (
        bad.groupby(["method", "endpoint"], sort=False)
        .agg(n=("replicate", "size"), first_error=("error", "first"))
        .reset_index()
    )
