"""The Appraisal chapter's display tables and the numbers its prose quotes.

Display only: every number is computed by :mod:`helpers.study.appraisal`; here
it is labelled and rounded. :func:`appraisal_numbers` returns the formatted
numbers the chapter glues, by name.
"""

from __future__ import annotations

import pandas as pd

from ..stats.evalue import RARE_OUTCOME_THRESHOLD
from ..stats.matching import SMD_THRESHOLD
from ..study import cohort as C
from ..study.design import (
    BALANCE_LABELS,
    ENDPOINT_SHORT,
    PS_BOUNDS,
    PSM_SETTINGS,
    WEIGHT_TRUNCATION,
    exposure_label,
)
from .tables import format_estimate_ci, format_number

TARGET_TRIAL_COLUMNS = {
    "component": "Component",
    "target_trial": "Target trial",
    "this_study": "The original study",
    "departure": "Where the study departs",
}


def target_trial_display(results) -> pd.DataFrame:
    """The protocol of the emulated trial beside the study's design, one row per component."""
    table = results.appraisal.tables["appraisal_target_trial"]
    return table.rename(columns=TARGET_TRIAL_COLUMNS).set_index("Component").rename_axis(index=None)


def population_display(results) -> pd.DataFrame:
    """Matched against unmatched treated patients: share with each characteristic (%) and the SMD."""
    pop = results.appraisal.tables["appraisal_population"]
    n_m, n_u = int(pop["n_matched"].iloc[0]), int(pop["n_unmatched"].iloc[0])
    rows = {}
    for _, r in pop.iterrows():
        is_score = r["covariate"] == "propensity_score"
        name = "Propensity score (mean)" if is_score else exposure_label(r["covariate"])
        fmt = (lambda v: format_number(v, 2)) if is_score else (lambda v: f"{100 * v:.1f}%")
        rows[name] = {
            f"Matched treated (n = {n_m})": fmt(r["mean_matched"]),
            f"Unmatched treated (n = {n_u})": fmt(r["mean_unmatched"]),
            "SMD (unmatched − matched)": format_number(r["smd"], 2),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def weights_display(results) -> pd.DataFrame:
    """Each sample's weights by arm: range, sum, effective sample size and truncation."""
    w = results.appraisal.tables["appraisal_weights"]
    rows = []
    for _, r in w.iterrows():
        truncated = ""
        if "truncated_low" in r and pd.notna(r.get("truncated_low")):
            truncated = f"{int(r['truncated_low']) + int(r['truncated_high'])} (both arms)"
        rows.append(
            {
                "Sample": BALANCE_LABELS[r["method"]],
                "Arm": C.GROUP_ICI if r["arm"] == "treated" else C.GROUP_NON_ICI,
                "Patients": int(r["n"]),
                "Weights, min–max": f"{format_number(r['min'], 2)}–{format_number(r['max'], 2)}",
                "Largest before truncation": format_number(r["max_before"], 2) if pd.notna(r["max_before"]) else "",
                "Sum of weights": format_number(r["sum"], 1),
                "Effective sample size": format_number(r["ess"], 1),
                "Weights truncated": truncated,
            }
        )
    return pd.DataFrame(rows).set_index(["Sample", "Arm"])


def evalue_display(results) -> pd.DataFrame:
    """E-values of the hazard ratios: the HR, its conversion to a risk ratio and the two E-values."""
    ev = results.appraisal.tables["appraisal_evalues"]
    rows = []
    for _, r in ev.iterrows():
        rows.append(
            {
                "Endpoint": ENDPOINT_SHORT[r["endpoint"]],
                "Estimate": r["label"],
                "HR (95% CI)": format_estimate_ci(r["estimate"], r["ci_lower"], r["ci_upper"]),
                "As a risk ratio (95% CI)": format_estimate_ci(r["rr"], r["rr_lower"], r["rr_upper"]),
                "E-value, estimate": format_number(r["evalue_estimate"], 2),
                "E-value, CI limit nearest 1": format_number(r["evalue_ci"], 2),
            }
        )
    return pd.DataFrame(rows).set_index(["Endpoint", "Estimate"])


def appraisal_numbers(results) -> dict[str, str | int]:
    """The numbers the Appraisal chapter's prose quotes, formatted, by glue name (without prefix)."""
    a = results.appraisal
    out: dict[str, str | int] = {}
    pop = a.tables["appraisal_population"].set_index("covariate")
    n_treated = int(pop["n_matched"].iloc[0] + pop["n_unmatched"].iloc[0])
    out |= {
        "n_treated": n_treated,
        "n_unmatched": int(pop["n_unmatched"].iloc[0]),
        "n_matched": int(pop["n_matched"].iloc[0]),
        "caliper": f"{PSM_SETTINGS['caliper']:g}",
        "unmatched_1l_ici_pct": f"{100 * pop.loc['first_line_ici', 'mean_unmatched']:.0f}",
        "matched_1l_ici_pct": f"{100 * pop.loc['first_line_ici', 'mean_matched']:.0f}",
        "unmatched_ps": format_number(pop.loc["propensity_score", "mean_unmatched"], 2),
        "matched_ps": format_number(pop.loc["propensity_score", "mean_matched"], 2),
        "n_large_smd": int((pop.drop(index="propensity_score")["abs_smd"] > SMD_THRESHOLD).sum()),
        "largest_smd_covariate": exposure_label(pop.drop(index="propensity_score")["abs_smd"].idxmax()),
        "largest_smd": format_number(pop.drop(index="propensity_score")["abs_smd"].max(), 2),
    }
    w = a.tables["appraisal_weights"].set_index(["method", "arm"])
    out["trunc_low_pct"] = f"{100 * WEIGHT_TRUNCATION[0]:g}"
    out["trunc_high_pct"] = f"{100 * WEIGHT_TRUNCATION[1]:g}"
    out["ps_low"], out["ps_high"] = (f"{b:g}" for b in PS_BOUNDS)
    out["n_outside_ps_bounds"] = int(w.xs("unadjusted", level="method")["n_outside_ps_bounds"].sum())
    for method in ("iptw_ate", "iptw_att", "overlap"):
        if method not in a.weights:
            continue
        rows = w.loc[method]
        out[f"{method}_max_before"] = format_number(rows["max_before"].max(), 2)
        out[f"{method}_ess_treated"] = format_number(rows.loc["treated", "ess"], 0)
        out[f"{method}_ess_control"] = format_number(rows.loc["control", "ess"], 0)
        if "truncated_low" in rows and pd.notna(rows["truncated_low"].iloc[0]):
            out[f"{method}_n_truncated"] = int(rows["truncated_low"].iloc[0] + rows["truncated_high"].iloc[0])
    bal = a.tables["appraisal_balance"]
    for method, sub in bal.groupby("method"):
        out[f"{method}_max_smd"] = format_number(sub["abs_smd"].max(), 3)
    out["smd_threshold"] = f"{SMD_THRESHOLD:g}"
    ev = a.tables["appraisal_evalues"].set_index(["endpoint", "method"])
    out["rare_threshold_pct"] = f"{100 * RARE_OUTCOME_THRESHOLD:g}"
    for (endpoint, method), r in ev.iterrows():
        key = f"{endpoint}_{method}"
        out[f"{endpoint}_event_pct"] = f"{100 * r['event_share']:.0f}"
        if pd.isna(r.get("evalue_estimate")):
            continue
        out[f"ev_{key}_hr"] = format_estimate_ci(r["estimate"], r["ci_lower"], r["ci_upper"])
        out[f"ev_{key}_rr"] = format_number(r["rr"], 2)
        out[f"ev_{key}_est"] = format_number(r["evalue_estimate"], 2)
        out[f"ev_{key}_ci"] = format_number(r["evalue_ci"], 2)
        out[f"ev_{key}_limit"] = {"upper": "upper limit", "lower": "lower limit", "includes 1": "interval"}[r["limit"]]
        out[f"ev_{key}_includes_1"] = "contains 1" if r["limit"] == "includes 1" else "excludes 1"
    return out
