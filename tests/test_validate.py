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
