"""E-values (helpers.stats.evalue) against hand-computed values of the closed-form formula."""

from __future__ import annotations

import math

import pytest

from helpers.stats.errors import StatsError
from helpers.stats.evalue import evalue, evalue_rr, hr_to_rr, outcome_is_rare


def test_evalue_of_a_risk_ratio_by_hand():
    # RR = 3.9: 3.9 + sqrt(3.9 * 2.9) = 3.9 + sqrt(11.31) = 3.9 + 3.36303 = 7.26303
    assert evalue_rr(3.9) == pytest.approx(7.26303, abs=1e-5)
    # RR = 2: 2 + sqrt(2) = 3.41421; RR = 0.5 is the same after inversion
    assert evalue_rr(2.0) == pytest.approx(3.41421, abs=1e-5)
    assert evalue_rr(0.5) == pytest.approx(3.41421, abs=1e-5)
    assert evalue_rr(1.0) == 1.0


def test_common_outcome_conversion_by_hand():
    # HR = 0.5: 0.5^sqrt(0.5) = 0.5^0.707107 = 0.612547, 0.5^sqrt(2) = 0.5^1.414214 = 0.375214
    # RR = (1 - 0.612547) / (1 - 0.375214) = 0.387453 / 0.624786 = 0.620136
    assert hr_to_rr(0.5, rare=False) == pytest.approx(0.620136, abs=1e-6)
    assert hr_to_rr(0.5, rare=True) == 0.5
    assert hr_to_rr(1.0, rare=False) == pytest.approx(1.0)
    # the conversion is symmetric on the log scale: RR(1/HR) = 1/RR(HR)
    assert hr_to_rr(2.0, rare=False) == pytest.approx(1 / 0.620136, abs=1e-5)


def test_evalue_of_a_hazard_ratio_and_its_interval_by_hand():
    res = evalue(0.5, 0.4, 0.8, measure="HR", rare=False)
    # estimate: 1/0.620136 = 1.612549; 1.612549 + sqrt(1.612549 * 0.612549) = 1.612549 + 0.993864 = 2.606413
    assert res.rr == pytest.approx(0.620136, abs=1e-6)
    assert res.evalue_estimate == pytest.approx(2.606413, abs=1e-5)
    # CI limit nearest 1 is the upper one, 0.8: 0.5^sqrt(0.8) = 0.5^0.894427 = 0.537961, 0.5^sqrt(1.25) =
    # 0.5^1.118034 = 0.460721; RR = 0.462039 / 0.539279 = 0.856773; 1/RR = 1.167171;
    # E = 1.167171 + sqrt(1.167171 * 0.167171) = 1.167171 + sqrt(0.195117) = 1.167171 + 0.441720 = 1.608891
    assert res.limit == "upper"
    assert res.rr_upper == pytest.approx(0.856773, abs=1e-5)
    assert res.evalue_ci == pytest.approx(1.608891, abs=1e-5)
    assert "common outcome" in res.conversion


def test_interval_that_contains_one_has_evalue_one():
    res = evalue(0.8, 0.6, 1.1, measure="HR", rare=True)
    assert (res.evalue_ci, res.limit) == (1.0, "includes 1")
    assert res.evalue_estimate == pytest.approx(1.25 + math.sqrt(1.25 * 0.25))
    assert math.isnan(evalue(2.0).evalue_ci)


def test_rare_outcome_rule():
    assert outcome_is_rare(14, 100) and not outcome_is_rare(15, 100)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: evalue_rr(0), r"rr: a ratio must be a finite number > 0"),
        (lambda: evalue_rr("a"), r"rr: expected a ratio"),
        (lambda: evalue(0.5, 0.6, 0.9), r"ci_lower, ci_upper: need ci_lower <= estimate <= ci_upper"),
        (lambda: evalue(0.5, 0.4), r"give both confidence limits or neither"),
        (lambda: evalue(0.5, 0.4, 0.8, measure="HR"), r"rare: a hazard ratio needs rare=True"),
        (lambda: evalue(0.5, measure="OR"), r"measure must be one of"),
        (lambda: hr_to_rr(0.5, rare="yes"), r"rare: expected True or False"),
        (lambda: outcome_is_rare(5, 3), r"need 0 <= events <= n"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(StatsError, match=message):
        call()
