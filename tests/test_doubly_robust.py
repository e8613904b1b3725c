"""The doubly robust (AIPW) estimator on pseudo-observations (helpers.stats.doubly_robust).

By hand (pseudo-values without censoring), against the Kaplan–Meier contrasts it must
reduce to, and on simulated confounded cohorts whose true effects are known: right
when either model is right, wrong when both are. The numbers on the study's cohort
are checked against R (pseudo(), lm) in tests/test_appraisal_r.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.stats.absolute import compare_arms, km_influence
from helpers.stats.doubly_robust import aipw_survival, pseudo_observations
from helpers.stats.errors import StatsError


def test_pseudo_values_without_censoring_are_the_outcomes():
    t = np.array([1.0, 2.0, 3.0, 5.0, 8.0, 13.0])
    p = pseudo_observations(t, np.ones(6), times=[4.0], taus=[6.0])
    assert p[:, 0] == pytest.approx((t > 4.0).astype(float))  # event-free at 4
    assert p[:, 1] == pytest.approx(np.minimum(t, 6.0))  # time lived within 6


def test_pseudo_values_average_to_the_kaplan_meier_estimate():
    rng = np.random.default_rng(3)
    t, d = rng.exponential(8, 50).round(1) + 0.1, (rng.random(50) < 0.6).astype(int)
    p = pseudo_observations(t, d, times=[5.0], taus=[10.0])
    f = km_influence(t, d, times=[5.0], taus=[10.0])
    assert p.mean(axis=0) == pytest.approx([f.survival[0], f.rmst[0]], rel=1e-12)


def _simulate(seed: int, n: int) -> pd.DataFrame:
    """A binary confounder x: treated more often (75% against 25%) and a worse prognosis when x = 1.

    Hazard 0.1 exp(x - 0.5 a), censoring uniform on (0, 30) and unrelated to x.
    """
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2, n)
    e = np.where(x == 1, 0.75, 0.25)
    a = (rng.random(n) < e).astype(int)
    event_time = rng.exponential(1.0 / (0.1 * np.exp(x - 0.5 * a)))
    censor = rng.uniform(0, 30, n)
    return pd.DataFrame(
        {
            "time": np.minimum(event_time, censor),
            "event": (event_time <= censor).astype(int),
            "a": a,
            "x": x,
            "e_true": e,
            "e_constant": a.mean(),
        }
    )


def _truth(t: float, tau: float) -> tuple[float, float]:
    """S_1(t) - S_0(t) and RMST_1(tau) - RMST_0(tau) over x ~ Bernoulli(1/2), exactly."""
    s, r = {}, {}
    for a in (1, 0):
        rates = 0.1 * np.exp(np.array([0.0, 1.0]) - 0.5 * a)
        s[a] = np.mean(np.exp(-rates * t))
        r[a] = np.mean((1 - np.exp(-rates * tau)) / rates)
    return s[1] - s[0], r[1] - r[0]


@pytest.mark.parametrize(
    ("covariates", "propensity", "consistent"),
    [
        (["x"], "e_true", True),  # both models right
        ([], "e_true", True),  # outcome model wrong (no covariate), propensity right
        (["x"], "e_constant", True),  # propensity wrong (no covariate), outcome model right
        ([], "e_constant", False),  # both wrong: the crude comparison, confounded
    ],
)
def test_right_if_either_model_is_right(covariates, propensity, consistent):
    data = _simulate(seed=11, n=6000)
    res = aipw_survival(data, "time", "event", "a", covariates, propensity, times=[6.0], taus=[12.0])
    c = res.contrasts.set_index("measure")
    true_s, true_r = _truth(6.0, 12.0)
    for measure, truth in (("survival_difference", true_s), ("rmst_difference", true_r)):
        z = abs(c.loc[measure, "estimate"] - truth) / c.loc[measure, "se"]
        if consistent:
            assert z < 3.5, (measure, c.loc[measure, "estimate"], truth)
        else:
            assert z > 5, (measure, c.loc[measure, "estimate"], truth)


def test_no_covariates_and_a_constant_propensity_give_kaplan_meier_and_greenwood():
    data = _simulate(seed=5, n=200)
    res = aipw_survival(data, "time", "event", "a", [], "e_constant", times=[3.0, 6.0], taus=[10.0])
    km = compare_arms(data["time"], data["event"], data["a"], times=[3.0, 6.0], taus=[10.0])
    for col in ("estimate", "se", "ci_lower", "ci_upper", "p_value"):
        assert res.contrasts[col].to_numpy() == pytest.approx(km.contrasts[col].to_numpy(), rel=1e-10)
    assert res.arms["estimate"].to_numpy() == pytest.approx(km.arms["estimate"].to_numpy(), rel=1e-10)
    assert list(res.contrasts["measure"]) == list(km.contrasts["measure"]) and res.variance == "aipw"


def test_aipw_by_hand_without_censoring():
    # no censoring: the pseudo-values are the outcomes; the outcome model on x is saturated
    data = pd.DataFrame(
        {
            "time": [1.0, 7.0, 9.0, 2.0, 8.0, 3.0, 4.0, 10.0, 5.0, 11.0],
            "event": [1] * 10,
            "a": [1, 1, 1, 1, 1, 0, 0, 0, 0, 0],
            "x": [0, 0, 1, 1, 1, 0, 0, 0, 1, 1],
            "e": [0.4, 0.4, 0.6, 0.6, 0.6, 0.4, 0.4, 0.4, 0.6, 0.6],
        }
    )
    y = (data["time"] > 6).astype(float).to_numpy()
    a, x, e = data["a"].to_numpy(), data["x"].to_numpy(), data["e"].to_numpy()
    m1 = np.where(x == 1, y[(a == 1) & (x == 1)].mean(), y[(a == 1) & (x == 0)].mean())
    m0 = np.where(x == 1, y[(a == 0) & (x == 1)].mean(), y[(a == 0) & (x == 0)].mean())
    term1 = m1 + a * (y - m1) / e
    term0 = m0 + (1 - a) * (y - m0) / (1 - e)
    phi = (term1 - term1.mean()) - (term0 - term0.mean())
    res = aipw_survival(data, "time", "event", "a", ["x"], "e", times=[6.0])
    row = res.contrasts.iloc[0]
    assert row["estimate"] == pytest.approx(term1.mean() - term0.mean(), rel=1e-12)
    assert row["se"] == pytest.approx(np.sqrt(np.sum(phi**2)) / len(y), rel=1e-12)


def test_bad_input_names_the_argument_rows_and_rule():
    data = _simulate(seed=2, n=40)
    bad = data.assign(e_true=np.r_[[0.0, 1.0], data["e_true"].to_numpy()[2:]])
    with pytest.raises(StatsError, match=r"propensity: rows 1 and 2 are not strictly between 0 and 1"):
        aipw_survival(bad, "time", "event", "a", ["x"], "e_true", taus=[5.0])
    with pytest.raises(StatsError, match=r"covariates: within the treated arm \(\d+ rows\) column 'x' is constant"):
        aipw_survival(data.assign(x=1 - data["a"]), "time", "event", "a", ["x"], "e_true", taus=[5.0])
    with pytest.raises(StatsError, match=r"no column\(s\) 'z'"):
        aipw_survival(data, "time", "event", "a", ["z"], "e_true", taus=[5.0])
    with pytest.raises(StatsError, match=r"taus: 99 lies beyond the last observed time of 'treated'"):
        aipw_survival(data, "time", "event", "a", ["x"], "e_true", taus=[99.0])
    with pytest.raises(StatsError, match=r"no control row"):
        aipw_survival(data.assign(a=1), "time", "event", "a", [], "e_true", taus=[5.0])
