"""The appraisal's tables (helpers.study.appraisal): target trial, dropped patients, weights, estimates,
E-values, and cohorts on which some methods cannot be fitted."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from helpers.__main__ import main
from helpers.manuscript import load_study
from helpers.stats.errors import StatsError
from helpers.study import cohort as C
from helpers.study.appraisal import appraise
from helpers.study.design import BOOTSTRAP_REPLICATES, PSM_SETTINGS
from helpers.study.estimators import ABSOLUTE_ONLY, ESTIMATOR_NAMES
from helpers.study.pipeline import paper_hazard_ratios
from helpers.study.target_trial import COMPONENTS, target_trial_table
from helpers.study.weights import study_weights


@pytest.fixture(scope="module")
def results():
    return load_study().results


def test_target_trial_has_every_component_and_the_study_facts():
    table = target_trial_table()
    assert tuple(table["component"]) == COMPONENTS
    assert table.notna().all().all() and (table.map(len) > 0).all().all()
    assignment = table.set_index("component").loc["Assignment", "this_study"]
    assert f"caliper of {PSM_SETTINGS['caliper']:g}" in assignment


def test_dropped_treated_patients_add_up(results):
    pop = results.appraisal.tables["appraisal_population"]
    n_treated = int(results.cohort[C.TREATED].sum())
    assert int(pop["n_matched"].iloc[0]) == results.psm.match.n_pairs
    assert int(pop["n_matched"].iloc[0] + pop["n_unmatched"].iloc[0]) == n_treated


def test_evalues_use_the_common_outcome_conversion_here(results):
    ev = results.appraisal.tables["appraisal_evalues"]
    assert (~ev["rare"]).all() and ev["conversion"].str.startswith("common outcome").all()
    assert (ev["evalue_estimate"] >= 1).all() and (ev["evalue_ci"] <= ev["evalue_estimate"]).all()


def test_arms_without_overlap_give_a_note_not_a_crash(results):
    data, psm = results.cohort, results.psm
    treated = data[C.TREATED].to_numpy()
    # scores that separate the arms completely: no control resembles any treated patient
    fake = pd.Series(np.where(treated == 1, 0.9, 0.1), index=data.index)
    with pytest.raises(StatsError, match=r"scores: the arms do not overlap"):
        study_weights(data, "iptw_ate", fake)
    broken = dataclasses.replace(psm, model=dataclasses.replace(psm.model, scores=fake))
    appraisal = appraise(data, broken, paper_hazard_ratios(results.tables["efficacy"]), replicates=2)
    assert set(appraisal.notes) == {"iptw_ate", "iptw_att", "overlap"}
    assert all("do not overlap" in note for note in appraisal.notes.values())
    assert set(appraisal.tables["appraisal_weights"]["method"]) == {"unadjusted", "psm"}
    est = appraisal.tables["appraisal_estimates"].set_index(["endpoint", "method"])
    for method in ("iptw_ate", "iptw_att", "overlap", "iptw_adjusted", "doubly_robust"):
        assert est.loc[("os", method), "note"].startswith("not estimable: ")
        assert np.isnan(est.loc[("os", method), "hr"])
    assert np.isfinite(est.loc[("os", "crude"), "hr"])  # the others still run


def test_every_method_on_every_endpoint_with_its_bootstrap(results):
    est = results.appraisal.tables["appraisal_estimates"]
    n = len(ESTIMATOR_NAMES)
    assert list(est["method"]) == list(ESTIMATOR_NAMES) * 2 and list(est["endpoint"]) == ["pfs"] * n + ["os"] * n
    has_hr = ~est["method"].isin(ABSOLUTE_ONLY)
    assert est.loc[has_hr, "hr"].notna().all() and est.loc[~has_hr, "hr"].isna().all()
    assert est["rmst_diff_12"].notna().all()
    # a replicate whose follow-up ends before 24 months leaves that horizon out, and is counted
    boot = results.appraisal.tables["appraisal_bootstrap"]
    assert (boot["replicates"] + boot["failed"] == BOOTSTRAP_REPLICATES).all()
    assert (boot["failed"] <= 0.05 * BOOTSTRAP_REPLICATES).all()
    assert (boot.loc[boot["failed"] > 0, "quantity"].str.endswith("_24")).all()
    assert set(results.headline["appraisal"]["estimates"]) == {
        f"{e}_{m}" for e in ("pfs", "os") for m in ESTIMATOR_NAMES
    }
    pairs = results.appraisal.tables["appraisal_pairs"]
    assert (pairs[["treated_first", "control_first", "tied", "uninformative"]].sum(axis=1) == pairs["pairs"]).all()
    assert (pairs["pairs"] == results.psm.match.n_pairs).all()


def test_analyze_runs_on_a_cohort_some_estimates_cannot_use(tmp_path, raw_cohort):
    """Follow-up cut at 20 months: no RMST up to 24 months for any method, everything else as usual."""
    cut = raw_cohort.copy()
    for endpoint in ("pfs", "os"):
        months = cut[f"{endpoint}_months"].astype(float)
        cut.loc[months > 20, f"{endpoint}_event"] = "0"
        cut[f"{endpoint}_months"] = months.clip(upper=20.0).map(lambda v: f"{v:g}")
    path = tmp_path / "cut.csv"
    cut.to_csv(path, index=False)
    out = tmp_path / "out"
    assert main(["analyze", str(path), "--out", str(out), "--bootstrap", "3"]) == 0
    est = pd.read_csv(out / "appraisal_estimates.csv")
    has_hr = ~est["method"].isin(ABSOLUTE_ONLY)
    assert est.loc[has_hr, "hr"].notna().all() and est["rmst_diff_24"].isna().all()
    assert est["rmst_diff_12"].notna().all()
    assert est["note"].str.contains("RMST up to 24 months not estimable").all()


def test_comparison_display_marks_bootstrap_intervals_and_the_method_without_hr(results):
    from helpers.report.appraisal import BOOTSTRAP_MARK, NO_HR, comparison_display
    from helpers.study.design import ESTIMATOR_LABELS

    table = comparison_display(results)
    rmst = next(c for c in table.columns if c.startswith("RMST difference"))
    aipw = table.loc[("PFS", ESTIMATOR_LABELS["doubly_robust"])]
    assert aipw["HR (95% CI)"] == NO_HR and aipw["PH test p"] == "" and aipw[rmst].endswith(")")
    standardised = table.loc[("PFS", ESTIMATOR_LABELS["multivariable"])]
    assert standardised[rmst].endswith(")" + BOOTSTRAP_MARK)  # no analytic interval: the bootstrap's
    stacked = comparison_display(results, sep="\n")
    assert stacked.loc[("OS", ESTIMATOR_LABELS["crude"]), rmst].count("\n") == 1
    assert (
        stacked.loc[("OS", ESTIMATOR_LABELS["crude"]), rmst].replace("\n", " ")
        == table.loc[("OS", ESTIMATOR_LABELS["crude"]), rmst]
    )
