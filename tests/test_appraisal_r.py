"""The appraisal against R: propensity model, weights, balance, and every estimator's numbers.

The R script (tests/r/appraisal.R) is the project's own and computes everything from
the cohort file, given only the matched pairs (the matching is checked against MatchIt
in tests/test_matching.py): glm, the weights, ESS and SMDs; for every method with a
hazard ratio the Cox model (coxph with weights, robust variance, pair clusters or pair
strata) and its cox.zph test; each arm's (weighted) survfit at 6 and 12 months and its
restricted mean (rmean, se(rmean) and the jackknife SE from resid.survfit) at 12 and 24
months; the pair-clustered contrasts of the matched sample; the curves standardised from
the two Cox models with covariates (survfit.coxph); and the doubly robust AIPW estimates
on pseudo-observations (pseudo(), lm). Agreement is required to 1e-6 (relative above 1).
"""

from __future__ import annotations

import shutil
import subprocess

import pandas as pd
import pytest

from helpers.manuscript import load_study
from helpers.stats.absolute import compare_arms
from helpers.study import cohort as C
from helpers.study.design import PSM_COVARIATES, RMST_HORIZONS, SURVIVAL_DIFFERENCE_TIMES, TREATMENT, columns
from helpers.study.estimators import ABSOLUTE_ONLY, ESTIMATOR_NAMES

from .conftest import COHORT_CSV, ROOT

