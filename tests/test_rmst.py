"""Restricted mean survival time: by hand, the contrasts between groups, and the guards."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from helpers.stats.errors import StatsError
from helpers.stats.rmst import compare_rmst, rmst
from helpers.stats.survival import fit_km

Z = stats.norm.ppf(0.975)


def test_rmst_by_hand():
    # Deaths at 1, 2, 4, censored at 3: S = 1 on [0,1), 0.75 on [1,2), 0.5 on [2,4).
    # RMST(3.5) = 1*1 + 0.75*1 + 0.5*1.5 = 2.5.
    # Variance: t=1 (n 4, d 1): area after = 0.75 + 0.75 = 1.5, weight 1/(4*3);
    #           t=2 (n 3, d 1): area after = 0.5 * 1.5 = 0.75, weight 1/(3*2)
    #           -> 1.5^2/12 + 0.75^2/6 = 0.28125 (R: print(survfit(...), rmean = 3.5))
    res = rmst(fit_km([1, 2, 3, 4], [1, 1, 0, 1]), 3.5)
    assert res.estimate == pytest.approx(2.5, rel=1e-12)
    assert res.se == pytest.approx(np.sqrt(0.28125), rel=1e-12)
    assert res.ci_lower == pytest.approx(2.5 - Z * np.sqrt(0.28125))
    assert set(res.to_frame().columns) >= {"group", "tau", "estimate", "se", "ci_lower", "ci_upper"}


def test_rmst_before_the_first_event_is_tau():
    res = rmst(fit_km([5, 6, 7], [1, 0, 1]), 2)
    assert (res.estimate, res.se) == (2.0, 0.0)


def test_rmst_beyond_follow_up_is_refused_unless_the_curve_reached_zero():
    with pytest.raises(StatsError, match=r"tau: 10 lies beyond the last observed time \(4\)"):
        rmst(fit_km([1, 2, 3, 4], [1, 1, 0, 0]), 10)
    ended = rmst(fit_km([1, 2], [1, 1]), 10)  # S = 0 from t = 2: the area is known
    assert ended.estimate == pytest.approx(1 + 0.5)
    with pytest.raises(StatsError, match=r"tau: expected a finite number > 0"):
        rmst(fit_km([1, 2], [1, 1]), -1)


def test_difference_and_ratio_by_hand():
    t = [1, 2, 3, 4, 2, 4, 6, 8]
    e = [1, 1, 0, 1, 1, 1, 0, 1]
    g = ["a"] * 4 + ["b"] * 4
    comp = compare_rmst(t, e, g, 3.5)
    a = rmst(fit_km(t[:4], e[:4]), 3.5)
    b = rmst(fit_km(t[4:], e[4:]), 3.5)
    rows = comp.contrasts.set_index("measure")
    diff = b.estimate - a.estimate
    se = np.hypot(a.se, b.se)
    assert rows.loc["difference", "estimate"] == pytest.approx(diff)
    assert rows.loc["difference", "ci_lower"] == pytest.approx(diff - Z * se)
    assert rows.loc["difference", "p_value"] == pytest.approx(2 * stats.norm.sf(abs(diff / se)))
    se_log = np.hypot(a.se / a.estimate, b.se / b.estimate)
    assert rows.loc["ratio", "estimate"] == pytest.approx(b.estimate / a.estimate)
    assert rows.loc["ratio", "ci_upper"] == pytest.approx(b.estimate / a.estimate * np.exp(Z * se_log))
    assert rows.loc["ratio", "se"] == pytest.approx(se_log)
    tidy = comp.to_frame()
    assert tidy["measure"].tolist() == ["rmst", "rmst", "difference", "ratio"]
    assert comp.reference == "a"


def test_compare_rmst_guards():
    with pytest.raises(StatsError, match=r"groups: row 2 is missing"):
        compare_rmst([1, 2, 3], [1, 1, 1], ["a", None, "b"], 2)
    with pytest.raises(StatsError, match=r"reference: 'c' is not one of the groups"):
        compare_rmst([1, 2, 3, 4], [1, 1, 1, 1], ["a", "a", "b", "b"], 1, reference="c")
    with pytest.raises(StatsError, match=r"at least two groups"):
        compare_rmst([1, 2], [1, 1], ["a", "a"], 1)
    res = compare_rmst([1, 2, np.nan, 3, 4], [1, 1, 1, 1, 1], ["a", "a", "a", "b", "b"], 1, dropna=True)
    assert res.n_dropped == 1


def test_weighted_rmst_equals_duplicated_rows():
    t = np.array([1, 2, 2, 3, 5, 6, 7, 8.0])
    e = np.array([1, 0, 1, 1, 0, 1, 1, 0])
    w = np.array([2, 1, 3, 1, 1, 2, 1, 1])
    rows = np.repeat(np.arange(t.size), w)
    a = rmst(fit_km(t, e, weights=w), 6.5)
    b = rmst(fit_km(t[rows], e[rows]), 6.5)
    assert a.estimate == pytest.approx(b.estimate, rel=1e-12)
    assert a.se == pytest.approx(b.se, rel=1e-12)
