"""Survival differences at fixed times (helpers.stats.absolute) by hand."""

from __future__ import annotations

import math

import pytest

from helpers.stats.absolute import survival_difference
from helpers.stats.errors import StatsError
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
