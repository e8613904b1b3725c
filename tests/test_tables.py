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


def test_styled_tables_wrap_long_text_and_keep_numbers_on_one_line():
    import pandas as pd

    from helpers.report.tables import styled

    frame = pd.DataFrame({"HR": ["0.62 (0.51–0.75)"], "note": ["a long explanation " * 5]}, index=["PFS"])
    css = styled(frame).to_html()
    assert "white-space: nowrap" in css  # numbers
    assert "td.col1 {\n  white-space: normal" in css  # the note column wraps
    assert "td.col0 {" not in css


def test_styled_tables_render_as_latex_longtables():
    import pandas as pd

    from helpers.report.tables import styled

    frame = pd.DataFrame(
        {"P": ["<0.001", "0.026"], "note": ["50% & more_than {half} of the " * 3, ""]},
        index=["Age ≥65", "χ² test"],
    )
    latex = styled(frame)._repr_latex_()
    assert r"\begin{longtable}" in latex and r"\footnotesize" in latex
    assert "<0.001" in latex and "&lt;" not in latex  # HTML escaping undone
    assert r"50\% \& more\_\allowbreak{}than \{half\}" in latex  # LaTeX escaping applied
    assert "≥65" in latex and "χ²" in latex  # Unicode kept for XeLaTeX
    assert r"\raggedright\arraybackslash}p{" in latex  # the long note column wraps
    assert "text-align" not in latex and "white-space" not in latex  # no CSS leaks into LaTeX


def test_any_styler_renders_as_latex():
    """latex_table also serves the notebooks' own Stylers (through the kernel's LaTeX formatter)."""
    import pandas as pd

    from helpers.report.tables import latex_table

    frame = pd.DataFrame({"share": [0.5], "n": [3]})
    latex = latex_table(frame.style.hide(axis="index").format({"share": "{:.0%}"}))
    assert r"50\%" in latex and latex.count(r"\begin{longtable}{cc}") == 1


def test_latex_multirow_labels_keep_their_natural_width_in_plain_columns():
    import pandas as pd

    from helpers.report.tables import latex_table

    index = pd.MultiIndex.from_product([["pfs", "os"], ["a", "b"]], names=["endpoint", "group"])
    frame = pd.DataFrame({"note": ["a very long explanation that must wrap " * 3] * 4}, index=index)
    latex = latex_table(frame.style)
    assert r"\multirow[t]{2}{*}{pfs}" in latex and "{=}" not in latex


def test_latex_columns_are_sized_by_their_own_header_labels_not_by_spanning_ones():
    import re

    import pandas as pd

    from helpers.report.tables import TEXT_WIDTH_EM, latex_table

    # Table 1's shape: a spanning population label, a long group label per column, a short unit
    groups = ["Treatment group alpha (n = 200)", "Treatment group beta (n = 296)"]
    columns = pd.MultiIndex.from_tuples([(pop, g, "No. (%)") for pop in ("Before", "After") for g in groups])
    frame = pd.DataFrame([["47 (23.5)"] * 4] * 2, index=["Yes", "No"], columns=columns)
    latex = latex_table(frame.style)
    spec = re.search(r"\\begin\{longtable\}\{(.*)\}\n", latex).group(1)
    widths = [float(w) for w in re.findall(r"p\{([\d.]+)em\}", spec)]
    # the group labels (31 characters) do not fit four abreast at their natural width: they wrap
    assert len(widths) >= 4 and sum(widths) <= TEXT_WIDTH_EM
    # "Before" spans two columns and sizes neither; a lone label would be counted
    assert latex.count(r"\multicolumn{2}{c}{Before}") >= 1


def test_a_table_too_wide_for_the_small_font_is_set_smaller_and_its_labels_wrap():
    import pandas as pd

    from helpers.report.tables import latex_table

    # ten columns of long unbreakable words cannot fit at footnotesize even fully wrapped
    frame = pd.DataFrame({f"Heading{k}long": ["0.012 (0.003)"] * 2 for k in range(10)}, index=["a", "b"])
    assert r"\begingroup\scriptsize" in latex_table(frame.style) or r"\begingroup\tiny" in latex_table(frame.style)
    narrow = pd.DataFrame({"P": ["0.5"]}, index=["a"])
    assert r"\begingroup\footnotesize" in latex_table(narrow.style)
    # a wrapped outer label wraps inside its multirow instead of running over the next column
    index = pd.MultiIndex.from_product(
        [["Before matching, progression-free survival, all patients", "After"], ["x", "y"]]
    )
    wide = pd.DataFrame({f"column {k}": ["twenty characters ok"] * 4 for k in range(3)}, index=index)
    assert r"\multirow[t]{2}{=}" in latex_table(wide.style)
