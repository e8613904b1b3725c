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
    ALPHA,
    BALANCE_LABELS,
    BOOTSTRAP_REPLICATES,
    BOOTSTRAP_SEED,
    ENDPOINT_SHORT,
    ESTIMATOR_LABELS,
    PS_BOUNDS,
    PSM_SETTINGS,
    RMST_HORIZONS,
    SURVIVAL_DIFFERENCE_TIMES,
    WEIGHT_TRUNCATION,
    exposure_label,
)
from ..study.estimators import (
    ABSOLUTE_EFFECTS,
    AIPW,
    FIXED_WEIGHTS,
    GREENWOOD,
    NOT_ESTIMABLE,
    PAIRED,
    STANDARDIZED,
)
from .tables import format_estimate_ci, format_interval, format_number, format_p

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
    out |= estimate_numbers(results)
    pairs = a.tables["appraisal_pairs"].set_index("endpoint")
    for endpoint, r in pairs.iterrows():
        for col in ("pairs", "treated_first", "control_first", "tied", "uninformative"):
            out[f"pairs_{endpoint}_{col}"] = int(r[col])
        if r["control_first"] > 0:
            out[f"pairs_{endpoint}_ratio"] = format_number(r["treated_first"] / r["control_first"], 2)
    boot = a.tables["appraisal_bootstrap"]
    out["boot_replicates"] = BOOTSTRAP_REPLICATES
    out["boot_seed"] = BOOTSTRAP_SEED
    out["boot_failed_max"] = int(boot["failed"].max()) if len(boot) else 0
    out["rmst_horizons"] = " and ".join(f"{t:g}" for t in RMST_HORIZONS)
    out["surv_times"] = " and ".join(f"{t:g}" for t in SURVIVAL_DIFFERENCE_TIMES)
    out["rmst_tau_first"] = f"{RMST_HORIZONS[0]:g}"
    out["rmst_tau_last"] = f"{RMST_HORIZONS[-1]:g}"
    out["surv_time_first"] = f"{SURVIVAL_DIFFERENCE_TIMES[0]:g}"
    out["level_pct"] = f"{100 * (1 - ALPHA):g}"
    # relative precision of a bootstrap SE from B replicates: 1 / sqrt(2 (B - 1))
    out["boot_se_precision_pct"] = f"{100 / (2 * (BOOTSTRAP_REPLICATES - 1)) ** 0.5:.0f}"
    ph = results.tables["ph_tests_treatment"]
    ph = ph[ph["covariate"] != "GLOBAL"]
    out["ph_paper_p_min"] = format_p(ph["p_value"].min())
    out["ph_paper_n"] = len(ph)
    est = a.tables["appraisal_estimates"]
    ph_all = pd.concat([ph["p_value"], est["ph_p"].dropna()])
    out["ph_n_below_alpha"] = int((ph_all < ALPHA).sum())
    out["ph_n_tests"] = int(ph_all.size)
    out["ph_all_p_min"] = format_p(ph_all.min())
    out["alpha"] = f"{ALPHA:g}"
    return out


# --- every method's estimate ----------------------------------------------------------------

ABSOLUTE_CI_LABELS = {
    GREENWOOD: "Greenwood, arms independent",
    PAIRED: "jackknife, clustered on pairs",
    FIXED_WEIGHTS: "jackknife, weights fixed",
    STANDARDIZED: "bootstrap only",
    AIPW: "AIPW influence function",
}
BOOTSTRAP_MARK = "*"
NO_HR = "none"


def comparison_rows(results) -> pd.DataFrame:
    """The estimates table with, per absolute effect, the interval shown: ``<q>_lo``, ``<q>_hi`` and
    ``<q>_from_bootstrap`` (the analytic interval where the method has one, else the bootstrap's)."""
    est = results.appraisal.tables["appraisal_estimates"].copy()
    for q in ABSOLUTE_EFFECTS:
        analytic = est[f"{q}_lower"].notna() & est[f"{q}_upper"].notna()
        est[f"{q}_from_bootstrap"] = ~analytic & est[f"{q}_boot_lower"].notna()
        est[f"{q}_lo"] = est[f"{q}_lower"].where(analytic, est[f"{q}_boot_lower"])
        est[f"{q}_hi"] = est[f"{q}_upper"].where(analytic, est[f"{q}_boot_upper"])
    return est


MINUS = "\u2212"


def signed(x, digits: int = 2) -> str:
    """A number that may be negative, with a true minus sign ('−0.27'); '' if missing."""
    text = format_number(x, digits)
    return text.replace("-", MINUS) if text else ""


def signed_interval(lower, upper, digits: int = 2) -> str:
    """'lower to upper' (an en dash between signed numbers would read as a minus)."""
    if pd.isna(lower) or pd.isna(upper):
        return ""
    return f"{signed(lower, digits)} to {signed(upper, digits)}"


def _effect_ci(r, q: str, scale: float = 1.0, digits: int = 2, sep: str = " ") -> str:
    if pd.isna(r[q]):
        return ""
    interval = signed_interval(scale * r[f"{q}_lo"], scale * r[f"{q}_hi"], digits)
    text = f"{signed(scale * r[q], digits)}{sep}({interval})"
    return text + (BOOTSTRAP_MARK if r[f"{q}_from_bootstrap"] else "")


