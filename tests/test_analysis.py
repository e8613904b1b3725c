"""Table builders on small hand-made cohorts."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.study import cohort as C
from helpers.study.counts import baseline_table, response_table, safety_table
from helpers.study.efficacy import compare_survival


def _mini() -> pd.DataFrame:
    # 4 treated, 6 controls; responses and AEs chosen so counts are easy to read
    return pd.DataFrame(
        {
            "group": [C.GROUP_ICI] * 4 + [C.GROUP_NON_ICI] * 6,
            "liver_met": [1, 1, 0, 0, 1, 0, 0, 0, 0, 0],
            "best_response": ["PR", "SD", "PD", "PR", "SD", "PD", "PD", "SD", "PD", "PR"],
            "ae_rash": [0, 1, 3, 0, 0, 0, 0, 0, 0, 0],
            "ae_hematologic": [0, 3, 4, 1, 2, 0, 5, 0, 3, 1],
            "ae_gastrointestinal": [0] * 10,
            "ae_hepatic": [0] * 10,
            "ae_hypothyroidism": [0] * 10,
            "ae_pneumonitis": [0] * 10,
            "ae_diarrhea": [0] * 10,
            "ae_adrenal_insufficiency": [0] * 10,
            "pfs_months": [1, 2, 3, 4, 1, 2, 3, 4, 5, 6],
            "pfs_event": [1] * 10,
        }
    )


def test_baseline_table_counts_both_levels():
    table = baseline_table(_mini(), variables=["liver_met"]).set_index("level")
    assert table.loc[1, f"n_{C.GROUP_ICI}"] == 2 and table.loc[1, f"n_{C.GROUP_NON_ICI}"] == 1
    assert table.loc[0, f"pct_{C.GROUP_NON_ICI}"] == pytest.approx(500 / 6)
    assert table["characteristic"].iloc[0] == "Liver metastases"
    assert table["test"].iloc[0] == "fisher"  # expected counts are tiny


def test_response_table_orr_and_dcr():
    table = response_table(_mini()).set_index("row")
    assert table.loc["orr", f"n_{C.GROUP_ICI}"] == 2  # two PR
    assert table.loc["dcr", f"n_{C.GROUP_NON_ICI}"] == 3  # SD, SD, PR
    assert table.loc["cr", f"n_{C.GROUP_ICI}"] == 0
    assert table.loc[["cr", "pr", "sd", "pd"], "p_value"].isna().all()
    assert table.loc[["orr", "dcr"], "p_value"].notna().all()


def test_safety_table_counts_worst_grades():
    table = safety_table(_mini()).set_index("row")
    assert table.loc["rash", f"n_{C.GROUP_ICI}"] == 2
    assert table.loc["g3_rash", f"n_{C.GROUP_ICI}"] == 1
    assert table.loc["hematologic_toxicities", f"n_{C.GROUP_NON_ICI}"] == 4
    # G3/4 counts grades 3 and 4 only: the grade-5 event is not in it
    assert table.loc["g34_hematologic_toxicities", f"n_{C.GROUP_NON_ICI}"] == 1


def test_compare_survival_orders_the_exposure_first():
    res = compare_survival(_mini(), "pfs", "liver_met", exposure=1, landmarks=(2.0,))
    assert res.groups["liver_met"].tolist() == [1, 0]
    # liver 1: times 1, 2, 1 -> S(2) = 0; liver 0: 3, 4, 2, 3, 4, 5, 6 -> S(2) = 6/7
    assert res.groups["rate_2"].tolist() == pytest.approx([0.0, 600 / 7])
    assert res.hr > 1
