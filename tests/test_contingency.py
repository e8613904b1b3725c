"""Categorical comparisons: hand-worked examples and every categorical p-value the paper prints.

Expected values come from arithmetic written out in the comments or from the
paper's printed numbers (data/published/published_results.yaml), never from
the function under test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers.paper.published import published
from helpers.stats.contingency import compare_groups, compare_proportions

# --- hand-worked 2x2 examples --------------------------------------------------

# Table [[12, 5], [8, 15]]: row totals 17 and 23, column totals 20 and 20, N = 40.
# Expected counts: 17 * 20 / 40 = 8.5 (both cells of row 1), 23 * 20 / 40 = 11.5 (row 2).
# Every |O - E| is 3.5, so
#   chi2 = 2 * 3.5^2 / 8.5 + 2 * 3.5^2 / 11.5 = 2 * 1.4411765 + 2 * 1.0652174 = 5.0127877
# on 1 df. For 1 df, P(X > x) = erfc(sqrt(x / 2)).
# Yates: each |O - E| shrinks to 3.0, so chi2 = 2 * 9 / 8.5 + 2 * 9 / 11.5 = 2.1176471 + 1.5652174 = 3.6828645.
HAND_TABLE = [[12, 5], [8, 15]]
HAND_PEARSON = 2 * 3.5**2 / 8.5 + 2 * 3.5**2 / 11.5
HAND_YATES = 2 * 3.0**2 / 8.5 + 2 * 3.0**2 / 11.5


def _p_1df(x: float) -> float:
    return math.erfc(math.sqrt(x / 2))


def test_pearson_2x2_by_hand():
    assert HAND_PEARSON == pytest.approx(5.0127877, abs=1e-6)
    res = compare_proportions(HAND_TABLE)  # smallest expected count 8.5 >= 5, so "auto" picks Pearson
    assert res.test == "pearson"
    assert res.p_method == "asymptotic"
    assert res.df == 1
    assert res.n == 40
    assert res.min_expected == pytest.approx(8.5)
    assert res.statistic == pytest.approx(HAND_PEARSON, rel=1e-12)
    assert res.p_value == pytest.approx(_p_1df(HAND_PEARSON), rel=1e-9)
    assert res.p_value == pytest.approx(0.02516, abs=5e-5)


def test_yates_2x2_by_hand():
    assert HAND_YATES == pytest.approx(3.6828645, abs=1e-6)
    res = compare_proportions(HAND_TABLE, method="yates")
    assert res.test == "yates"
    assert res.statistic == pytest.approx(HAND_YATES, rel=1e-12)
    assert res.p_value == pytest.approx(_p_1df(HAND_YATES), rel=1e-9)


def test_fisher_2x2_by_hand():
    # Table [[3, 1], [1, 3]]: every margin is 4, N = 8. Every expected count is 4 * 4 / 8 = 2 < 5, so "auto"
    # picks Fisher. With the margins fixed, the top-left cell x is hypergeometric:
    #   P(x) = C(4, x) * C(4, 4 - x) / C(8, 4) = C(4, x)^2 / 70
    #   x = 0: 1/70   x = 1: 16/70   x = 2: 36/70   x = 3: 16/70 (observed)   x = 4: 1/70
    # Two-sided p = sum of P(x) over tables no more likely than the observed one (x = 0, 1, 3, 4):
    #   (1 + 16 + 16 + 1) / 70 = 34/70 = 0.4857143
    res = compare_proportions([[3, 1], [1, 3]])
    assert res.test == "fisher"
    assert res.p_method == "exact"
    assert res.min_expected == pytest.approx(2.0)
    assert res.p_value == pytest.approx(34 / 70, rel=1e-12)
    assert math.isnan(res.statistic)
    assert res.df is None


def test_fisher_one_event_by_hand():
    # One event among 200 + 296 patients, in the first group (Table 3, G3 rash): [[1, 0], [199, 296]].
    # x = events in group 1 is 0 or 1; P(x = 1) = 200/496 = 0.4032258, P(x = 0) = 296/496 = 0.5967742.
    # Only x = 1 is no more likely than the observed table, so p = 200/496.
    res = compare_proportions([[1, 0], [199, 296]])
    assert res.test == "fisher"
    assert res.p_value == pytest.approx(200 / 496, rel=1e-12)


def test_forcing_pearson_on_a_sparse_table():
    # [[3, 1], [1, 3]]: every E = 2 and every |O - E| = 1, so chi2 = 4 * 1 / 2 = 2.
    res = compare_proportions([[3, 1], [1, 3]], method="pearson")
    assert res.test == "pearson"
    assert res.statistic == pytest.approx(2.0)
    assert res.p_value == pytest.approx(_p_1df(2.0), rel=1e-9)


def test_larger_table_pearson_and_fisher_by_hand():
    # Table [[2, 0, 0], [0, 2, 2]]: row totals 2 and 4, column totals 2, 2, 2, N = 6.
    # Expected: row 1 = 2 * 2 / 6 = 2/3 per cell, row 2 = 4 * 2 / 6 = 4/3 per cell.
    # Pearson: (2 - 2/3)^2/(2/3) + 2 * (2/3)^2/(2/3) + (4/3)^2/(4/3) + 2 * (2/3)^2/(4/3)
    #        = 8/3 + 4/3 + 4/3 + 2/3 = 6 on (2 - 1)(3 - 1) = 2 df; for 2 df P(X > x) = exp(-x / 2) = exp(-3).
    table = [[2, 0, 0], [0, 2, 2]]
    pearson = compare_proportions(table, method="pearson")
    assert pearson.df == 2
    assert pearson.statistic == pytest.approx(6.0)
    assert pearson.p_value == pytest.approx(math.exp(-3), rel=1e-9)
    # Fisher (Freeman–Halton): a table with these margins is fixed by its first row (a, b, c), a + b + c = 2,
    # with probability 2! 4! 2! 2! 2! / (6! * product of cell factorials) = 384 / (720 * product):
    #   (2,0,0), (0,2,0), (0,0,2): product = 2 * 2 = 4 -> 384 / 2880 = 1/15 each
    #   (1,1,0), (1,0,1), (0,1,1): product = 2       -> 384 / 1440 = 4/15 each   (3/15 + 12/15 = 1)
    # The observed table has probability 1/15; the three tables that likely give p = 3/15 = 0.2.
    # The r x c test enumerates the tables: the p-value is exact (it was a seeded Monte Carlo estimate).
    res = compare_proportions(table)
    assert res.test == "fisher"
    assert res.p_method == "exact"
    assert res.p_value == pytest.approx(0.2, rel=1e-12)
    assert res.p_se is None


def test_yates_refuses_a_larger_table():
    with pytest.raises(ValueError, match="2x2 tables only"):
        compare_proportions([[5, 6, 7], [8, 9, 10]], method="yates")


def test_to_frame_columns():
    frame = compare_proportions(HAND_TABLE).to_frame()
    assert list(frame.columns) == ["test", "statistic", "df", "p_value", "p_method", "n", "min_expected"]
    assert len(frame) == 1
    assert frame.loc[0, "n"] == 40
    assert frame.loc[0, "df"] == 1
    fisher = compare_proportions([[3, 1], [1, 3]]).to_frame()
    both = pd.concat([frame, fisher], ignore_index=True)
    assert str(both["df"].dtype) == "Int64"
    assert both["df"].isna().tolist() == [False, True]


def test_dataframe_input_keeps_labels():
    table = pd.DataFrame(HAND_TABLE, index=["yes", "no"], columns=["2L-ICIs", "2L-non-ICIs"])
    res = compare_proportions(table)
    assert res.test == "pearson" and res.p_method == "asymptotic" and res.df == 1
    assert list(res.table.index) == ["yes", "no"]
    assert list(res.table.columns) == ["2L-ICIs", "2L-non-ICIs"]
    assert res.statistic == pytest.approx(HAND_PEARSON, rel=1e-12)


# --- degenerate and invalid tables ---------------------------------------------


def test_empty_row_is_dropped():
    # Best response with CR = 0 in both groups (Table 2, before PSM): CR, PR, SD, PD by group.
    table = pd.DataFrame({"icis": [0, 59, 75, 66], "non_icis": [0, 30, 123, 143]}, index=["CR", "PR", "SD", "PD"])
    res = compare_proportions(table)
    assert list(res.table.index) == ["PR", "SD", "PD"]
    assert res.df == 2  # (3 - 1)(2 - 1): the empty CR row is not counted
    assert res.n == 496


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ([[0, 0], [5, 7]], "only 1 row"),  # a level nobody has: one level left
        ([[5, 7]], "only 1 row"),  # a variable with a single level
        ([[3, 0], [4, 0]], "only 1 column"),  # an empty group
        ([[0, 0], [0, 0]], "only 0 row"),  # nothing at all
    ],
)
def test_degenerate_table_raises(table, message):
    with pytest.raises(ValueError, match=message) as info:
        compare_proportions(table)
    assert "at least 2 levels and 2 groups" in str(info.value)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ([1, 2, 3], "2-D table"),
        ([[1, -2], [3, 4]], "negative"),
        ([[1.5, 2], [3, 4]], "non-integer"),
        ([[np.nan, 2], [3, 4]], "missing"),
    ],
)
def test_invalid_table_raises(table, message):
    with pytest.raises(ValueError, match=message):
        compare_proportions(table)


def test_unknown_method_raises():
    with pytest.raises(ValueError, match="method must be one of"):
        compare_proportions(HAND_TABLE, method="mid-p")


def test_compare_groups_single_level_names_the_variable():
    data = pd.DataFrame({"cr": [0] * 6, "group": ["a", "a", "a", "b", "b", "b"]})
    with pytest.raises(ValueError, match=r"'cr' by 'group'.*only 1 row"):
        compare_groups(data, "cr")


def test_compare_groups_missing_column():
    with pytest.raises(ValueError, match="columns not in the data: nope"):
        compare_groups(pd.DataFrame({"group": ["a", "b"]}), "nope")


# --- the paper's printed p-values ----------------------------------------------


def _table1_counts(characteristic: str, phase: str) -> list[list[int]]:
    levels = published(f"table1.characteristics.{characteristic}.levels")
    return [[lv[phase]["icis"]["n"], lv[phase]["non_icis"]["n"]] for lv in levels.values()]


def _table2_counts(phase: str, endpoint: str) -> list[list[int]]:
    # ORR: CR + PR against the rest; DCR: CR + PR + SD against PD. Columns are the two groups.
    responders = {"orr": ("cr", "pr"), "dcr": ("cr", "pr", "sd")}[endpoint]
    columns = []
    for group in ("icis", "non_icis"):
        node = published(f"table2_response.{phase}.{group}")
        hit = sum(node[c]["n"] for c in responders)
        columns.append((hit, node["n_total"] - hit))
    return [[columns[0][0], columns[1][0]], [columns[0][1], columns[1][1]]]


def _table3_counts(row: str) -> list[list[int]]:
    n = published("table3_safety.n")
    node = published(f"table3_safety.rows.{row}")
    a, b = node["icis"]["n"], node["non_icis"]["n"]
    return [[a, b], [n["icis"] - a, n["non_icis"] - b]]


def _printed_cases():
    cases = []
    for characteristic in published("table1.characteristics"):
        for phase in ("before_psm", "after_psm"):
            key = f"table1.characteristics.{characteristic}.p_{phase}"
            cases.append(pytest.param(key, _table1_counts(characteristic, phase), id=key))
    for phase in ("before_psm", "after_psm"):
        for endpoint in ("orr", "dcr"):
            key = f"table2_response.{phase}.p_{endpoint}"
            cases.append(pytest.param(key, _table2_counts(phase, endpoint), id=key))
    for row in published("table3_safety.rows"):
        key = f"table3_safety.rows.{row}.p"
        cases.append(pytest.param(key, _table3_counts(row), id=key))
    return cases


PRINTED_CASES = _printed_cases()


def _matches_printed(p: float, printed) -> bool:
    """Does p, printed to 3 decimals the paper's way, give the printed value?"""
    if isinstance(printed, str):
        assert printed == "<0.001", f"unexpected printed p-value {printed!r}"
        return p < 0.001
    return abs(round(p, 3) - float(printed)) < 0.0005 + 1e-9


