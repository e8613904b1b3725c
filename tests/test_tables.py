"""Formatting follows the paper's printed conventions."""

import math

import pytest

from helpers.report.tables import format_estimate_ci, format_n_pct, format_p


def test_p_values_print_three_decimals_with_a_floor():
    assert format_p(0.0549) == "0.055"
    assert format_p(0.0004) == "<0.001"
    assert format_p(0.001) == "0.001"
    assert format_p(math.nan) == ""


def test_counts_with_percentages():
    assert format_n_pct(163, 200) == "163 (81.5)"
    assert format_n_pct(97, 296) == "97 (32.8)"


def test_hazard_ratio_with_interval():
    assert format_estimate_ci(0.6234, 0.5111, 0.7489) == "0.62 (0.51–0.75)"
    assert format_estimate_ci(2.1094, 1.4692, 3.0271, digits=3) == "2.109 (1.469–3.027)"


def test_p_phrase():
    from helpers.report.tables import p_phrase

    assert p_phrase(0.0261) == "p = 0.026"  # one convention in prose: lower-case p
    assert p_phrase(0.0001) == "p < 0.001"
    assert p_phrase("<0.001") == "p < 0.001"
    assert p_phrase(0.0261, "P") == "P = 0.026"


def test_styled_tables_escape_html():
    import pandas as pd

    from helpers.report.tables import styled

    html = styled(pd.DataFrame({"P": ["<0.001"]}, index=["<65"])).to_html()
    assert "&lt;0.001" in html and "&lt;65" in html


def test_printed_numbers_are_read_back_one_way():
    from helpers.printed import parse_printed

    floor = parse_printed("<0.001")
    assert floor.is_bound and floor.value == 0.001
    assert floor.below(0.05) and floor.agrees(0.0004, 3) and not floor.agrees(0.0012, 3)
    plain = parse_printed(0.055)
    assert not plain.below(0.05) and plain.agrees(0.0549, 3) and not plain.agrees(0.0544, 3)
    assert parse_printed("NR").relation == "NR"
    with pytest.raises(ValueError, match="cannot read 'n/a'"):
        parse_printed("n/a")


def test_median_ci_prints_nr_and_ne_never_nan():
    from helpers.printed import format_median_ci

    nan = math.nan
    assert format_median_ci(nan, 4.1, nan) == "NR (4.1–NE)"
    assert format_median_ci(nan, nan, nan) == "NR (NE–NE)"
    assert format_median_ci(4.0, 2.0, nan) == "4.0 (2.0–NE)"
    assert format_median_ci(4.14, 3.57, 4.71, 2) == "4.14 (3.57–4.71)"


def test_survival_display_marks_not_reached_and_not_estimable():
    import pandas as pd

    from helpers.report.tables import survival_display

    rows = pd.DataFrame(
        {
            "group": ["A", "B"],
            "n": [10, 12],
            "events": [3, 9],
            "median": [math.nan, 6.0],
            "ci_lower": [math.nan, 2.5],
            "ci_upper": [math.nan, math.nan],
            "rate_6": [80.0, 45.0],
        }
    )
    shown = survival_display(rows, landmarks=(6,))
    assert shown.loc["A", "Median, months (95% CI)"] == "NR (NE–NE)"
    assert shown.loc["B", "Median, months (95% CI)"] == "6.00 (2.50–NE)"
