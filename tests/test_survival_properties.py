"""Properties of the survival statistics on generated data (Hypothesis), and lifelines as a third reference.

Each property holds for any data: invariance to row order and to the time unit, Kaplan–Meier
without censoring is the empirical survival function, a weight of 2 is a duplicated row, and
lifelines (an independent implementation) computes the same S(t), log-rank statistic and RMST.
Generated bad inputs are each refused with a StatsError naming the argument and the row.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lifelines import KaplanMeierFitter
from lifelines.statistics import multivariate_logrank_test
from lifelines.utils import restricted_mean_survival_time

from helpers.stats.errors import StatsError
from helpers.stats.rmst import rmst
from helpers.stats.survival import fit_km, logrank, median_survival, survival_at_times

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def cohorts(draw, min_size: int = 4, max_size: int = 40, groups: int = 2):
    n = draw(st.integers(min_size, max_size))
    times = draw(st.lists(st.integers(1, 30), min_size=n, max_size=n))  # integers: plenty of ties
    events = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    labels = draw(st.lists(st.sampled_from("abc"[:groups]), min_size=n, max_size=n))
    weights = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    frame = pd.DataFrame({"time": np.array(times, float), "event": events, "group": labels, "weight": weights})
    if frame["weight"].sum() == 0:
        frame.loc[0, "weight"] = 1
    return frame


def has_two_groups_with_events(frame: pd.DataFrame) -> bool:
    return frame["group"].nunique() >= 2 and frame["event"].sum() > 0


@FAST
@given(cohorts(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(frame, rnd):
    order = list(range(len(frame)))
    rnd.shuffle(order)
    shuffled = frame.iloc[order]
    pd.testing.assert_frame_equal(fit_km(frame.time, frame.event).table, fit_km(shuffled.time, shuffled.event).table)
    if has_two_groups_with_events(frame):
        a = logrank(frame.time, frame.event, frame.group)
        b = logrank(shuffled.time, shuffled.event, shuffled.group)
        assert a.df == b.df
        assert a.statistic == pytest.approx(b.statistic, rel=1e-9, nan_ok=True)
    tau = float(frame.time.max())
    assert rmst(fit_km(frame.time, frame.event), tau).estimate == pytest.approx(
        rmst(fit_km(shuffled.time, shuffled.event), tau).estimate, rel=1e-12
    )


@FAST
@given(cohorts(), st.sampled_from([1 / 30.4375, 7.0, 30.4375, 365.25]))
def test_changing_the_time_unit_scales_medians_and_rmst(frame, factor):
    km = fit_km(frame.time, frame.event)
    scaled = fit_km(frame.time * factor, frame.event)
    assert np.allclose(km.table["survival"], scaled.table["survival"], rtol=0, atol=1e-12)
    for style in ("symmetric", "loglog"):
        a, b = median_survival(km, style=style), median_survival(scaled, style=style)
        for x, y in ((a.estimate, b.estimate), (a.ci_lower, b.ci_lower), (a.ci_upper, b.ci_upper)):
            assert y == pytest.approx(x * factor, rel=1e-9, nan_ok=True)
    tau = float(frame.time.max())
    r, rs = rmst(km, tau), rmst(scaled, tau * factor)
    assert rs.estimate == pytest.approx(r.estimate * factor, rel=1e-9)
    assert rs.se == pytest.approx(r.se * factor, rel=1e-9, abs=1e-12)


@FAST
@given(st.lists(st.floats(0.1, 100, allow_nan=False), min_size=1, max_size=40))
def test_without_censoring_km_is_the_empirical_survival_function(times):
    t = np.array(times)
    km = fit_km(t, np.ones(t.size, dtype=int))
    for time, s in zip(km.table["time"], km.table["survival"], strict=True):
        assert s == pytest.approx(np.mean(t > time), abs=1e-12)


@FAST
@given(cohorts(groups=3))
def test_a_weight_of_two_is_a_duplicated_row(frame):
    rows = np.repeat(np.arange(len(frame)), frame["weight"].to_numpy())
    dup = frame.iloc[rows]
    weighted = fit_km(frame.time, frame.event, weights=frame.weight)
    plain = fit_km(dup.time, dup.event)
    pd.testing.assert_frame_equal(weighted.table, plain.table)
    tau = float(dup.time.max())
    a, b = rmst(weighted, tau), rmst(plain, tau)
    assert (a.estimate, a.se) == pytest.approx((b.estimate, b.se), rel=1e-12, abs=1e-12)
    if has_two_groups_with_events(dup):
        lw = logrank(frame.time, frame.event, frame.group, weights=frame.weight)
        ld = logrank(dup.time, dup.event, dup.group)
        assert lw.df == ld.df
        assert lw.statistic == pytest.approx(ld.statistic, rel=1e-9, nan_ok=True)


def lifelines_km(frame) -> KaplanMeierFitter:
    return KaplanMeierFitter().fit(frame.time, frame.event)


@FAST
@given(cohorts())
def test_agrees_with_lifelines_on_survival_and_its_loglog_band(frame):
    km = fit_km(frame.time, frame.event)
    kmf = lifelines_km(frame)
    times = km.event_times["time"].to_numpy()
    if times.size == 0:
        return
    theirs = kmf.survival_function_at_times(times).to_numpy()
    assert np.allclose(km.event_times["survival"], theirs, rtol=0, atol=1e-12)
    ours = survival_at_times(km, times, ci="loglog")
    band = kmf.confidence_interval_.loc[times]
    defined = (ours["estimate"] > 0).to_numpy() & (ours["estimate"] < 1).to_numpy()
    assert np.allclose(ours["ci_lower"][defined], band.iloc[:, 0].to_numpy()[defined], rtol=0, atol=1e-9)
    assert np.allclose(ours["ci_upper"][defined], band.iloc[:, 1].to_numpy()[defined], rtol=0, atol=1e-9)


@FAST
@given(cohorts(groups=3))
def test_agrees_with_lifelines_on_the_logrank_test(frame):
    if not has_two_groups_with_events(frame):
        return
    ours = logrank(frame.time, frame.event, frame.group)
    if ours.df < frame["group"].nunique() - 1:  # lifelines has no rank rule: it would count the empty group
        return
    theirs = multivariate_logrank_test(frame.time, frame.group, frame.event)
    assert ours.statistic == pytest.approx(theirs.test_statistic, rel=1e-9)
    assert ours.p_value == pytest.approx(theirs.p_value, rel=1e-9, abs=1e-15)


@FAST
@given(cohorts(), st.floats(0.5, 1.0))
def test_agrees_with_lifelines_on_rmst(frame, share):
    tau = float(frame.time.max()) * share
    ours = rmst(fit_km(frame.time, frame.event), tau)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifelines integrates the step function numerically
        theirs = restricted_mean_survival_time(lifelines_km(frame), t=tau)
    assert ours.estimate == pytest.approx(float(theirs), rel=1e-6)


BAD_TIMES = [np.nan, -1.0, np.inf]


@FAST
@given(st.integers(4, 20), st.data())
def test_bad_inputs_are_refused_naming_argument_and_row(n, data):
    t = np.arange(1.0, n + 1)
    e = np.ones(n, dtype=float)
    g = np.array(["a", "b"] * (n // 2) + ["a"] * (n % 2), dtype=object)
    where = data.draw(st.integers(0, n - 1))
    target = data.draw(st.sampled_from(["durations", "events", "groups", "weights"]))
    if target == "durations":
        t[where] = data.draw(st.sampled_from(BAD_TIMES))
    elif target == "events":
        e[where] = data.draw(st.sampled_from([np.nan, 2.0, -1.0, 0.5]))
    elif target == "groups":
        g[where] = None
    w = np.ones(n)
    if target == "weights":
        w[where] = data.draw(st.sampled_from([np.nan, -0.5, np.inf]))
    with pytest.raises(StatsError, match=rf"^{target}: row {where + 1} "):
        logrank(t, e, g, weights=w)
    if target != "groups":
        with pytest.raises(StatsError, match=rf"^{target}: row {where + 1} "):
            fit_km(t, e, weights=w)
