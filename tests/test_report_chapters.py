"""What the Tables 1-3, data and introduction chapters show: words, display tables, paper-vs-book tables."""

from __future__ import annotations

import doctest

import pandas as pd
import pytest

from helpers.manuscript import load_study
from helpers.report import comparisons, words
from helpers.report.tables import (
    NBHY,
    NBSP,
    accrual_display,
    baseline_display,
    cohort_description_display,
    counts_display,
    data_dictionary_display,
    odds_ratio_display,
    p_value_note,
    styled,
    treatment_details_display,
)
from helpers.study import cohort as C
from helpers.study.description import accrual_by_year
from helpers.synthetic.calibration import DROPPED_TARGETS, measure_targets


@pytest.fixture(scope="module")
def results():
    return load_study().results


# --- words ---------------------------------------------------------------------------------


def test_words_doctests():
    assert doctest.testmod(words).failed == 0


@pytest.mark.parametrize(
    ("n", "noun", "expected"),
    [(0, "pair", "0 pairs"), (1, "pair", "1 pair"), (2, "match", "2 matches"), (3, "study", "3 studies")],
)
def test_count_noun(n, noun, expected):
    assert words.count_noun(n, noun) == expected


def test_spelled_counts_and_agreement():
    assert words.count_noun(0, "target", spell=True) == "no targets"
    assert words.count_noun(1, "characteristic", spell=True) == "one characteristic"
    assert words.count_noun(12, "row", spell=True) == "12 rows"
    assert [words.agree(n, "differs", "differ") for n in (0, 1, 2)] == ["differ", "differs", "differ"]


def test_join_words():
    assert words.join_words([]) == "none"
    assert words.join_words([], empty="no characteristic") == "no characteristic"
    assert words.join_words(["a"]) == "a"
    assert words.join_words(["a", "b", "c"], conjunction="or") == "a, b or c"


def test_names_in_running_text_are_lower_case_unless_acronyms():
    assert words.in_text("Liver metastases") == "liver metastases"
    assert [words.in_text(x) for x in ("ORR", "G3/4 elevated ALT/AST", "1L-ICIs")] == [
        "ORR",
        "G3/4 elevated ALT/AST",
        "1L-ICIs",
    ]
    assert words.characteristics_in_text(["male", "ecog_ge2", "first_line_pfs_ge6"]) == "gender, ECOG PS and 1L-PFS"


# --- display tables ------------------------------------------------------------------------


def _html(frame: pd.DataFrame) -> str:
    return styled(frame).to_html()


def test_table_1_headers(results):
    shown = baseline_display(results.table1("before_psm"), results.table1("after_psm"))
    html = _html(shown)
    # three header rows; the row labels' name sits on the last one, beside "No. (%)"
    assert shown.columns.nlevels == 3 and shown.columns.names[-1] == "Characteristic"
    assert html.count("<tr>") - len(shown) == 3
    assert "No. (%)" in html
    # "n = 200" never breaks: the spaces around "=" are non-breaking
    assert any(f"(n{NBSP}={NBSP}200)" in name for name in shown.columns.get_level_values(1))
    assert f"2L{NBHY}non{NBHY}ICIs" in shown.columns.get_level_values(1)[1]  # nor at the group's hyphens
    assert "nan" not in html.lower()


def test_counts_tables_leave_untested_rows_empty(results):
    shown = counts_display({"Before PSM": results.response("before_psm")}, row_label="Best response")
    p = shown[("Before PSM", "", "P")]
    assert (p.loc[["CR", "PR", "SD", "PD"]] == "").all() and (p.loc[["ORR", "DCR"]] != "").all()
    assert shown.loc["CR"].iloc[0] == "0"  # printed as a bare zero, as the paper does
    assert "nan" not in _html(shown).lower()


def test_p_value_note_names_every_fisher_row(results):
    note = p_value_note({"Before PSM": results.safety()})
    assert note.startswith("P: Pearson's chi-square test without continuity correction")
    fisher = results.safety().loc[lambda t: t["test"] == "fisher", "label"]
    assert len(fisher) and all(words.in_text(label) in note for label in fisher)
    only_pearson = pd.DataFrame({"label": ["A", "B"], "test": ["pearson", "pearson"]})
    assert "never needed" in p_value_note({"x": only_pearson})
    both = {"Before PSM": only_pearson, "After PSM": only_pearson.assign(test=["pearson", "fisher"])}
    assert p_value_note(both).endswith("expected count below 5: B (after PSM).")


def test_sections_3_1_and_3_2_tables(results):
    cohort = cohort_description_display(results.cohort_description())
    assert cohort.iloc[0, 0].count("(") == 1 and "–" in cohort.iloc[0, 0]  # median (min–max)
    treatment = treatment_details_display(results.treatment_details())
    assert treatment.index[0].startswith(C.GROUP_ICI) and any(i.strip() == "ICI agent" for i in treatment.index)
    for shown in (cohort, treatment):
        assert "nan" not in _html(shown).lower()


