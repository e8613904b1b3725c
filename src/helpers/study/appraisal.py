"""The appraisal: what a modern analysis of the same design says (issue 12).

Compute only. :func:`appraise` builds every table of the Appraisal chapter
for one cohort: the target trial beside the design
(:mod:`.target_trial`), the treated patients the matching dropped against
those it kept, the propensity score weights and the balance they achieve,
every method's estimate with its absolute effects (:mod:`.estimators`), a
bootstrap of those estimates, and the E-values of the hazard ratios. The
propensity model and the matching are the paper's (one fit per cohort).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..stats.evalue import evalue, outcome_is_rare
from ..stats.matching import PropensityMatch
from ..stats.weighting import effective_sample_size, outside_bounds, weight_summary, weighted_standardized_differences
from .design import (
    BOOTSTRAP_REPLICATES,
    BOOTSTRAP_SEED,
    ENDPOINTS,
    PS_BOUNDS,
    PSM_COVARIATES,
    TREATMENT,
    WEIGHTING,
    columns,
)
from .errors import StudyError
from .estimators import ESTIMATOR_NAMES, Prepared, bootstrap, estimate_all
from .target_trial import target_trial_table
from .weights import WeightSet

# --- who the matched estimate describes -----------------------------------------------


def matched_population(data: pd.DataFrame, psm_result: PropensityMatch) -> pd.DataFrame:
    """The treated patients the matching kept against those it dropped.

    One row per Table 1 characteristic and one for the propensity score:
    ``covariate, mean_matched, mean_unmatched`` (proportions, or the mean
    score), ``smd`` (unmatched minus matched treated) and ``abs_smd``; ``n_matched``
    and ``n_unmatched`` the treated patients in each.
    """
    treated = data[data[TREATMENT] == 1].copy()
    kept = set(psm_result.match.pairs["treated_index"])
    treated["_unmatched"] = (~treated.index.isin(kept)).astype(int)
    treated["propensity_score"] = psm_result.model.scores.loc[treated.index]
    n_unmatched = int(treated["_unmatched"].sum())
    if n_unmatched == 0 or n_unmatched == len(treated):
        covs = [*PSM_COVARIATES, "propensity_score"]
        frame = pd.DataFrame({"covariate": covs})
        frame["mean_matched"] = treated[covs].mean().to_numpy() if n_unmatched == 0 else np.nan
        frame["mean_unmatched"] = np.nan if n_unmatched == 0 else treated[covs].mean().to_numpy()
        frame[["smd", "abs_smd"]] = np.nan
    else:
        frame = weighted_standardized_differences(treated, [*PSM_COVARIATES, "propensity_score"], "_unmatched").rename(
            columns={"mean_treated": "mean_unmatched", "mean_control": "mean_matched"}
        )
    frame["n_matched"] = len(treated) - n_unmatched
    frame["n_unmatched"] = n_unmatched
    return frame[["covariate", "mean_matched", "mean_unmatched", "smd", "abs_smd", "n_matched", "n_unmatched"]]


# --- the matched pairs as pairs ----------------------------------------------------------


def pair_outcomes(matched: pd.DataFrame, endpoints=ENDPOINTS) -> pd.DataFrame:
    """Which member of each matched pair had the first event: what a pair-stratified Cox model uses.

    One row per endpoint: ``pairs``; ``treated_first`` and ``control_first``
    (the member with the earlier time had the event, the other was still
    followed; a censoring at the same time counts as after the event);
    ``tied`` (both had the event at the same time) and ``uninformative`` (the
    earlier time is a censoring, or neither had an event). Within a pair only
    the first event compares the two members while both are at risk, so
    without ties the pair-stratified hazard ratio is treated_first /
    control_first.
    """
    rows = []
    for endpoint in endpoints:
        duration, event = columns(endpoint)
        wide = matched.pivot(index="pair_id", columns=TREATMENT, values=[duration, event])
        t1, t0 = wide[(duration, 1)].to_numpy(float), wide[(duration, 0)].to_numpy(float)
        e1, e0 = wide[(event, 1)].to_numpy(int) == 1, wide[(event, 0)].to_numpy(int) == 1
        treated_first = (e1 & (t1 < t0)) | (e1 & ~e0 & (t1 == t0))
        control_first = (e0 & (t0 < t1)) | (e0 & ~e1 & (t1 == t0))
        tied = e1 & e0 & (t1 == t0)
        rows.append(
            {
                "endpoint": endpoint,
                "pairs": int(wide.shape[0]),
                "treated_first": int(treated_first.sum()),
                "control_first": int(control_first.sum()),
                "tied": int(tied.sum()),
                "uninformative": int((~(treated_first | control_first | tied)).sum()),
            }
        )
    return pd.DataFrame(rows)


# --- weights and balance ----------------------------------------------------------------


def weights_table(data: pd.DataFrame, weightsets: dict[str, WeightSet], psm_result: PropensityMatch) -> pd.DataFrame:
    """Distribution of each method's weights per arm, the truncation, and the effective sample sizes.

    Rows: ``unadjusted`` (every weight 1), ``psm`` (1 for a matched patient, 0
    otherwise) and each weighting method; per arm: ``n, sum, mean, sd, min,
    q01, median, q99, max, ess`` and, for a truncated method, ``max_before``
    (the largest weight before truncation), ``truncated_low``,
    ``truncated_high`` (rows moved to each bound: both arms together) and
    ``n_outside_ps_bounds`` (patients of the arm with a score outside
    :data:`.design.PS_BOUNDS`).
    """
    treated = data[TREATMENT]
    matched = data.index.isin(psm_result.cohort.index).astype(float)
    frames = []
    for method, w in (("unadjusted", np.ones(len(data))), ("psm", matched)):
        frames.append(weight_summary(w, treated).assign(method=method, estimand="", stabilized=False))
    scores = psm_result.model.scores.loc[data.index]
    outside = outside_bounds(scores, bounds=PS_BOUNDS)
    for method, ws in weightsets.items():
        summary = weight_summary(ws.weights, treated).assign(
            method=method, estimand=ws.estimand, stabilized=ws.stabilized
        )
        summary["max_before"] = [float(ws.raw[treated == lv].max()) for lv in (1, 0)]
        if ws.truncation is not None:
            summary["truncated_low"] = ws.truncation.n_below
            summary["truncated_high"] = ws.truncation.n_above
            summary["truncation_lower"] = ws.truncation.lower
            summary["truncation_upper"] = ws.truncation.upper
        frames.append(summary)
    out = pd.concat(frames, ignore_index=True)
    out["n_outside_ps_bounds"] = [
        int(outside[(treated == (1 if a == "treated" else 0)).to_numpy()].sum()) for a in out["arm"]
    ]
    first = ["method", "estimand", "stabilized", "arm"]
    return out[first + [c for c in out.columns if c not in first]]


def balance_long(data: pd.DataFrame, weightsets: dict[str, WeightSet], psm_result: PropensityMatch) -> pd.DataFrame:
    """Standardised differences of every Table 1 characteristic under every method (long format).

    ``method`` is ``unadjusted``, ``psm`` (the matched pairs) or a weighting
    method; columns ``covariate, mean_treated, mean_control, smd, abs_smd``
    and the method's effective sample size per arm (``ess_treated``,
    ``ess_control``).
    """
    frames = []
    specs = [("unadjusted", data, None), ("psm", psm_result.cohort, None)]
    specs += [(m, data, ws.weights.to_numpy()) for m, ws in weightsets.items()]
    for method, frame, w in specs:
        smd = weighted_standardized_differences(frame, PSM_COVARIATES, TREATMENT, w)
        ww = np.ones(len(frame)) if w is None else w
        t = frame[TREATMENT].to_numpy()
        smd["ess_treated"] = effective_sample_size(ww[t == 1])
        smd["ess_control"] = effective_sample_size(ww[t == 0])
        frames.append(smd.assign(method=method))
    out = pd.concat(frames, ignore_index=True)
    return out[["method", *[c for c in out.columns if c != "method"]]]


# --- unmeasured confounding ---------------------------------------------------------------


def evalue_table(data: pd.DataFrame, estimates: pd.DataFrame) -> pd.DataFrame:
    """E-values of hazard ratios and of their confidence limit nearest 1.

    ``estimates`` has one row per estimate: ``endpoint, method, label, hr,
    ci_lower, ci_upper`` (and optionally ``note``). Whether the outcome is
    rare (under 15% with the event by the end of follow-up) is decided per
    endpoint from all patients of ``data``; with most patients progressing
    or dying it is common, and the hazard ratios are converted by the
    square-root rule of VanderWeele and Ding (2017).
    """
    rows = []
    for _, r in estimates.iterrows():
        _, event = columns(r["endpoint"])
        events, n = int(data[event].sum()), len(data)
        rare = outcome_is_rare(events, n)
        base = {"endpoint": r["endpoint"], "method": r["method"], "label": r["label"], "event_share": events / n}
        if not np.isfinite(r["hr"]):
            rows.append(base | {"rare": rare, "note": r.get("note", "")})
            continue
        ev = evalue(r["hr"], r["ci_lower"], r["ci_upper"], measure="HR", rare=rare)
        rows.append(base | ev.to_frame().iloc[0].to_dict() | {"note": ""})
    return pd.DataFrame(rows)


# --- everything -------------------------------------------------------------------------------


def comparison_table(estimates: pd.DataFrame, boot: pd.DataFrame) -> pd.DataFrame:
    """Every method's estimate beside its bootstrap: the estimator's row plus ``<quantity>_boot_se``,
    ``_boot_lower``, ``_boot_upper`` for log HR and each absolute effect, and ``boot_replicates``."""
    wide = boot.pivot(index=["endpoint", "method"], columns="quantity", values=["boot_se", "boot_lower", "boot_upper"])
    wide.columns = [f"{q}_{stat}" for stat, q in wide.columns]
    reps = boot.groupby(["endpoint", "method"])["replicates"].min().rename("boot_replicates")
    out = estimates.merge(wide.join(reps).reset_index(), on=["endpoint", "method"], how="left")
    order = {m: i for i, m in enumerate(ESTIMATOR_NAMES)}
    out = out.sort_values(
        ["endpoint", "method"], key=lambda c: c.map(order) if c.name == "method" else c.map({"pfs": 0, "os": 1})
    )
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class Appraisal:
    """The appraisal of one cohort: its tables (tidy, unrounded), the weights and the curves.

    ``notes`` holds, per weighting method that could not be computed on this
    cohort, the reason; ``curves[(endpoint, method)]`` each method's two
    survival curves (``time, treated, control``).
    """

    tables: dict[str, pd.DataFrame]
    weights: dict[str, WeightSet] = field(repr=False)
    curves: dict = field(repr=False, default_factory=dict)
    notes: dict = field(default_factory=dict)


def appraise(
    data: pd.DataFrame,
    psm_result: PropensityMatch,
    hazard_ratios: pd.DataFrame,
    *,
    replicates: int = BOOTSTRAP_REPLICATES,
    seed: int = BOOTSTRAP_SEED,
) -> Appraisal:
    """Every table of the Appraisal chapter for a cohort (with derived categories) and its matching.

    ``hazard_ratios`` are the estimates whose E-values are computed (see
    :func:`evalue_table`); ``replicates`` and ``seed`` set the bootstrap. A
    weighting method that cannot be computed (e.g. arms without overlap) is
    left out of the weights and balance tables, and ``notes`` says why; a
    method that cannot be fitted has its row in the estimates with the reason.
    """
    prep = Prepared(data, given_model=psm_result.model, given_pairs=psm_result.cohort)
    tables = {"appraisal_target_trial": target_trial_table()}
    tables["appraisal_population"] = matched_population(data, psm_result)
    weightsets, notes = {}, {}
    for method in WEIGHTING:
        try:
            weightsets[method] = prep.weights(method)
        except StudyError as err:
            notes[method] = f"not estimable: {err}"
    tables["appraisal_weights"] = weights_table(data, weightsets, psm_result)
    tables["appraisal_balance"] = balance_long(data, weightsets, psm_result)
    tables["appraisal_pairs"] = pair_outcomes(psm_result.cohort)
    estimates = estimate_all(prep)
    boot = bootstrap(prep, replicates=replicates, seed=seed)
    tables["appraisal_estimates"] = comparison_table(estimates.table, boot)
    tables["appraisal_arms"] = estimates.arms
    tables["appraisal_bootstrap"] = boot
    tables["appraisal_evalues"] = evalue_table(data, hazard_ratios)
    return Appraisal(tables=tables, weights=weightsets, curves=estimates.curves, notes=notes)