def comparison_display(results, sep: str = " ") -> pd.DataFrame:
    """One row per endpoint and method: estimand, patients, HR, PH test and the absolute effects.

    RMST differences in months; survival differences in percentage points (the
    p-values of the hazard ratios are in the estimates table, not here); an
    interval marked with an asterisk is the bootstrap's (the method has no
    analytic one). ``sep`` stands between an estimate and its interval (and
    the patients and their events): a space, or a line break ("\n") for a
    narrower table shown with ``styled(..., line_breaks=True)``.
    """
    rows = []
    for _, r in comparison_rows(results).iterrows():
        row = {
            "Endpoint": ENDPOINT_SHORT[r["endpoint"]],
            "Method": ESTIMATOR_LABELS[r["method"]],
            "Estimand": r["estimand"],
        }
        if str(r["note"]).startswith(NOT_ESTIMABLE):
            row["HR (95% CI)"] = "not estimable"
            rows.append(row)
            continue
        has_hr = pd.notna(r["hr"])
        hr = format_estimate_ci(r["hr"], r["ci_lower"], r["ci_upper"]).replace(" (", f"{sep}(") if has_hr else ""
        row |= {
            "Patients (events)": f"{int(r['n'])}{sep}({int(r['events'])})",
            "HR (95% CI)": hr if has_hr else NO_HR,
            "PH test p": format_p(r["ph_p"]) if has_hr else "",
        }
        for tau in RMST_HORIZONS:
            row[f"RMST difference, {tau:g} mo (95% CI)"] = _effect_ci(r, f"rmst_diff_{tau:g}", sep=sep)
        for t in SURVIVAL_DIFFERENCE_TIMES:
            row[f"Survival difference, {t:g} mo (95% CI)"] = _effect_ci(r, f"surv_diff_{t:g}", 100.0, 1, sep=sep)
        rows.append(row)
    table = pd.DataFrame(rows).set_index(["Endpoint", "Method"]).fillna("")
    if sep == "\n":  # the narrow layout: the row labels speak for themselves, no index header row
        table.index.names = [None, None]
    return table


def intervals_display(results) -> pd.DataFrame:
    """How each method's intervals are obtained, and the analytic ones beside the bootstrap's.

    Standard error of log HR (the method's and the bootstrap's) and the 95%
    interval of the RMST difference up to the first horizon both ways.
    """
    tau = f"{RMST_HORIZONS[0]:g}"
    q = f"rmst_diff_{tau}"
    rows = []
    for _, r in results.appraisal.tables["appraisal_estimates"].iterrows():
        rows.append(
            {
                "Endpoint": ENDPOINT_SHORT[r["endpoint"]],
                "Method": ESTIMATOR_LABELS[r["method"]],
                "SE of log HR": format_number(r["se"], 3),
                "SE of log HR, bootstrap": format_number(r["log_hr_boot_se"], 3),
                "Absolute effects: analytic intervals": ABSOLUTE_CI_LABELS.get(r["absolute_ci"], r["absolute_ci"]),
                f"RMST difference, {tau} mo: analytic 95% CI": signed_interval(r[f"{q}_lower"], r[f"{q}_upper"]),
                "bootstrap 95% CI": signed_interval(r[f"{q}_boot_lower"], r[f"{q}_boot_upper"]),
            }
        )
    return pd.DataFrame(rows).set_index(["Endpoint", "Method"])


