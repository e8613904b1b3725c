"""The statistics layer's input checks: each rule, and messages that name argument, rows and rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.stats import validate
from helpers.stats.errors import StatsError


def test_rows_are_one_based_and_abbreviated():
    assert validate.rows_text(np.array([False, True])) == "row 2"
    assert validate.rows_text(np.array([True, False, True, True])) == "rows 1, 3 and 4"
    many = np.arange(20) % 2 == 0  # rows 1, 3, ..., 19
    assert validate.rows_text(many) == "rows 1, 3, 5, 7, 9 and 5 more (10 in all)"


@pytest.mark.parametrize(
    ("values", "pattern"),
    [
        ([1.0, np.nan, 3.0], r"durations: row 2 is missing"),
        ([1.0, -2.0, -3.0], r"durations: rows 2 and 3 are negative \(e\.g\. -2\)"),
        ([1.0, np.inf], r"durations: row 2 is infinite"),
        (["1", "x", "3"], r"durations: row 2 is not a number \(e\.g\. 'x'\)"),
    ],
)
def test_durations_rules(values, pattern):
    with pytest.raises(StatsError, match=pattern):
        validate.durations(values)


def test_events_refuse_r_lung_coding_with_a_hint():
    with pytest.raises(StatsError, match=r"events: rows 1 and 3 are not coded 0/1 .*status - 1"):
        validate.events([2, 1, 2])
    with pytest.raises(StatsError, match=r"events: row 2 is missing"):
        validate.events([1, None, 0])
    assert validate.events(pd.Series([True, False])).tolist() == [1, 0]


def test_weights_and_labels():
    with pytest.raises(StatsError, match=r"weights: row 1 is negative or infinite"):
        validate.weights([-1, 1])
    with pytest.raises(StatsError, match=r"weights: every weight is 0"):
        validate.weights([0, 0])
    with pytest.raises(StatsError, match=r"groups: row 2 is missing"):
        validate.labels(["a", np.nan, "b"], "groups")


def test_columns_and_drop_missing():
    data = pd.DataFrame({"t": [1.0, np.nan, 2.0], "x": [0, 1, None]})
    with pytest.raises(StatsError, match=r"data: no column\(s\) 'y'"):
        validate.columns(data, ["t", "y"])
    with pytest.raises(StatsError, match=r"column 'x': row 2 is missing"):  # 1-based position in what was passed
        validate.numeric_columns(data.iloc[[0, 2]], ["t", "x"])
    kept, dropped = validate.drop_missing(data, ["t", "x"])
    assert dropped == 2 and kept.index.tolist() == [0]
    assert data.shape == (3, 2)  # the caller's frame is untouched


def test_dropna_lets_missing_values_through_for_complete_rows():
    t = validate.durations([1.0, np.nan, 3.0], dropna=True)
    d = validate.events([1, 0, None], dropna=True)
    g = validate.labels(["a", "b", "c"], "groups", dropna=True)
    keep, dropped = validate.complete_rows(t, d, g, None)
    assert keep.tolist() == [True, False, False] and dropped == 2
    with pytest.raises(StatsError, match=r"durations: row 1 is negative"):  # other rules still apply
        validate.durations([-1.0, np.nan], dropna=True)


def test_binary_probability_positive_and_one_of():
    assert validate.binary([0, 1, True], "x").tolist() == [0, 1, 1]
    with pytest.raises(StatsError, match=r"x: row 2 is not coded 0/1 \(e\.g\. 2\)"):
        validate.binary([0, 2], "x")
    with pytest.raises(StatsError, match=r"alpha: expected a number strictly between 0 and 1"):
        validate.probability(1.0, "alpha")
    with pytest.raises(StatsError, match=r"tau: expected a finite number > 0"):
        validate.positive(np.nan, "tau")
    with pytest.raises(StatsError, match=r"style: must be one of 'a', 'b'; got 'c'"):
        validate.one_of("c", "style", ("a", "b"))