def test_every_printed_categorical_p_value_is_covered():
    # 11 characteristics x before/after PSM (Table 1), ORR/DCR x before/after (Table 2), 12 event rows (Table 3)
    keys = [case.values[0] for case in PRINTED_CASES]
    assert sum(k.startswith("table1.") for k in keys) == 22
    assert sum(k.startswith("table2_response.") for k in keys) == 4
    assert sum(k.startswith("table3_safety.") for k in keys) == 12
    assert len(set(keys)) == len(keys) == 38


@pytest.mark.parametrize(("key", "counts"), PRINTED_CASES)
def test_printed_p_value_reproduces(key, counts):
    printed = published(key)
    res = compare_proportions(counts)
    assert _matches_printed(res.p_value, printed), (
        f"{key}: {res.test} on {counts} gives p = {res.p_value:.5f}, the paper prints {printed}"
    )


@pytest.mark.parametrize(
    ("row", "expected_test"),
    [
        ("hepatic_toxicities", "pearson"),
        ("hypothyroidism", "pearson"),  # 14 vs 0, but the smallest expected count is 14 * 200 / 496 = 5.65
        ("g3_rash", "fisher"),
        ("pneumonitis", "fisher"),  # smallest expected 4 * 200 / 496 = 1.61
        ("diarrhea", "fisher"),
        ("adrenal_insufficiency", "fisher"),
    ],
)
def test_auto_rule_picks_the_papers_test(row, expected_test):
    assert compare_proportions(_table3_counts(row)).test == expected_test