def pairs_display(results) -> pd.DataFrame:
    """Which member of each matched pair had the first event, per endpoint."""
    tab = results.appraisal.tables["appraisal_pairs"]
    rows = {}
    for _, r in tab.iterrows():
        rows[ENDPOINT_SHORT[r["endpoint"]]] = {
            "Matched pairs": int(r["pairs"]),
            "First event in the 2L-ICIs member": int(r["treated_first"]),
            "First event in the 2L-non-ICIs member": int(r["control_first"]),
            "Both at the same time": int(r["tied"]),
            "No event before the first censoring": int(r["uninformative"]),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def join_labels(labels) -> str:
    """Labels that may hold commas, for running text: 'a; b and c' ('none' for no label)."""
    labels = list(labels)
    if not labels:
        return "none"
    return labels[0] if len(labels) == 1 else "; ".join(labels[:-1]) + " and " + labels[-1]


def compare_word(value: float, reference: float, tolerance: float = 0.05) -> str:
    """'about the same as', 'smaller than' or 'larger than', within a relative ``tolerance``."""
    if abs(value / reference - 1.0) < tolerance:
        return "about the same as"
    return "smaller than" if value < reference else "larger than"


PAIR_SIMILARITY = {
    "about the same as": "so the interval hardly moves: the members of a pair are barely more alike in their "
    "outcomes than two unrelated patients",
    "smaller than": "so the interval narrows: the members of a pair tend to fare alike, and the paper's "
    "analysis, which ignores that, overstates the uncertainty",
    "larger than": "so the interval widens: the paper's analysis, which takes the matched patients as "
    "unrelated, understates the uncertainty",
}


def method_verdict(n_excluding_1: int, n_methods: int) -> str:
    """Whether the methods agree on the side of one: the opening of the comparison's summary sentence."""
    if n_excluding_1 in (0, n_methods):
        return "the conclusion does not depend on the method"
    return "the conclusion depends on the method"


def width_word(width: float, reference: float, tolerance: float = 0.05) -> str:
    """'about as wide as', 'narrower than' or 'wider than', within a relative ``tolerance``."""
    word = compare_word(width, reference, tolerance)
    return {"about the same as": "about as wide as", "smaller than": "narrower than", "larger than": "wider than"}[word]


def estimate_numbers(results) -> dict[str, str | int]:
    """Every method's numbers for the prose, by ``est_<endpoint>_<method>_<what>``."""
    out: dict[str, str | int] = {}
    rows = comparison_rows(results)
    for _, r in rows.iterrows():
        key = f"est_{r['endpoint']}_{r['method']}"
        if str(r["note"]).startswith(NOT_ESTIMABLE):
            out[f"{key}_hrci"] = "not estimable"
            continue
        out[f"{key}_n"] = int(r["n"])
        if pd.notna(r["hr"]):
            out[f"{key}_hr"] = format_number(r["hr"], 2)
            out[f"{key}_hrci"] = format_estimate_ci(r["hr"], r["ci_lower"], r["ci_upper"])
            out[f"{key}_ci"] = format_interval(r["ci_lower"], r["ci_upper"])
            out[f"{key}_se"] = format_number(r["se"], 3)
            out[f"{key}_boot_se"] = format_number(r["log_hr_boot_se"], 3)
            out[f"{key}_p"] = format_p(r["p"])
            out[f"{key}_ph_p"] = format_p(r["ph_p"])
        for q in ABSOLUTE_EFFECTS:
            if pd.isna(r[q]):
                continue
            pct = q.startswith("surv_diff")
            scale, digits = (100.0, 1) if pct else (1.0, 2)
            out[f"{key}_{q}"] = signed(scale * r[q], digits)
            out[f"{key}_{q}_ci"] = signed_interval(scale * r[f"{q}_lo"], scale * r[f"{q}_hi"], digits)
            if pd.notna(r[f"{q}_boot_lower"]):
                out[f"{key}_{q}_boot_ci"] = signed_interval(
                    scale * r[f"{q}_boot_lower"], scale * r[f"{q}_boot_upper"], digits
                )
                if pd.notna(r[f"{q}_lower"]):  # the bootstrap interval's width against the analytic one's
                    out[f"{key}_{q}_boot_width_vs"] = width_word(
                        r[f"{q}_boot_upper"] - r[f"{q}_boot_lower"], r[f"{q}_upper"] - r[f"{q}_lower"]
                    )
    for endpoint, sub in rows.groupby("endpoint"):
        by = sub.set_index("method")
        for method, r in by.iterrows():
            if pd.notna(r["se"]) and pd.notna(r["log_hr_boot_se"]):
                out[f"est_{endpoint}_{method}_boot_vs_se"] = compare_word(r["log_hr_boot_se"], r["se"])
        matched = ["psm", "psm_robust", "psm_stratified"]
        if set(matched) <= set(by.index) and by.loc[matched, "se"].notna().all():
            out[f"est_{endpoint}_robust_vs_naive"] = compare_word(by.loc["psm_robust", "se"], by.loc["psm", "se"])
            out[f"est_{endpoint}_pair_similarity"] = PAIR_SIMILARITY[out[f"est_{endpoint}_robust_vs_naive"]]
            out[f"est_{endpoint}_strat_vs_naive"] = compare_word(by.loc["psm_stratified", "se"], by.loc["psm", "se"])
            out[f"est_{endpoint}_strat_se_ratio"] = format_number(
                by.loc["psm_stratified", "se"] / by.loc["psm", "se"], 1
            )
        ok = sub[sub["hr"].notna()]
        excluding = ok[(ok["ci_upper"] < 1) | (ok["ci_lower"] > 1)]
        out[f"est_{endpoint}_methods_excluding_1"] = join_labels(ESTIMATOR_LABELS[m] for m in excluding["method"])
        out[f"est_{endpoint}_methods_including_1"] = join_labels(
            ESTIMATOR_LABELS[m] for m in ok["method"] if m not in set(excluding["method"])
        )
        out[f"est_{endpoint}_hr_min"] = format_number(ok["hr"].min(), 2)
        out[f"est_{endpoint}_hr_max"] = format_number(ok["hr"].max(), 2)
        out[f"est_{endpoint}_n_methods"] = len(ok)
        out[f"est_{endpoint}_n_excluding_1"] = int(((ok["ci_upper"] < 1) | (ok["ci_lower"] > 1)).sum())
        out[f"est_{endpoint}_verdict"] = method_verdict(out[f"est_{endpoint}_n_excluding_1"], len(ok))
        out[f"est_{endpoint}_ph_p_min"] = format_p(ok["ph_p"].min())
    return out
