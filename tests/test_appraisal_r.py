"""The appraisal against R: the propensity model (glm), the weights, effective sample sizes and balance.

The R script (tests/r/appraisal.R) is the project's own and computes everything from
the cohort file, given only the matched pairs (the matching is checked against MatchIt
in tests/test_matching.py). Agreement is required to 1e-6.
"""

from __future__ import annotations

import shutil
import subprocess

import pandas as pd
import pytest

from helpers.study import cohort as C
from helpers.study.design import PSM_COVARIATES
from helpers.study.pipeline import run_all

from .conftest import COHORT_CSV, ROOT

pytestmark = [pytest.mark.r, pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript not installed")]
TOL = 1e-6


@pytest.fixture(scope="module")
def results(cohort):
    return run_all(cohort)


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