def test_compare_groups_from_patient_rows():
    # Rebuild patient rows for gender before PSM (163/37 in 2L-ICIs, 232/64 in 2L-non-ICIs); printed p = 0.397.
    data = pd.DataFrame(
        {
            "male": [1] * 163 + [0] * 37 + [1] * 232 + [0] * 64,
            "group": ["2L-ICIs"] * 200 + ["2L-non-ICIs"] * 296,
        }
    )
    res = compare_groups(data, "male")
    assert res.n == 496
    assert res.test == "pearson"
    assert _matches_printed(res.p_value, published("table1.characteristics.gender.p_before_psm"))


@pytest.mark.parametrize("method", ["yates", "fisher"])
def test_other_conventions_do_not_reproduce_table1(method):
    # The convention matters: gender before PSM is printed as 0.397 (uncorrected Pearson); the corrected
    # chi-square and Fisher's test give clearly different values for the same counts.
    counts = _table1_counts("gender", "before_psm")
    assert not _matches_printed(compare_proportions(counts, method=method).p_value, 0.397)
    table1 = [case for case in PRINTED_CASES if case.values[0].startswith("table1.")]
    misses = [
        case.values[0]
        for case in table1
        if not _matches_printed(compare_proportions(case.values[1], method=method).p_value, published(case.values[0]))
    ]
    assert len(misses) >= 10, f"{method} reproduces too many Table 1 p-values: only {misses} differ"


