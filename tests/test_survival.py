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


def test_logrank_group_without_expected_events_adds_no_degree_of_freedom():
    # Group c is censored at t = 1, before the first event: it is never at risk at an event time.
    # By hand (groups a, b): t=2 n=3/3 d=1(a): E_a=1/2,  V=3*3/36      = 1/4
    #                        t=4 n=1/3 d=1(b): E_a=1/4,  V=1*3/16      = 3/16
    #                        t=5 n=1/2 d=1(b): E_a=1/3,  V=1*2/9       = 2/9
    #                        t=6 n=1/1 d=1(a): E_a=1/2,  V=1/4
    # O_a - E_a = 2 - 19/12 = 5/12; V = 131/144 -> chi2 = 25/131 = 0.19084 on 1 df
    # (R survdiff: Chisq = 0.190839694656488 on 1 df, p = 0.662218663990858).
    res = logrank([2, 3, 4, 5, 1, 1, 6, 7], [1, 0, 1, 1, 0, 0, 1, 0], list("aabbccab"))
    assert res.statistic == pytest.approx(25 / 131, rel=1e-12)
    assert res.df == 1
    assert res.p_value == pytest.approx(0.662218663990858, rel=1e-10)


def test_logrank_without_events_is_no_test():
    # R: Chisq = 0 on -1 degrees of freedom, p = NA. Not chi2 = 0, p = 1.
    res = logrank([1, 2, 3, 4], [0, 0, 0, 0], ["a", "a", "b", "b"])
    assert res.df == 0
    assert np.isnan(res.statistic) and np.isnan(res.p_value)


def test_loglog_lower_limit_when_the_median_is_not_reached():
    # S never reaches 0.5 (0.9, 0.8, 0.7), but the lower log-log limit of S does: R's survfit
    # (conf.type = "log-log") prints median NA, 0.95LCL 1, 0.95UCL NA.
    km = fit_km(range(1, 11), [1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
    res = median_survival(km, style="loglog")
    assert np.isnan(res.estimate)
    assert res.ci_lower == 1
    assert np.isnan(res.ci_upper)


def test_loglog_band_is_undefined_where_s_is_zero():
    # Reverse KM of follow-up: 'events' at 2, 4, 5 (at risk 4, 2, 1): S = 0.75, 0.375, 0.
    # R: median 4, 0.95LCL 2, 0.95UCL NA (the log-log band at S = 0 is NA, not [0, 0]).
    res = median_follow_up([1, 2, 3, 4, 5], [1, 0, 1, 0, 0], style="loglog")
    assert (res.estimate, res.ci_lower) == (4, 2)
    assert np.isnan(res.ci_upper)
    out = survival_at_times(fit_km([1, 2, 3, 4, 5], [0, 1, 0, 1, 1]), [5], ci="loglog")
    assert np.isnan(out["ci_lower"].iloc[0]) and np.isnan(out["ci_upper"].iloc[0])


def test_symmetric_interval_is_truncated_at_zero_and_flagged():
    # Four deaths at 1, 1, 2, 5: S = 0.5, 0.25, 0. Median 1 (first S <= 0.5).
    # No event time with S >= 0.55 -> u = 0, S(u) = 1; l = 2 (S = 0.25): f = 0.75 / 2 = 0.375.
    # SE[S(1)] = 0.5 * sqrt(2 / (4 * 2)) = 0.25 -> SE(median) = 0.25 / 0.375 = 2/3.
    # 1 - 1.96 * 2/3 = -0.307 < 0: truncated to 0.
    res = median_survival(fit_km([1, 1, 2, 5], [1, 1, 1, 1]))
    assert res.se == pytest.approx(2 / 3)
    assert res.ci_lower == 0.0 and res.truncated
    assert res.ci_upper == pytest.approx(1 + 1.959963984540054 * 2 / 3)
    assert not median_survival(fit_km(TIMES, EVENTS)).truncated
