"""The appraisal's estimators (helpers.study.estimators): the interface, sharing, determinism, bad cohorts."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from helpers.study import cohort as C
from helpers.study import estimators as E
from helpers.study.design import ESTIMAND_LABELS, ESTIMATOR_LABELS, RMST_HORIZONS, SURVIVAL_DIFFERENCE_TIMES
from helpers.study.errors import StudyError
from helpers.study.propensity import match_study


@pytest.fixture(scope="module")
def data(cohort):
    return C.derive_categories(cohort)


@pytest.fixture(scope="module")
def table(data):
    return E.estimate_all(data).table.set_index(["endpoint", "method"])


# --- the interface ------------------------------------------------------------------------------


def test_estimators_are_name_estimand_function_triples():
    assert all(isinstance(e, tuple) and len(e) == 3 for e in E.ESTIMATORS)
    names = [name for name, _, _ in E.ESTIMATORS]
    assert len(set(names)) == len(names) == 10
    assert {estimand for _, estimand, _ in E.ESTIMATORS} <= set(ESTIMAND_LABELS)
    assert set(names) == set(ESTIMATOR_LABELS)
    assert all(fn.__name__ == name and fn.__doc__ for name, _, fn in E.ESTIMATORS)


def test_estimate_fields_follow_the_design():
    expected = [f"rmst_{m}_{t:g}" for t in RMST_HORIZONS for m in ("diff", "ratio")]
    expected += [f"surv_diff_{t:g}" for t in SURVIVAL_DIFFERENCE_TIMES]
    assert list(E.ABSOLUTE_EFFECTS) == expected
    for q in expected:
        assert {q, f"{q}_se", f"{q}_lower", f"{q}_upper"} <= set(E.ESTIMATE_FIELDS)
    est = E.Estimate(hr=0.5, ci_lower=0.25, ci_upper=1.0, se=0.3, p=0.04, n=10)
    frame = est.to_frame()
    assert frame.shape == (1, len(E.ESTIMATE_FIELDS)) and frame["hr"].iloc[0] == 0.5
    assert est.log_hr == pytest.approx(math.log(0.5)) and est.log_hr_upper == 0.0
    assert est.p_value == 0.04 and est.n_used == 10 and est.ok
    assert not E.Estimate(note="not estimable: x").ok
    with pytest.raises(dataclasses.FrozenInstanceError):
        est.hr = 1.0


def test_a_function_takes_a_raw_cohort_a_derived_one_or_a_prepared_one(cohort, data, table):
    raw = E.iptw_att(cohort, "os")
    assert raw == E.iptw_att(data, "os") == E.iptw_att(E.prepare(data), "os")  # same in, same out
    row = table.loc[("os", "iptw_att")]
    assert raw.hr == row["hr"] and raw.rmst_diff_24_upper == row["rmst_diff_24_upper"]
    with pytest.raises(StudyError, match=r"endpoint must be one of \('pfs', 'os'\)"):
        E.crude(data, "dfs")


def test_the_propensity_model_is_fitted_once_per_prepared_cohort(data, monkeypatch):
    calls = []
    real = E.fit_propensity
    monkeypatch.setattr(E, "fit_propensity", lambda *a, **k: calls.append(1) or real(*a, **k))
    prepared = E.prepare(data)
    for _, _, function in E.ESTIMATORS:
        for endpoint in ("pfs", "os"):
            assert function(prepared, endpoint).ok
    assert len(calls) == 1
    E.crude(data, "pfs")  # needs no propensity model
    assert len(calls) == 1


def test_the_given_matching_is_the_papers(data, table):
    psm = match_study(data)
    prepared = E.Prepared(data, given_model=psm.model, given_pairs=psm.cohort)
    assert E.psm(prepared, "pfs") == E.psm(data, "pfs")
    assert table.loc[("pfs", "psm"), "n"] == 2 * psm.match.n_pairs


# --- what the methods compute ---------------------------------------------------------------------


def test_matched_methods_share_the_pairs(table):
    for endpoint in ("pfs", "os"):
        psm, robust, strat = (table.loc[(endpoint, m)] for m in ("psm", "psm_robust", "psm_stratified"))
        assert robust["hr"] == pytest.approx(psm["hr"], rel=1e-12)  # only the variance changes
        assert robust["se"] != psm["se"]
        assert strat["rmst_diff_12_se"] == robust["rmst_diff_12_se"]  # the same pair-clustered curves
        assert psm["rmst_diff_12"] == pytest.approx(robust["rmst_diff_12"], rel=1e-12)


def test_pair_stratified_hr_is_the_ratio_of_first_events_without_ties(results_pairs, table):
    # OS has no tied first events: the conditional likelihood of each pair is exp(b x_first) / (1 + exp(b))
    row = results_pairs.set_index("endpoint").loc["os"]
    assert row["tied"] == 0
    assert table.loc[("os", "psm_stratified"), "hr"] == pytest.approx(row["treated_first"] / row["control_first"])


@pytest.fixture(scope="module")
def results_pairs(data):
    from helpers.study.appraisal import pair_outcomes

    return pair_outcomes(match_study(data).cohort)


def test_intervals_are_labelled_and_standardised_methods_have_only_points(table):
    for (_, method), row in table.iterrows():
        assert row["absolute_ci"]
        assert np.isfinite(row["rmst_diff_12"]) and np.isfinite(row["surv_diff_6"])
        standardised = method in ("multivariable", "iptw_adjusted")
        assert np.isnan(row["rmst_diff_12_lower"]) == standardised
        if not standardised:
            assert row["rmst_diff_12_lower"] < row["rmst_diff_12"] < row["rmst_diff_12_upper"]
            assert row["rmst_ratio_12_lower"] < row["rmst_ratio_12"] < row["rmst_ratio_12_upper"]


def test_doubly_robust_gives_absolute_effects_and_no_hazard_ratio(data, table):
    row = table.loc[("pfs", "doubly_robust")]
    assert row[["hr", "ci_lower", "se", "p", "ph_p"]].isna().all()
    assert E.doubly_robust(data, "pfs").ok and not E.Estimate(note="not estimable: x").ok
    for q in E.ABSOLUTE_EFFECTS:
        assert row[f"{q}_lower"] < row[q] < row[f"{q}_upper"], q
    assert row["n"] == len(data) and "augmented IPW" in row["note"]
    # its bootstrap has the absolute effects and no log HR
    boot = E.bootstrap(E.prepare(data), replicates=3, seed=1, endpoints=("pfs",), names=("doubly_robust",))
    assert set(boot["quantity"]) == set(E.ABSOLUTE_EFFECTS)
    assert (boot["replicates"] == 3).all()


def test_bootstrap_is_reproducible_and_uses_the_seed(data):
    prepared = E.prepare(data)
    names = ("crude", "psm_stratified", "overlap")
    a = E.bootstrap(prepared, replicates=4, seed=3, endpoints=("os",), names=names)
    b = E.bootstrap(prepared, replicates=4, seed=3, endpoints=("os",), names=names)
    c = E.bootstrap(prepared, replicates=4, seed=4, endpoints=("os",), names=names)
    pd.testing.assert_frame_equal(a, b)
    assert not a["boot_se"].equals(c["boot_se"])
    assert set(a["quantity"]) == set(E.BOOTSTRAP_QUANTITIES)
    assert (a["replicates"] == 4).all() and (a["boot_lower"] <= a["boot_upper"]).all()
    none = E.bootstrap(prepared, replicates=0, seed=3, endpoints=("os",), names=names)
    assert none["boot_se"].isna().all() and (none["replicates"] == 0).all()
    with pytest.raises(StudyError, match=r"replicates: expected a whole number >= 0"):
        E.bootstrap(prepared, replicates=-1, seed=3)


def test_pair_resampling_draws_whole_pairs(data):
    pairs = match_study(data).cohort
    drawn = E._resample_pairs(pairs, np.random.default_rng(1))
    assert len(drawn) == len(pairs)
    per_pair = drawn.groupby("pair_id")[E.TREATMENT].agg(["size", "sum"])
    assert (per_pair["size"] == 2).all() and (per_pair["sum"] == 1).all()


# --- cohorts built to fail: each method says why in its own row ------------------------------------


def _notes(result: E.Estimates) -> pd.Series:
    return result.table.set_index(["endpoint", "method"])["note"]


def test_arms_without_overlap(data):
    psm = match_study(data)
    fake = pd.Series(np.where(data[E.TREATMENT] == 1, 0.9, 0.1), index=data.index)
    prepared = E.Prepared(data, given_model=dataclasses.replace(psm.model, scores=fake))
    result = E.estimate_all(prepared, endpoints=("pfs",))
    notes = _notes(result)
    for method in ("iptw_ate", "iptw_att", "overlap", "iptw_adjusted", "doubly_robust"):
        assert notes[("pfs", method)].startswith("not estimable:")
        assert "the arms do not overlap" in notes[("pfs", method)]
    for method in ("psm", "psm_robust", "psm_stratified"):
        assert "no treated patient has a control within the caliper" in notes[("pfs", method)]
    ok = result.table.set_index("method")["hr"]
    assert np.isfinite(ok[["crude", "multivariable"]]).all()
    assert ok.drop(["crude", "multivariable"]).isna().all()


def test_a_covariate_that_separates_the_arms_and_aliases_the_treatment(data):
    broken = data.assign(brain_met=data[E.TREATMENT])
    notes = _notes(E.estimate_all(broken, endpoints=("os",)))
    for method in ("psm", "iptw_ate", "overlap", "iptw_adjusted", "doubly_robust"):
        assert "propensity model: covariate 'brain_met' perfectly separates the groups" in notes[("os", method)]
    assert "covariate 'brain_met' is a linear combination of the covariates before it" in notes[("os", "multivariable")]
    assert not notes[("os", "crude")].startswith("not estimable")


def test_no_events_among_the_matched_pairs(data):
    pairs = match_study(data).cohort.assign(os_event=0)
    notes = _notes(E.estimate_all(E.Prepared(data, given_pairs=pairs), endpoints=("os",)))
    for method in ("psm", "psm_robust", "psm_stratified"):
        assert notes[("os", method)].startswith("not estimable: no events in 'os_event'")
    assert not notes[("os", "iptw_ate")].startswith("not estimable")


def test_follow_up_shorter_than_a_horizon_leaves_the_rest(data):
    short = data.copy()
    for endpoint in ("pfs", "os"):
        over = short[f"{endpoint}_months"] > 20
        short.loc[over, f"{endpoint}_event"] = 0
        short.loc[over, f"{endpoint}_months"] = 20.0
    est = E.multivariable(short, "os")
    assert est.ok and np.isfinite(est.rmst_diff_12) and np.isnan(est.rmst_diff_24)
    assert "RMST up to 24 months not estimable: taus: 24 lies beyond the last observed time (20)" in est.note
    est = E.psm_robust(short, "pfs")
    assert est.ok and np.isfinite(est.surv_diff_12_lower) and np.isnan(est.rmst_ratio_24)
    assert "RMST up to 24 months not estimable" in est.note
