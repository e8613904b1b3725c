"""Sections 3.1-3.2, the helpers behind Tables 2-3 and the matching story, on hand-made data."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy.stats.contingency import expected_freq
from statsmodels.stats.contingency_tables import mcnemar

from helpers.manuscript import load_study
from helpers.paper.registry import quantity
from helpers.stats.contingency import expected_counts
from helpers.stats.matching import match_nearest
from helpers.study import cohort as C
from helpers.study.counts import (
    rows_absent_in,
    rows_by_test,
    safety_table,
    significant_characteristics,
    significant_rows,
    two_by_two,
    worst_grades,
)
from helpers.study.description import accrual_by_year, cohort_description, treatment_details
from helpers.study.propensity import (
    balance_summary,
    caliper_example,
    paired_balance_test,
    score_summary,
    strongest_predictor,
)

from .test_analysis import _mini


def _patients() -> pd.DataFrame:
    """Five patients: three 2L-ICIs, two 2L-non-ICIs, every Table 1 column set by hand."""
    return C.derive_categories(
        pd.DataFrame(
            {
                "group": [C.GROUP_ICI] * 3 + [C.GROUP_NON_ICI] * 2,
                "sex": ["male", "male", "female", "male", "female"],
                "age": [50, 70, 64, 81, 40],
                "smoker": [1, 0, 1, 1, 0],
                "ecog": [0, 2, 1, 1, 3],
                "lung_met": [1, 0, 0, 1, 1],
                "bone_met": [0, 0, 1, 0, 0],
                "brain_met": [0, 1, 0, 0, 0],
                "liver_met": [1, 1, 0, 0, 0],
                "n_metastatic_sites": [3, 1, 2, 4, 1],
                "first_line_ici": [1, 1, 0, 0, 0],
                "first_line_pfs_months": [7.0, 3.0, 6.0, 2.0, 9.0],
                "regimen": [
                    "ici_chemotherapy",
                    "ici_chemotherapy",
                    "ici_monotherapy",
                    "chemotherapy",
                    "antiangiogenic",
                ],
                "ici_agent": ["atezolizumab", "durvalumab", "atezolizumab", None, None],
                "cycles": [2, 6, 3, 1, 5],
                "second_line_start": ["2021-05-01", "2023-01-10", "2023-11-30", "2022-02-02", "2023-07-07"],
            }
        )
    )


def test_cohort_description_by_hand():
    table = cohort_description(_patients()).set_index("item")
    assert table.loc["age", ["median", "min", "max"]].tolist() == [64, 40, 81]
    assert table.loc["male", "n"] == 3 and table.loc["male", "pct"] == pytest.approx(60.0)
    # section 3.1 counts ECOG PS < 2, the level 0 of ecog_ge2: ECOG 0, 1 and 1
    assert table.loc["ecog_ge2", "value"] == 0 and table.loc["ecog_ge2", "n"] == 3
    assert table.loc["sites_ge3", "n"] == 2 and table.loc["sites_ge3", "label"] == "Number of metastatic lesions: ≥3"
    assert (table["total"] == 5).all()


def test_treatment_details_by_hand():
    table = treatment_details(_patients())
    ici = table[table["group"] == C.GROUP_ICI].set_index(["item", "value"])
    assert ici.loc[("regimen", "ici_chemotherapy"), "n"] == 2
    assert ici.loc[("regimen", "ici_chemotherapy"), "pct"] == pytest.approx(200 / 3)
    assert ici.loc[("regimen", "ici_antiangiogenic"), "n"] == 0  # listed even when nobody had it
    assert ici.loc[("ici_agent", "atezolizumab"), "n"] == 2
    assert ici.loc[("cycles", ""), ["median", "min", "max"]].tolist() == [3, 2, 6]
    non = table[table["group"] == C.GROUP_NON_ICI]
    assert "ici_agent" not in set(non["item"])  # no agents without an ICI
    assert non.loc[non["item"] == "cycles", "median"].iloc[0] == 3  # cycles 1 and 5


def test_accrual_by_year():
    accrual = accrual_by_year(_patients())
    assert accrual["year"].tolist() == [2021, 2022, 2023]
    assert accrual["patients"].tolist() == [1, 1, 3]
    assert accrual["pct"].sum() == pytest.approx(100)


def test_the_study_tables_are_in_the_results():
    results = load_study().results
    assert {"cohort_description", "treatment_details"} <= set(results.tables)
    assert len(results.treatment_details(C.GROUP_NON_ICI)) == len(C.NON_ICI_REGIMENS) + 1
    # the registry reads section 3.1 from the table, not from the cohort
    assert quantity("cohort.age_years.median").reproduce(results) == results.cohort["age"].median()


# --- Tables 2 and 3 -------------------------------------------------------------------


def test_two_by_two_and_expected_counts():
    table = safety_table(_mini())
    t = two_by_two(table, "rash", ("rash", "no rash"))
    assert t.to_numpy().tolist() == [[2, 0], [2, 6]]
    assert t.index.tolist() == ["rash", "no rash"] and t.columns.tolist() == list(C.GROUPS)
    # row total x column total / grand total, against SciPy
    assert expected_counts(t).to_numpy() == pytest.approx(expected_freq(t.to_numpy()))
    assert expected_counts(t).loc["rash", C.GROUP_ICI] == pytest.approx(2 * 4 / 10)
    assert two_by_two(table, "rash").index.tolist() == ["Rash", "no rash"]
    assert two_by_two(table, "g3_rash").index.tolist() == ["G3 rash", "no G3 rash"]


def test_row_selections():
    table = safety_table(_mini())
    assert set(rows_absent_in(table, C.GROUP_NON_ICI)) >= {"rash", "g3_rash", "pneumonitis"}
    assert "hematologic_toxicities" not in rows_absent_in(table, C.GROUP_NON_ICI)
    by_test = rows_by_test(table)
    assert set(by_test) <= {"pearson", "fisher", "not testable"}
    assert "rash" in by_test["fisher"]  # expected counts of 0.8
    frame = pd.DataFrame({"row": ["a", "b", "c"], "p_value": [0.01, 0.05, np.nan]})
    assert significant_rows(frame, 0.05) == ("a",)


def test_significant_characteristics_counts_each_once():
    table1 = pd.DataFrame({"variable": ["x", "x", "y", "y"], "level": [1, 0, 1, 0], "p_value": [0.01, 0.01, 0.2, 0.2]})
    assert significant_characteristics(table1, 0.05) == ("x",)


def test_worst_grades():
    grades = worst_grades(_mini(), "ae_hematologic")
    assert grades.columns.tolist() == list(range(6))
    assert grades.loc[C.GROUP_ICI].tolist() == [1, 1, 0, 1, 1, 0]
    assert grades.loc[C.GROUP_NON_ICI].tolist() == [2, 1, 1, 1, 0, 1]


# --- the matching story -----------------------------------------------------------------


def _psm(scores, treated, caliper):
    """A matching on hand-chosen scores, in the shape of a PropensityMatch."""
    data = pd.DataFrame({C.TREATED: treated}, index=[f"p{i}" for i in range(len(treated))])
    s = pd.Series(scores, index=data.index)
    match = match_nearest(s, data[C.TREATED], caliper=caliper)
    matched = data.index[data.index.isin(match.matched_index)]
    model = SimpleNamespace(scores=s)
    return data, SimpleNamespace(model=model, match=match, cohort=data.loc[matched])


def test_caliper_example_by_hand():
    # treated at 0.90, 0.80, 0.50; controls at 0.89, 0.79, 0.10; caliper 0.02.
    # 0.90 takes 0.89 (first pair); 0.80 takes 0.79; 0.50 finds nothing within 0.02
    data, psm = _psm([0.90, 0.80, 0.50, 0.89, 0.79, 0.10], [1, 1, 1, 0, 0, 0], 0.02)
    ex = caliper_example(data, psm)
    assert (ex.first_treated_score, ex.first_control_score) == (0.90, 0.89)
    assert ex.first_distance == pytest.approx(0.01)
    assert ex.left_out_score == 0.50
    assert ex.left_out_nearest == pytest.approx(0.29)  # to 0.79, taken or not
    assert ex.nearest_was_taken is False


def test_caliper_example_when_the_near_control_was_taken():
    # 0.90 and 0.89 both want the control at 0.895; the first (0.90) takes it
    data, psm = _psm([0.90, 0.89, 0.895, 0.20], [1, 1, 0, 0], 0.02)
    ex = caliper_example(data, psm)
    assert ex.left_out_score == 0.89 and ex.left_out_nearest == pytest.approx(0.005)
    assert ex.nearest_was_taken is True


def test_caliper_example_when_everyone_is_matched():
    data, psm = _psm([0.5, 0.51], [1, 0], 0.02)
    ex = caliper_example(data, psm)
    assert ex.left_out_score is None and ex.nearest_was_taken is None


def test_score_summary_by_hand():
    data, psm = _psm([0.90, 0.80, 0.50, 0.89, 0.79, 0.10], [1, 1, 1, 0, 0, 0], 0.02)
    summary = score_summary(data, psm).set_index("group")
    assert summary.loc[C.GROUP_ICI, "median_score"] == pytest.approx(0.80)
    assert summary.loc[C.GROUP_ICI, "n_unmatched"] == 1
    assert summary.loc[C.GROUP_ICI, "median_unmatched"] == pytest.approx(0.50)
    assert summary.loc[C.GROUP_NON_ICI, "median_unmatched"] == pytest.approx(0.10)


def test_balance_summary():
    balance = pd.DataFrame(
        {
            "covariate": ["a", "b", "c"],
            "abs_smd_before": [0.30, 0.05, 0.12],
            "abs_smd_after": [0.02, 0.15, 0.11],
        }
    )
    s = balance_summary(balance, 0.1)
    assert s.above_before == ("a", "c") and s.above_after == ("b", "c")
    assert s.worse_after == ("b",)
    assert (s.worst_before, s.worst_after) == ("a", "b")


def test_strongest_predictor():
    coefficients = pd.DataFrame({"term": ["intercept", "x", "y"], "coef": [5.0, 0.3, -1.2]})
    psm = SimpleNamespace(model=SimpleNamespace(coefficients=coefficients))
    assert strongest_predictor(psm) == "y"  # the intercept does not count; the sign does not either


def test_paired_balance_test_against_statsmodels():
    # 10 pairs: (treated, control) values of a characteristic; 4 discordant (1, 0) and 1 (0, 1)
    treated = [1, 1, 1, 1, 0, 1, 0, 1, 0, 0]
    control = [0, 0, 0, 0, 1, 1, 0, 1, 0, 0]
    matched = pd.DataFrame({"pair_id": list(range(10)) * 2, C.TREATED: [1] * 10 + [0] * 10, "x": treated + control})
    ours = paired_balance_test(matched, "x")
    table = pd.crosstab(pd.Series(treated), pd.Series(control)).to_numpy()
    assert ours.p_value == pytest.approx(mcnemar(table, exact=True).pvalue)
