"""Kaplan–Meier, medians, landmark rates, follow-up and log-rank: by hand and against R."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.stats.survival import fit_km, logrank, median_follow_up, median_survival, n_at_risk, survival_at_times

# Ten patients (months; 0 = censored): 1, 2+, 3, 3, 4+, 5, 6, 7+, 8, 9
TIMES = [1, 2, 3, 3, 4, 5, 6, 7, 8, 9]
EVENTS = [1, 0, 1, 1, 0, 1, 1, 0, 1, 1]


@pytest.fixture
def km10():
    return fit_km(TIMES, EVENTS)


def test_ten_patient_km_by_hand(km10):
    # at risk / deaths:  t=1: 10/1 -> 9/10 = 0.9
    #                    t=3:  8/2 -> 0.9 * 6/8 = 0.675
    #                    t=5:  5/1 -> 0.675 * 4/5 = 0.54
    #                    t=6:  4/1 -> 0.54 * 3/4 = 0.405
    #                    t=8:  2/1 -> 0.405 * 1/2 = 0.2025
    #                    t=9:  1/1 -> 0
    ev = km10.event_times.set_index("time")
    assert ev["survival"].to_dict() == pytest.approx({1: 0.9, 3: 0.675, 5: 0.54, 6: 0.405, 8: 0.2025, 9: 0.0})
    assert ev["n_at_risk"].to_dict() == {1: 10, 3: 8, 5: 5, 6: 4, 8: 2, 9: 1}
    # Greenwood at t=3: S^2 * (1/(10*9) + 2/(8*6)) = 0.675^2 * (0.011111 + 0.041667)
    assert km10.se_at(3) == pytest.approx(0.675 * np.sqrt(1 / 90 + 2 / 48))
    # censored times do not move the curve but are listed
    assert km10.survival_at(4) == pytest.approx(0.675)
    assert km10.median() == 6  # first time with S <= 0.5


def test_median_symmetric_ci_by_hand(km10):
    # Collett: u = last event time with S >= 0.55 -> t=3 (0.675); l = first with S <= 0.45 -> t=6 (0.405)
    # f = (0.675 - 0.405) / (6 - 3) = 0.09; SE(median) = SE[S(6)] / f
    se_s6 = 0.405 * np.sqrt(1 / 90 + 2 / 48 + 1 / 20 + 1 / 12)
    se = se_s6 / 0.09
    res = median_survival(km10, style="symmetric")
    assert res.estimate == 6
    assert res.se == pytest.approx(se)
    assert res.ci_lower == pytest.approx(6 - 1.959964 * se, rel=1e-6)
    assert res.ci_upper == pytest.approx(6 + 1.959964 * se, rel=1e-6)


def test_landmark_rates_and_at_risk(km10):
    out = survival_at_times(km10, [0.5, 3, 6.5])
    assert out["estimate"].tolist() == pytest.approx([1.0, 0.675, 0.405])
    assert out["n_at_risk"].tolist() == [10, 8, 3]
    assert n_at_risk(km10, [0, 8, 10]) == [10, 2, 0]
    beyond = survival_at_times(fit_km([1, 2], [0, 0]), [5])
    assert np.isnan(beyond["estimate"].iloc[0])  # last patient censored: unknown
    assert survival_at_times(km10, [12])["estimate"].iloc[0] == 0.0  # curve ended at 0


def test_median_not_reached():
    km = fit_km([1, 2, 3, 4], [1, 0, 0, 0])
    assert np.isnan(km.median())
    assert np.isnan(median_survival(km).ci_lower)


def test_reverse_km_follow_up_by_hand():
    # follow-up 'events' are the censored patients: 2, 4, 7 (deaths censor follow-up)
    # reverse KM: t=2: at risk 9 -> 8/9; t=4: 6 at risk -> 8/9*5/6 = 0.7407; t=7: 3 at risk -> 0.4938
    res = median_follow_up(TIMES, EVENTS)
    assert res.estimate == 7


def test_logrank_two_groups_by_hand():
    # group A: 1, 3 ; group B: 2, 4 (all events)
    # t=1: n=4 (A2,B2), d=1 (A): E_A = 0.5, V = 1*(2*2)*(3)/(16*3) = 0.25
    # t=2: n=3 (A1,B2), d=1 (B): E_A = 1/3, V = 1*(1*2)*(2)/(9*2) = 2/9
    # t=3: n=2 (A1,B1), d=1 (A): E_A = 0.5, V = 0.25
    # t=4: n=1 (B1),    d=1 (B): E_A = 0,   V = 0
    # O_A = 2, E_A = 4/3, V = 0.25 + 2/9 + 0.25 = 13/18 -> chi2 = (2/3)^2 / (13/18) = 8/13
    res = logrank([1, 3, 2, 4], [1, 1, 1, 1], ["A", "A", "B", "B"])
    assert res.statistic == pytest.approx(8 / 13)
    assert res.df == 1
    assert res.details.set_index("group").loc["A", "expected"] == pytest.approx(4 / 3)


def test_logrank_needs_two_groups():
    with pytest.raises(ValueError, match="two groups"):
        logrank([1, 2], [1, 1], ["A", "A"])


def test_km_rejects_mismatched_input():
    with pytest.raises(ValueError):
        fit_km([1, 2, 3], [1, 0])
    with pytest.raises(ValueError, match="no observations"):
        fit_km([], [])


def test_loglog_median_ci_contains_median(km10):
    res = median_survival(km10, style="loglog")
    assert res.ci_lower <= res.estimate
    with pytest.raises(ValueError, match="style"):
        median_survival(km10, style="plain")


def test_results_are_tidy_frames(km10):
    frame = km10.to_frame()
    assert list(frame.columns) == ["time", "n_at_risk", "n_events", "n_censored", "survival", "se", "label"]
    assert len(frame) == frame["time"].nunique()  # one row per distinct time
    assert set(median_survival(km10).to_frame().columns) >= {"estimate", "ci_lower", "ci_upper"}
