"""Absolute contrasts (helpers.stats.absolute): survival differences, influences, two arms, standardisation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers.stats.absolute import compare_arms, km_influence, standardized_survival, survival_difference
from helpers.stats.cox import fit_cox
from helpers.stats.errors import StatsError
from helpers.stats.rmst import compare_rmst, rmst
from helpers.stats.survival import fit_km


def test_survival_difference_by_hand():
    a = fit_km([1, 2, 3, 4], [1, 0, 1, 0])  # S(2.5) = 3/4; Greenwood var = (3/4)^2 * 1/(4*3) = 0.046875
    b = fit_km([1, 2, 3, 4], [1, 1, 1, 0])  # S(2.5) = 1/2; var = (1/2)^2 * (1/12 + 1/6) = 0.0625
    out = survival_difference(a, b, [2.5]).iloc[0]
    assert out["estimate"] == pytest.approx(0.25)
    assert out["se"] == pytest.approx(math.sqrt(0.046875 + 0.0625))
    assert out["ci_lower"] == pytest.approx(0.25 - 1.959964 * math.sqrt(0.109375), abs=1e-6)


def test_survival_difference_refuses_times_past_follow_up():
    a = fit_km([1, 2, 3, 4], [1, 0, 1, 0])
    with pytest.raises(StatsError, match=r"times: 5 lies beyond the last observed time of curve"):
        survival_difference(a, a, [5])
    with pytest.raises(StatsError, match=r"reference: expected a fitted Kaplan–Meier curve"):
        survival_difference(a, None, [1])
    with pytest.raises(StatsError, match=r"times: -1 is not a finite time >= 0"):
        survival_difference(a, a, [-1])


# --- influence functions, two-arm contrasts, standardisation --------------------------------


def _sample(seed: int, n: int = 60):
    rng = np.random.default_rng(seed)
    t = np.round(rng.exponential(10, n), 1) + 0.1  # rounded: ties between events and censorings
    d = (rng.random(n) < 0.7).astype(int)
    arm = np.r_[np.ones(n // 2, int), np.zeros(n - n // 2, int)]
    return t, d, arm, rng.uniform(0.3, 3.0, n)


def test_km_influence_by_hand():
    # S(2.5) = 3/4; row 1 (event at 1): C(1) - 1/(4 - 1) = 1/12 - 1/3 = -1/4 -> 3/4 * -1/4 = -3/16;
    # rows 2-4 are still at risk after t = 1: C = 1/12 -> 3/4 * 1/12 = 1/16 each
    f = km_influence([1, 2, 3, 4], [1, 0, 1, 0], times=[2.5], taus=[2.5])
    assert f.survival[0] == pytest.approx(0.75)
    assert f.survival_influence[:, 0] == pytest.approx([-3 / 16, 1 / 16, 1 / 16, 1 / 16])
    # RMST(2.5) = 1 + 1.5 * 3/4; its influence is 1.5 times that on S (S is flat on [1, 2.5))
    assert f.rmst[0] == pytest.approx(2.125)
    assert f.rmst_influence[:, 0] == pytest.approx(1.5 * f.survival_influence[:, 0])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_km_influence_is_the_derivative_with_respect_to_each_weight(seed):
    t, d, _, w = _sample(seed)
    times, taus = [3.0, 8.0], [6.0, 15.0]
    base = km_influence(t, d, weights=w, times=times, taus=taus)
    eps = 1e-7
    for i in (0, 7, 31, 59):
        bumped = w.copy()
        bumped[i] += eps
        f = km_influence(t, d, weights=bumped, times=times, taus=taus)
        assert w[i] * (f.survival - base.survival) / eps == pytest.approx(base.survival_influence[i], abs=1e-6)
        assert w[i] * (f.rmst - base.rmst) / eps == pytest.approx(base.rmst_influence[i], abs=1e-5)


@pytest.mark.parametrize("seed", [4, 5])
def test_unweighted_jackknife_equals_greenwood(seed):
    t, d, _, _ = _sample(seed)
    f = km_influence(t, d, times=[2.0, 7.0], taus=[5.0, 12.0])
    km = fit_km(t, d)
    assert f.survival_se == pytest.approx([km.se_at(2.0), km.se_at(7.0)], rel=1e-10)
    assert f.rmst_se == pytest.approx([rmst(km, 5.0).se, rmst(km, 12.0).se], rel=1e-10)


def test_weighted_jackknife_se_of_s_is_fit_kms():
    t, d, _, w = _sample(6)
    km = fit_km(t, d, weights=w)  # non-integer weights: the robust variance, as R's survfit
    assert km.variance == "jackknife"
    assert km_influence(t, d, weights=w, times=[4.0]).survival_se[0] == pytest.approx(km.se_at(4.0), rel=1e-10)


def test_compare_arms_greenwood_agrees_with_compare_rmst_and_survival_difference():
    t, d, arm, _ = _sample(7)
    comp = compare_arms(t, d, arm, times=[5.0], taus=[10.0]).contrasts.set_index("measure")
    ref = compare_rmst(t, d, arm, 10.0, reference="0").contrasts.set_index("measure")
    for measure, key in (("rmst_difference", "difference"), ("rmst_ratio", "ratio")):
        for col in ("estimate", "se", "ci_lower", "ci_upper", "p_value"):
            assert comp.loc[measure, col] == pytest.approx(ref.loc[key, col], rel=1e-10)
    diff = survival_difference(fit_km(t[arm == 1], d[arm == 1]), fit_km(t[arm == 0], d[arm == 0]), [5.0]).iloc[0]
    for col in ("estimate", "se", "ci_lower", "ci_upper"):
        assert comp.loc["survival_difference", col] == pytest.approx(diff[col], rel=1e-10)


def test_clusters_of_one_change_nothing_and_pairs_can():
    t, d, arm, w = _sample(8)
    kw = {"times": [5.0], "taus": [10.0], "weights": w, "variance": "jackknife"}
    plain = compare_arms(t, d, arm, **kw).contrasts
    singles = compare_arms(t, d, arm, cluster=np.arange(t.size), **kw)
    assert singles.n_clusters == t.size
    assert singles.contrasts["se"].to_numpy() == pytest.approx(plain["se"].to_numpy(), rel=1e-12)
    # pair each treated row with a control row whose outcome is the same: the contrasts' influences
    # cancel within pairs, so the pair-clustered SE is 0 while the unclustered one is not
    tt = np.r_[t[:30], t[:30]]
    dd = np.r_[d[:30], d[:30]]
    aa = np.r_[np.ones(30, int), np.zeros(30, int)]
    paired = compare_arms(tt, dd, aa, cluster=np.r_[np.arange(30), np.arange(30)], variance="jackknife", taus=[10.0])
    assert paired.contrasts.set_index("measure").loc["rmst_difference", "se"] == pytest.approx(0.0, abs=1e-12)
    assert compare_arms(tt, dd, aa, variance="jackknife", taus=[10.0]).contrasts["se"].iloc[0] > 0


def test_compare_arms_refuses_what_it_cannot_do():
    t, d, arm, _ = _sample(9)
    with pytest.raises(StatsError, match=r"cluster: a clustered variance needs variance='jackknife'"):
        compare_arms(t, d, arm, taus=[5.0], cluster=np.arange(t.size))
    with pytest.raises(StatsError, match=r"taus: 8 lies beyond the last observed time of 'treated' \(4\)"):
        compare_arms([1, 2, 3, 4, 1, 2, 9], [1, 0, 1, 0, 1, 1, 0], [1, 1, 1, 1, 0, 0, 0], taus=[8.0])
    with pytest.raises(StatsError, match=r"treated: no control row with a positive weight"):
        compare_arms(t, d, arm, taus=[5.0], weights=arm.astype(float))


def _cox_frame(seed: int) -> pd.DataFrame:
    t, d, arm, _ = _sample(seed, 80)
    rng = np.random.default_rng(seed + 100)
    return pd.DataFrame({"time": t, "event": d, "treated": arm, "x": rng.integers(0, 2, t.size)})


def test_standardised_survival_by_hand():
    data = _cox_frame(10)
    cox = fit_cox(data, "time", "event", ["treated", "x"])
    b = cox.summary.set_index("covariate")["coef"]
    std = standardized_survival(cox, data, "time", "event", "treated", times=[6.0])
    # the Breslow baseline hazard at 6, computed directly
    lp = data[["treated", "x"]].to_numpy() @ b.to_numpy()
    h0 = sum(
        1.0 / np.exp(lp[data["time"] >= s]).sum() * ((data["time"] == s) & (data["event"] == 1)).sum()
        for s in np.unique(data.loc[(data["event"] == 1) & (data["time"] <= 6.0), "time"])
    )
    for arm, level in (("treated", 1), ("control", 0)):
        expected = np.mean(np.exp(-h0 * np.exp(b["treated"] * level + b["x"] * data["x"])))
        got = std.arms.set_index(["arm", "quantity"]).loc[(arm, "survival"), "estimate"]
        assert got == pytest.approx(expected, rel=1e-10)


def test_standardised_survival_refuses_models_it_cannot_use():
    data = _cox_frame(11)
    efron = fit_cox(data, "time", "event", ["treated"], ties="efron")
    with pytest.raises(StatsError, match=r"only Breslow ties"):
        standardized_survival(efron, data, "time", "event", "treated", taus=[5.0])
    strat = fit_cox(data, "time", "event", ["treated"], strata="x")
    with pytest.raises(StatsError, match=r"stratified Cox model"):
        standardized_survival(strat, data, "time", "event", "treated", taus=[5.0])
    plain = fit_cox(data, "time", "event", ["x"])
    with pytest.raises(StatsError, match=r"treatment_col: 'treated' is not a covariate"):
        standardized_survival(plain, data, "time", "event", "treated", taus=[5.0])