def test_small_displays(results):
    odds = odds_ratio_display(results.psm.model.odds_ratios())
    assert odds.index[0] == "Gender: Male vs Female" and odds.columns.tolist() == ["Odds ratio (95% CI)", "P"]
    accrual = accrual_display(accrual_by_year(results.cohort))
    dictionary = data_dictionary_display(C.data_dictionary())
    for shown, corner in ((odds, "Characteristic"), (accrual, "Year of 2L start"), (dictionary, "Column")):
        # the row labels are named in the corner of the single header row, not on a row of their own
        assert shown.index.name is None and shown.columns.name == corner
        assert _html(shown).count("<tr>") == len(shown) + 1


# --- original study vs this book --------------------------------------------------------


def test_paper_vs_book_tables(results):
    for table in (
        comparisons.cohort_description(results),
        comparisons.treatment_details(results),
        comparisons.matching_counts(results),
    ):
        assert table.columns.tolist() == [comparisons.PAPER, comparisons.BOOK]
        assert not table.isna().any().any()
    # before matching the counts were targets: they agree to the printed digits
    treatment = comparisons.treatment_details(results)
    assert (treatment[comparisons.PAPER] == treatment[comparisons.BOOK]).all()
    rates = comparisons.response_rates(results)
    assert rates.shape == (4, 6) and rates.loc["Before PSM · ORR", ("P", comparisons.PAPER)] == "<0.001"


def test_generator_targets_are_readable(results):
    report = measure_targets(results)
    shown = comparisons.generator_targets(report)
    assert list(shown.columns) == list(comparisons.TARGET_COLUMNS) and len(shown) == len(report)
    assert not shown["Published number"].str.contains(r"^[a-z0-9_]+\.[a-z0-9_.]+$").any()  # no bare keys
    assert set(shown["Met"]) <= {"yes", "no"}
    assert not shown.isin(["True", "False", "nan"]).any().any()
    # every number has at most the paper's decimals (no 0.123456)
    assert not shown[comparisons.BOOK].str.contains(r"\d\.\d{4,}").any()
    missed = shown["Met"] == "no"
    assert missed.sum() == 0 or missed.iloc[: missed.sum()].all()  # misses first
    summary = comparisons.generator_target_summary(report)
    assert summary["Targets"].sum() == len(report)


def test_misses_come_first():
    report = pd.DataFrame(
        {
            "target": ["cohort.n_total", "cohort.age_years.median"],
            "published": [496, 62],
            "achieved": [496, 61.0],
            "tolerance": [0.0, 0.0],
            "kind": ["exact", "exact"],
            "met": [True, False],
        }
    )
    shown = comparisons.generator_targets(report)
    assert shown["Met"].tolist() == ["no", "yes"]
    assert shown[comparisons.BOOK].tolist() == ["61", "496"]


def test_dropped_targets_are_named():
    shown = comparisons.dropped_targets(DROPPED_TARGETS)
    assert len(shown) == len(DROPPED_TARGETS) and shown.columns.name == "Published number"


# --- the interactive table ---------------------------------------------------------------


def test_interactive_table_works_offline():
    pytest.importorskip("itables")
    from helpers.report.interactive import datatables_library, interactive_table

    frame = pd.DataFrame({"a": ["x<1", "y"] * 300, "b": ["1", "2"] * 300})
    html = interactive_table(frame).data
    library = datatables_library().data
    assert "_itables_" in library and "dt_src" not in library  # the library is embedded, not a placeholder
    for text in (html, library):
        assert "<script src=" not in text and "import('http" not in text  # nothing loaded from a CDN
    assert "x&lt;1" in html  # text is escaped
    assert html.count("x&lt;1") >= 300  # every row, none downsampled away (itables would by default)


def test_prose_columns_wrap(results):
    from helpers.report.tables import styled_prose

    shown = comparisons.dropped_targets(DROPPED_TARGETS)
    html = styled_prose(shown, shown.columns).to_html()
    assert "td.col0" in html and "white-space: normal" in html and "text-align: left" in html


def test_p_values_below_the_floor_print_as_the_floor(results):
    from helpers.paper.registry import quantity
    from helpers.report.chapter import as_printed

    q = quantity("table2_response.before_psm.p_dcr")
    p = q.reproduce(results)
    assert p < 0.001  # 0.00097: rounding before printing would give '0.001'
    assert as_printed(q, q.printed(results)) == "<0.001"
    assert comparisons.response_rates(results).loc["Before PSM · DCR", ("P", comparisons.BOOK)] == "<0.001"
