"""Every public function of stats.survival and stats.contingency refuses bad input with a StatsError
that names the argument (or column), the rows and the rule; ``dropna=True`` drops and counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.stats.contingency import compare_groups, compare_proportions, mcnemar_test
from helpers.stats.errors import StatsError
from helpers.stats.matching import match_nearest
from helpers.stats.survival import (
    fit_km,
    logrank,
    median_follow_up,
    median_survival,
    n_at_risk,
    quantile_time,
    survival_at_times,
)

T = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
E = [1, 0, 1, 1, 0, 1]
G = ["a", "a", "a", "b", "b", "b"]


@pytest.mark.parametrize(
    ("durations", "events", "pattern"),
    [
        # today a NaN time sorts last and stays in every risk set
        ([1.0, np.nan, 3.0, 4.0, 5.0, 6.0], E, r"durations: row 2 is missing"),
        # today: "cannot convert float NaN to integer"
        (T, [1, 0, np.nan, 1, 0, 1], r"events: row 3 is missing"),
        # R's lung$status (1 censored, 2 dead): today every patient counts as an event
        (T, [2, 1, 2, 2, 1, 2], r"events: rows 1, 3, 4 and 6 are not coded 0/1.*status - 1"),
        ([1.0, -2.0, 3.0, 4.0, 5.0, 6.0], E, r"durations: row 2 is negative"),
        ([1.0, 2.0, np.inf, 4.0, 5.0, 6.0], E, r"durations: row 3 is infinite"),
        (T, E[:5], r"one value per observation \(6\); events has 5"),
    ],
)
def test_fit_km_rejects(durations, events, pattern):
    with pytest.raises(StatsError, match=pattern):
        fit_km(durations, events)


def test_fit_km_dropna_counts_the_dropped_rows():
    km = fit_km([1.0, np.nan, 3.0, 4.0], [1, 1, np.nan, 0], dropna=True)
    assert (km.n, km.n_dropped) == (2, 2)
    ref = fit_km([1.0, 4.0], [1, 0])
    pd.testing.assert_frame_equal(km.table, ref.table)
    with pytest.raises(StatsError, match=r"no observations.*2 dropped"):
        fit_km([np.nan, 1.0], [1, np.nan], dropna=True)


def test_fit_km_alpha_is_checked():
    with pytest.raises(StatsError, match=r"alpha: expected a number strictly between 0 and 1"):
        fit_km(T, E, alpha=5)


def test_functions_of_a_fit_check_their_arguments():
    km = fit_km(T, E)
    with pytest.raises(StatsError, match=r"km: expected a KMResult"):
        median_survival("not a fit")
    with pytest.raises(StatsError, match=r"style: must be one of"):
        median_survival(km, style="plain")
    with pytest.raises(StatsError, match=r"q: expected a number strictly between 0 and 1"):
        quantile_time(km, 1.5)
    with pytest.raises(StatsError, match=r"times: row 2 is negative"):
        survival_at_times(km, [1, -1])
    with pytest.raises(StatsError, match=r"times: row 1 is missing"):
        n_at_risk(km, [np.nan])
    with pytest.raises(StatsError, match=r"ci: must be one of"):
        survival_at_times(km, [1], ci="log")


def test_median_follow_up_checks_and_drops():
    with pytest.raises(StatsError, match=r"events: rows 1 and 2 are not coded 0/1"):
        median_follow_up([1, 2], [2, 2])
    res = median_follow_up([1.0, 2.0, np.nan, 4.0], [0, 1, 0, 0], dropna=True)
    assert res.estimate == median_follow_up([1.0, 2.0, 4.0], [0, 1, 0]).estimate


def test_logrank_refuses_a_missing_group_instead_of_a_group_called_nan():
    groups = ["a", "a", np.nan, "b", "b", "b"]
    with pytest.raises(StatsError, match=r"groups: row 3 is missing"):
        logrank(T, E, groups)
    res = logrank(T, E, groups, dropna=True)
    assert res.n == 5 and res.n_dropped == 1
    assert sorted(res.details["group"]) == ["a", "b"]
    with pytest.raises(StatsError, match=r"strata: row 1 is missing"):
        logrank(T, E, G, strata=[None, 1, 1, 1, 1, 1])
    with pytest.raises(StatsError, match=r"durations: row 1 is negative"):
        logrank([-1, 2, 3, 4, 5, 6], E, G)
    with pytest.raises(StatsError, match=r"groups: the log-rank test needs at least two groups \(found 'a'\)"):
        logrank(T, E, ["a"] * 6)


def test_contingency_table_messages_name_the_cells():
    with pytest.raises(StatsError, match=r"table: .*negative values in cell\(s\) \(row 1, column 2\)"):
        compare_proportions([[1, -2], [3, 4]])
    with pytest.raises(StatsError, match=r"table: .*missing or infinite values in cell\(s\) \(row 2, column 1\)"):
        compare_proportions([[1, 2], [np.nan, 4]])
    with pytest.raises(StatsError, match=r"expected_cutoff: expected a finite number > 0"):
        compare_proportions([[1, 2], [3, 4]], expected_cutoff=-1)
    with pytest.raises(StatsError, match=r"n_resamples: expected a whole number >= 1"):
        compare_proportions([[1, 2], [3, 4]], n_resamples=0)


def test_compare_groups_refuses_missing_values_unless_asked_to_drop_them():
    data = pd.DataFrame({"x": [1, 0, np.nan, 1, 0, 1, 0, 0], "group": ["a", "a", "a", "a", "b", "b", "b", None]})
    with pytest.raises(StatsError, match=r"column 'x': row 3 is missing"):
        compare_groups(data, "x")
    res = compare_groups(data, "x", dropna=True)
    assert (res.n, res.n_dropped) == (6, 2)
    with pytest.raises(StatsError, match=r"data: expected a pandas DataFrame"):
        compare_groups([[1, 2]], "x")


def test_mcnemar_names_the_pairs():
    with pytest.raises(StatsError, match=r"second: row 3 is not coded 0/1"):
        mcnemar_test([1, 0, 1], [1, 0, 2])
    with pytest.raises(StatsError, match=r"first: row 2 is missing"):
        mcnemar_test([1, np.nan, 1], [1, 0, 0])
    res = mcnemar_test([1, np.nan, 1, 0], [1, 0, 0, 1], dropna=True)
    assert (res.n, res.n_dropped) == (3, 1)


def test_matching_names_the_rows():
    with pytest.raises(StatsError, match=r"scores: row 2 not finite"):
        match_nearest([0.1, np.nan, 0.3], [1, 0, 0])
    with pytest.raises(StatsError, match=r"treated: row 3 is not coded 0/1"):
        match_nearest([0.1, 0.2, 0.3], [1, 0, 2])


def test_standardized_differences_name_column_and_rows():
    from helpers.stats.matching import standardized_differences

    data = pd.DataFrame({"t": [1, 0, 1, 0], "x": [1, np.nan, 0, 1], "w": [1.0, 1.0, -1.0, 1.0]})
    with pytest.raises(StatsError, match=r"column 'x': row 2 is missing"):
        standardized_differences(data, ["x"], "t")
    with pytest.raises(StatsError, match=r"column 'w': row 3 is negative"):
        standardized_differences(data.fillna(0), ["x"], "t", weights="w")
    with pytest.raises(StatsError, match=r"column 't': row 2 is not coded 0/1"):
        standardized_differences(data.fillna(0).assign(t=[1, 2, 1, 0]), ["x"], "t")