pytestmark = [pytest.mark.r, pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript not installed")]
TOL = 1e-6


@pytest.fixture(scope="module")
def results():
    return load_study().results


@pytest.fixture(scope="module")
def r_values(results, tmp_path_factory) -> dict[str, float]:
    folder = tmp_path_factory.mktemp("r_appraisal")
    pairs = folder / "pairs.csv"
    results.matched[["patient_id", "pair_id"]].to_csv(pairs, index=False)
    out = folder / "appraisal.csv"
    subprocess.run(
        ["Rscript", str(ROOT / "tests" / "r" / "appraisal.R"), str(COHORT_CSV), str(pairs), str(out)], check=True
    )
    frame = pd.read_csv(out)
    return dict(zip(frame["key"].str.strip(), frame["value"].astype(float), strict=True))


def close(ours: float, theirs: float, tol: float = TOL) -> bool:
    return abs(float(ours) - float(theirs)) <= tol * max(1.0, abs(float(theirs)))


def test_propensity_model_agrees_with_glm(results, r_values):
    coef = results.psm.model.coefficients.set_index("term")
    for term in coef.index:
        assert close(coef.loc[term, "coef"], r_values[f"ps.coef.{term}"]), term
        assert close(coef.loc[term, "se"], r_values[f"ps.se.{term}"]), term


@pytest.mark.parametrize("method", ["iptw_ate", "iptw_att", "overlap"])
def test_weights_and_effective_sample_sizes(results, r_values, method):
    table = results.appraisal.tables["appraisal_weights"]
    rows = table[table["method"] == method].set_index("arm")
    for arm in ("treated", "control"):
        for stat in ("sum", "max", "ess"):
            assert close(rows.loc[arm, stat], r_values[f"w.{method}.{arm}.{stat}"]), (arm, stat)
    ws = results.appraisal.weights[method]
    if ws.truncation is not None:
        assert close(ws.truncation.lower, r_values[f"w.{method}.trunc_lower"])
        assert close(ws.truncation.upper, r_values[f"w.{method}.trunc_upper"])
        assert ws.truncation.n_below == r_values[f"w.{method}.n_below"]
        assert ws.truncation.n_above == r_values[f"w.{method}.n_above"]


@pytest.mark.parametrize("method", ["iptw_ate", "iptw_att", "overlap"])
def test_weighted_standardized_differences(results, r_values, method):
    bal = results.appraisal.tables["appraisal_balance"]
    rows = bal[bal["method"] == method].set_index("covariate")
    for v in PSM_COVARIATES:
        assert close(rows.loc[v, "smd"], r_values[f"smd.{method}.{v}"]), v


def test_unmatched_against_matched_treated(results, r_values):
    pop = results.appraisal.tables["appraisal_population"].set_index("covariate")
    assert pop["n_unmatched"].iloc[0] == int((results.cohort[C.TREATED] == 1).sum()) - results.psm.match.n_pairs
    for v in PSM_COVARIATES:
        assert close(pop.loc[v, "smd"], r_values[f"smd.unmatched.{v}"]), v


# --- every estimator ------------------------------------------------------------------------

ENDPOINTS = ("pfs", "os")
KM_METHODS = ("crude", "psm", "iptw_ate", "iptw_att", "overlap")  # methods whose arms are Kaplan–Meier curves
ARM = {"treated": 1, "control": 0}


def _estimates(results):
    return results.appraisal.tables["appraisal_estimates"].set_index(["endpoint", "method"])


def _arms(results):
    return results.appraisal.tables["appraisal_arms"].set_index(["endpoint", "method", "arm", "quantity", "time"])


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("method", ESTIMATOR_NAMES)
def test_cox_model_and_ph_test_of_every_method(results, r_values, endpoint, method):
    if method in ABSOLUTE_ONLY:
        assert _estimates(results).loc[(endpoint, method), ["hr", "se", "ph_p"]].isna().all()
        return
    row = _estimates(results).loc[(endpoint, method)]
    for ours, theirs in (("hr", "hr"), ("ci_lower", "ci_lower"), ("ci_upper", "ci_upper"), ("se", "se"), ("p", "p")):
        assert close(row[ours], r_values[f"{endpoint}.{method}.{theirs}"]), ours
    assert close(row["ph_p"], r_values[f"{endpoint}.{method}.ph_p"])


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("method", KM_METHODS)
def test_each_arms_curve_and_restricted_mean(results, r_values, endpoint, method):
    """S(t) with its SE (Greenwood; robust for weighted curves) and the RMST with its SE, per arm."""
    arms = _arms(results)
    weighted = method.startswith("iptw") or method == "overlap"
    for arm, level in ARM.items():
        for t in SURVIVAL_DIFFERENCE_TIMES:
            row = arms.loc[(endpoint, method, arm, "survival", t)]
            assert close(row["estimate"], r_values[f"{endpoint}.km.{method}.{level}.surv_{t:g}"])
            assert close(row["se"], r_values[f"{endpoint}.km.{method}.{level}.se_{t:g}"])
        for tau in RMST_HORIZONS:
            row = arms.loc[(endpoint, method, arm, "rmst", tau)]
            assert close(row["estimate"], r_values[f"{endpoint}.rmst.{method}.{level}.{tau:g}"])
            # weighted curves: the jackknife SE; unweighted: Greenwood's se(rmean), which it then equals
            assert close(row["se"], r_values[f"{endpoint}.rmst_ij_se.{method}.{level}.{tau:g}"])
            if not weighted:
                assert close(row["se"], r_values[f"{endpoint}.rmst_se.{method}.{level}.{tau:g}"])


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("method", ["iptw_ate", "iptw_att", "overlap"])
def test_greenwood_type_rmst_se_on_weighted_counts_is_rs_se_rmean(results, r_values, endpoint, method):
    """R prints se(rmean) with Greenwood's formula on weighted counts; the statistics layer offers it too."""
    data = results.cohort
    duration, event = columns(endpoint)
    w = results.appraisal.weights[method].weights.to_numpy()
    comp = compare_arms(data[duration], data[event], data[TREATMENT], taus=RMST_HORIZONS, weights=w)
    arms = comp.arms.set_index(["arm", "time"])
    for arm, level in ARM.items():
        for tau in RMST_HORIZONS:
            assert close(arms.loc[(arm, tau), "se"], r_values[f"{endpoint}.rmst_se.{method}.{level}.{tau:g}"])


def _assert_contrast_ses(row, r_values, prefix: str) -> None:
    """The SEs of the survival and RMST differences and of the log RMST ratios against R's ``<prefix>.*``."""
    for t in SURVIVAL_DIFFERENCE_TIMES:
        assert close(row[f"surv_diff_{t:g}_se"], r_values[f"{prefix}.surv_diff_se_{t:g}"])
    for tau in RMST_HORIZONS:
        assert close(row[f"rmst_diff_{tau:g}_se"], r_values[f"{prefix}.rmst_diff_se_{tau:g}"])
        assert close(row[f"rmst_ratio_{tau:g}_se"], r_values[f"{prefix}.rmst_ratio_se_{tau:g}"])


def _assert_arm_estimates(results, r_values, endpoint: str, method: str, prefix: str) -> None:
    """Each arm's S(t) and RMST under ``method`` against R's ``<prefix>.<arm>.surv_<t>`` and ``.rmst_<tau>``."""
    arms = _arms(results)
    for arm, level in ARM.items():
        for t in SURVIVAL_DIFFERENCE_TIMES:
            ours = arms.loc[(endpoint, method, arm, "survival", t), "estimate"]
            assert close(ours, r_values[f"{prefix}.{level}.surv_{t:g}"])
        for tau in RMST_HORIZONS:
            ours = arms.loc[(endpoint, method, arm, "rmst", tau), "estimate"]
            assert close(ours, r_values[f"{prefix}.{level}.rmst_{tau:g}"])


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_pair_clustered_absolute_effects(results, r_values, endpoint):
    _assert_contrast_ses(_estimates(results).loc[(endpoint, "psm_robust")], r_values, f"{endpoint}.pair")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("method", ["multivariable", "iptw_adjusted"])
def test_standardised_curves(results, r_values, endpoint, method):
    _assert_arm_estimates(results, r_values, endpoint, method, f"{endpoint}.{method}.std")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_doubly_robust_aipw_on_pseudo_observations(results, r_values, endpoint):
    """Each arm's AIPW mean, and the influence-function SEs of the differences and log ratios."""
    _assert_arm_estimates(results, r_values, endpoint, "doubly_robust", f"{endpoint}.aipw")
    _assert_contrast_ses(_estimates(results).loc[(endpoint, "doubly_robust")], r_values, f"{endpoint}.aipw")
