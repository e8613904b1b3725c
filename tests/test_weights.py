"""Case weights in Kaplan–Meier and the log-rank test: by hand, and the identities they must keep."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.stats.errors import StatsError
from helpers.stats.survival import fit_km, logrank, median_survival

T = np.array([1, 2, 2, 3, 4, 5, 6, 6, 7, 9], dtype=float)
E = np.array([1, 0, 1, 1, 0, 1, 1, 1, 0, 1])
G = np.array(list("ababbaabab"))


def test_weighted_km_by_hand():
    # times 1, 2, 3 with events 1, 1, 0 and weights 2, 0.5, 1:
    # t=1: at risk 3.5, events 2   -> S = 1 - 2/3.5         = 0.428571...
    # t=2: at risk 1.5, events 0.5 -> S = 0.428571 * (1 - 1/3) = 0.285714...
    km = fit_km([1, 2, 3], [1, 1, 0], weights=[2, 0.5, 1])
    assert km.table["n_at_risk"].tolist() == [3.5, 1.5, 1.0]
    assert km.table["survival"].tolist() == pytest.approx([1 - 2 / 3.5, (1 - 2 / 3.5) * (2 / 3), (1 - 2 / 3.5) * 2 / 3])
    assert km.events == 2.5 and km.weighted and km.variance == "jackknife"  # R's default for non-integer weights


def test_unit_weights_reproduce_the_unweighted_fit_exactly():
    plain = fit_km(T, E)
    weighted = fit_km(T, E, weights=np.ones(T.size))
    pd.testing.assert_frame_equal(plain.table, weighted.table)
    assert weighted.variance == "greenwood"
    plain_lr, weighted_lr = logrank(T, E, G), logrank(T, E, G, weights=np.ones(T.size))
    assert weighted_lr.statistic == plain_lr.statistic and weighted_lr.p_value == plain_lr.p_value


def test_a_weight_of_two_is_a_duplicated_row():
    w = np.array([1, 2, 1, 1, 3, 1, 2, 1, 1, 1])
    rows = np.repeat(np.arange(T.size), w)
    pd.testing.assert_frame_equal(fit_km(T, E, weights=w).table, fit_km(T[rows], E[rows]).table)
    a, b = logrank(T, E, G, weights=w), logrank(T[rows], E[rows], G[rows])
    assert a.statistic == pytest.approx(b.statistic, rel=1e-12)
    assert a.df == b.df
    pd.testing.assert_frame_equal(a.details, b.details)


def test_zero_weights_are_left_out():
    w = np.array([1, 1, 0, 1, 1, 1, 0, 1, 1, 1])
    km = fit_km(T, E, weights=w)
    ref = fit_km(T[w > 0], E[w > 0])
    pd.testing.assert_frame_equal(km.table, ref.table)
    assert km.n == 8


def test_weighted_logrank_by_hand():
    # A: deaths at 1 (w 2) and 3 (w 1); B: deaths at 2 (w 1) and 4 (w 0.5).
    # t=1: n_A=3, n_B=1.5, n=4.5, d=2:  E_A = 2*3/4.5 = 4/3;  V = 2*(2.5)/(3.5) * (3/4.5)(1.5/4.5)
    # t=2: n_A=1, n_B=1.5, n=2.5, d=1:  E_A = 0.4;            V = 1*1.5/1.5 * 0.4*0.6
    # t=3: n_A=1, n_B=0.5, n=1.5, d=1:  E_A = 2/3;            V = 1*0.5/0.5 * (2/3)(1/3)
    # t=4: n_A=0, n_B=0.5:              E_A = 0,              V = 0 (n <= 1)
    v = 2 * 2.5 / 3.5 * (3 / 4.5) * (1.5 / 4.5) + 0.4 * 0.6 + (2 / 3) * (1 / 3)
    o_minus_e = 3 - (4 / 3 + 0.4 + 2 / 3)
    res = logrank([1, 3, 2, 4], [1, 1, 1, 1], ["A", "A", "B", "B"], weights=[2, 1, 1, 0.5])
    assert res.statistic == pytest.approx(o_minus_e**2 / v, rel=1e-12)
    assert res.df == 1


def test_weights_are_checked():
    with pytest.raises(StatsError, match=r"weights: row 2 is negative or infinite"):
        fit_km(T, E, weights=[1, -1, 1, 1, 1, 1, 1, 1, 1, 1])
    with pytest.raises(StatsError, match=r"weights: row 1 is missing"):
        logrank(T, E, G, weights=[np.nan] + [1] * 9)
    with pytest.raises(StatsError, match=r"inputs must have one value per observation \(10\); weights has 3"):
        fit_km(T, E, weights=[1, 1, 1])
    with pytest.raises(StatsError, match=r"variance: must be one of"):
        fit_km(T, E, variance="robust")
    km = fit_km(T, E, weights=[1, np.nan] + [1] * 8, dropna=True)
    assert km.n_dropped == 1 and km.n == 9


def test_median_of_a_weighted_fit():
    w = np.array([1, 2, 1, 1, 3, 1, 2, 1, 1, 1])
    rows = np.repeat(np.arange(T.size), w)
    a = median_survival(fit_km(T, E, weights=w), style="loglog")
    b = median_survival(fit_km(T[rows], E[rows]), style="loglog")
    assert (a.estimate, a.ci_lower) == (b.estimate, b.ci_lower)
