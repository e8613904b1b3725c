"""Propensity score weights, effective sample size, truncation and weighted balance (helpers.stats.weighting)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.stats.errors import StatsError
from helpers.stats.matching import fit_propensity, standardized_differences
from helpers.stats.weighting import (
    check_overlap,
    effective_sample_size,
    outside_bounds,
    propensity_weights,
    truncate_weights,
    weight_summary,
    weighted_standardized_differences,
)

# Four patients: two treated (scores 0.2 and 0.5), two controls (0.5 and 0.8); p = 2/4 treated.
E = np.array([0.2, 0.5, 0.5, 0.8])
T = np.array([1, 1, 0, 0])


def test_ate_weights_by_hand():
    # treated 1/e: 1/0.2 = 5, 1/0.5 = 2; controls 1/(1-e): 1/0.5 = 2, 1/0.2 = 5
    assert propensity_weights(E, T, "ATE") == pytest.approx([5.0, 2.0, 2.0, 5.0])
    # stabilised: treated times p = 0.5, controls times 1 - p = 0.5
    assert propensity_weights(E, T, "ATE", stabilize=True) == pytest.approx([2.5, 1.0, 1.0, 2.5])


def test_att_weights_by_hand():
    # treated 1; controls e/(1-e): 0.5/0.5 = 1, 0.8/0.2 = 4
    assert propensity_weights(E, T, "ATT") == pytest.approx([1.0, 1.0, 1.0, 4.0])
    # stabilised: controls times (1 - p)/p = 1 here; with 1 treated of 4, (3/4)/(1/4) = 3
    assert propensity_weights(E, T, "ATT", stabilize=True) == pytest.approx([1.0, 1.0, 1.0, 4.0])
    t = np.array([1, 0, 0, 0])
    assert propensity_weights(E, t, "ATT", stabilize=True) == pytest.approx([1.0, 3.0, 3.0, 12.0])
    # and ATE stabilised with p = 1/4: treated 0.25/0.2 = 1.25; controls 0.75/0.5 = 1.5, 0.75/0.5, 0.75/0.2 = 3.75
    assert propensity_weights(E, t, "ATE", stabilize=True) == pytest.approx([1.25, 1.5, 1.5, 3.75])


def test_overlap_weights_by_hand():
    # treated 1 - e: 0.8, 0.5; controls e: 0.5, 0.8
    assert propensity_weights(E, T, "ATO") == pytest.approx([0.8, 0.5, 0.5, 0.8])
    with pytest.raises(StatsError, match="stabilize: overlap"):
        propensity_weights(E, T, "ATO", stabilize=True)


def test_effective_sample_size_by_hand():
    # (1 + 1 + 2)^2 / (1 + 1 + 4) = 16 / 6
    assert effective_sample_size([1, 1, 2]) == pytest.approx(16 / 6)
    assert effective_sample_size(np.full(7, 3.2)) == pytest.approx(7.0)


def test_weighted_smd_by_hand():
    data = pd.DataFrame({"t": [1, 1, 0, 0], "x": [1, 0, 1, 0], "z": [1.0, 3.0, 2.0, 2.0]})
    w = [3.0, 1.0, 1.0, 1.0]
    out = weighted_standardized_differences(data, ["x", "z"], "t", w).set_index("covariate")
    # x: p1 = 3/4, p0 = 1/2; variances 3/16 and 1/4; SMD = 0.25 / sqrt((3/16 + 1/4) / 2)
    assert out.loc["x", "mean_treated"] == pytest.approx(0.75)
    assert out.loc["x", "smd"] == pytest.approx(0.25 / np.sqrt((3 / 16 + 1 / 4) / 2))
    # z: m1 = (3*1 + 3)/4 = 1.5, v1 = (3*0.25 + 2.25)/4 = 0.75; m0 = 2, v0 = 0 -> SMD = -0.5 / sqrt(0.375)
    assert out.loc["z", "smd"] == pytest.approx(-0.5 / np.sqrt(0.375))
    # unweighted variances in the denominator: v1 = 1 (z = 1, 3), v0 = 0
    un = weighted_standardized_differences(data, ["z"], "t", w, variance="unweighted").set_index("covariate")
    assert un.loc["z", "smd"] == pytest.approx(-0.5 / np.sqrt(0.5))


def test_weighted_smd_without_weights_equals_the_matching_formula(cohort):
    from helpers.study import cohort as C

    data = C.derive_categories(cohort)
    ours = weighted_standardized_differences(data, C.TABLE1_VARIABLES, C.TREATED)
    theirs = standardized_differences(data, C.TABLE1_VARIABLES, C.TREATED)
    assert np.allclose(ours["smd"], theirs["smd"], atol=1e-12)


def test_truncation_keeps_every_row_and_counts_what_it_moved():
    w = np.arange(1.0, 101.0)
    out = truncate_weights(w, quantiles=(0.01, 0.99))
    assert out.weights.size == 100
    assert out.lower == pytest.approx(np.quantile(w, 0.01)) and out.upper == pytest.approx(np.quantile(w, 0.99))
    assert (out.n_below, out.n_above, out.max_before) == (1, 1, 100.0)
    assert truncate_weights(w, quantiles=(0, 1)).n_truncated == 0


def test_weight_summary_and_bounds():
    summary = weight_summary([5.0, 2.0, 2.0, 5.0], T).set_index("arm")
    assert summary.loc["treated", "sum"] == 7.0 and summary.loc["control", "max"] == 5.0
    assert summary.loc["treated", "ess"] == pytest.approx(49 / 29)
    assert outside_bounds([0.01, 0.05, 0.5, 0.97]).tolist() == [True, False, False, True]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: propensity_weights([0.2, 1.0], [1, 0]), r"scores: row 2 is not strictly between 0 and 1"),
        (lambda: propensity_weights([0.2, np.nan], [1, 0]), r"scores: row 2 is missing"),
        (lambda: propensity_weights([0.2, 0.3], [1, 2]), r"treated: row 2 is not coded 0/1"),
        (lambda: propensity_weights([0.2, 0.3], [1, 1]), r"treated: every one of the 2 rows is 1"),
        (lambda: propensity_weights([0.2, 0.3], [1, 0], "ATX"), r"estimand must be one of"),
        (lambda: propensity_weights([0.2, 0.3, 0.4], [1, 0]), r"one value per observation \(3\); treated has 2"),
        (lambda: effective_sample_size([1.0, -1.0]), r"weights: row 2 is negative"),
        (lambda: truncate_weights([1.0, 2.0], quantiles=(0.9, 0.1)), r"quantiles: need 0 <= lower < upper"),
        (lambda: outside_bounds([0.5], bounds=(0.6, 0.4)), r"bounds: need"),
        (lambda: check_overlap([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), r"scores: the arms do not overlap"),
        (lambda: weight_summary([1.0, 2.0], [1, 0, 1]), r"one value per observation"),
    ],
)
def test_bad_input_names_the_argument_rows_and_rule(call, message):
    with pytest.raises(StatsError, match=message):
        call()


def test_bad_input_to_weighted_smd():
    data = pd.DataFrame({"t": [1, 0, 1, 0], "x": [1.0, None, 0.0, 1.0]})
    with pytest.raises(StatsError, match=r"column 'x': row 2 is missing"):
        weighted_standardized_differences(data, ["x"], "t")
    with pytest.raises(StatsError, match=r"no column\(s\) 'y'"):
        weighted_standardized_differences(data, ["y"], "t")
    with pytest.raises(StatsError, match=r"every control row has weight 0"):
        weighted_standardized_differences(data.fillna(0), ["x"], "t", [1.0, 0.0, 1.0, 0.0])
    with pytest.raises(StatsError, match=r"variance must be one of"):
        weighted_standardized_differences(data.fillna(0), ["x"], "t", variance="pooled")


def _simulated(seed: int, n: int, k: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, k))
    x[:, 0] = rng.integers(0, 2, n)  # one binary covariate
    eta = -0.3 + x @ rng.uniform(-1, 1, k)
    t = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(int)
    frame = pd.DataFrame(x, columns=[f"x{j}" for j in range(k)])
    frame["t"] = t
    return frame


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(60, 300), k=st.integers(1, 4))
def test_overlap_weights_balance_the_propensity_covariates_exactly(seed, n, k):
    """With a logistic propensity model, the overlap-weighted means of its covariates are equal in both arms.

    The model's score equations say sum (t - e) x = 0 for the intercept and each
    covariate, and t (1 - e) - (1 - t) e = t - e.
    """
    data = _simulated(seed, n, k)
    if data["t"].nunique() < 2 or data.groupby("t")["x0"].nunique().min() < 2:
        return  # one arm empty, or the binary covariate separates the arms: no model to fit
    covs = [f"x{j}" for j in range(k)]
    try:
        model = fit_propensity(data, "t", covs)
    except StatsError:
        return
    w = propensity_weights(model.scores, data["t"], "ATO")
    smd = weighted_standardized_differences(data, covs, "t", w)
    assert np.allclose(smd["mean_treated"], smd["mean_control"], atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.01, 100.0), min_size=1, max_size=50), st.floats(0.01, 100.0))
def test_ess_is_at_most_n_and_scale_free(w, c):
    ess = effective_sample_size(w)
    assert 1.0 - 1e-9 <= ess <= len(w) + 1e-9
    assert effective_sample_size(np.asarray(w) * c) == pytest.approx(ess)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), estimand=st.sampled_from(["ATE", "ATT"]))
def test_stabilising_leaves_weighted_balance_unchanged(seed, estimand):
    rng = np.random.default_rng(seed)
    e = rng.uniform(0.05, 0.95, 50)
    t = np.r_[1, 0, rng.integers(0, 2, 48)]
    data = pd.DataFrame({"t": t, "x": rng.normal(size=50)})
    plain = weighted_standardized_differences(data, ["x"], "t", propensity_weights(e, t, estimand))
    stable = weighted_standardized_differences(data, ["x"], "t", propensity_weights(e, t, estimand, stabilize=True))
    assert plain["smd"].iloc[0] == pytest.approx(stable["smd"].iloc[0])