# --- Fisher–Freeman–Halton on r x c tables: exact, not Monte Carlo ---------------------

# R 4.2.2: fisher.test(matrix(..., byrow = TRUE), workspace = 2e8)$p.value
FISHER_RXC_R = [
    ([[3, 1, 4], [2, 5, 1]], 0.145299145299145),
    ([[10, 12, 8, 3], [20, 25, 30, 12]], 0.5517404160536),
    ([[40, 50, 60, 45], [55, 70, 80, 100]], 0.134261524911047),
    ([[5, 3, 2], [1, 4, 6], [3, 3, 3]], 0.333634444982797),
    ([[20, 30, 25], [30, 20, 25], [10, 15, 30]], 0.0165267048013649),
    ([[1, 2, 0, 3, 1], [4, 0, 2, 1, 3], [2, 2, 2, 0, 1]], 0.270345197088057),
]


@pytest.mark.parametrize(("table", "r_p"), FISHER_RXC_R)
def test_fisher_rxc_is_exact_and_equals_r(table, r_p):
    # Today's Monte Carlo estimate misses these by up to a few 1e-3; the exact sum agrees with R to 1e-9.
    res = compare_proportions(table, method="fisher")
    assert res.p_method == "exact"
    assert res.p_value == pytest.approx(r_p, rel=1e-9)
    transposed = compare_proportions(np.asarray(table).T.tolist(), method="fisher")
    assert transposed.p_value == pytest.approx(res.p_value, rel=1e-12)


def test_fisher_rxc_ties_within_r_tolerance_count():
    # [[1, 1], [1, 1], [1, 1]]-like symmetric tables have many tables exactly as probable as the observed
    # one; all of them count. Margins (2, 2, 2) x (3, 3): by hand every table has cells 0..2 per row;
    # the observed (1,1),(1,1),(1,1) is the most probable table, so p = 1.
    res = compare_proportions([[1, 1], [1, 1], [1, 1]], method="fisher")
    assert res.p_value == pytest.approx(1.0, rel=1e-12)


def test_fisher_falls_back_to_monte_carlo_with_a_small_standard_error(monkeypatch):
    from helpers.stats import contingency

    # The real target is a standard error below 1e-4 (up to 25 million tables); the test asks for 1e-2 to stay fast.
    monkeypatch.setattr(contingency, "FISHER_MAX_NODES", 10)
    monkeypatch.setattr(contingency, "MONTE_CARLO_MAX_SE", 1e-2)
    res = compare_proportions([[5, 3, 2], [1, 4, 6], [3, 3, 3]], method="fisher", n_resamples=1_000)
    assert res.p_method == "monte-carlo"
    assert res.p_se < 1e-2
    assert res.p_value == pytest.approx(0.333634444982797, abs=4e-2)
