"""The data contract: every rule has a test that breaks it and reads the message."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.study.cohort import (
    COLUMNS,
    GROUP_NON_ICI,
    CohortError,
    data_dictionary,
    derive_categories,
    load_cohort,
)

from .conftest import sha256


def _error(path) -> CohortError:
    before = sha256(path)
    with pytest.raises(CohortError) as info:
        load_cohort(path)
    assert sha256(path) == before, "the input file must never be modified"
    assert str(path) in str(info.value), "the message names the file"
    return info.value


def test_committed_cohort_is_valid(cohort):
    assert list(cohort.columns) == list(COLUMNS)
    assert len(cohort) == 496


def test_missing_file(tmp_path):
    with pytest.raises(CohortError, match=r"(?s)nope.csv: .*file not found"):
        load_cohort(tmp_path / "nope.csv")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    assert "empty" in str(_error(path))


def test_header_only(tmp_path, raw_cohort, write_csv):
    path = write_csv(raw_cohort.iloc[0:0])
    assert "no patient rows" in str(_error(path))


def test_wrong_delimiter(tmp_path, raw_cohort):
    path = tmp_path / "semicolon.csv"
    raw_cohort.to_csv(path, index=False, sep=";")
    assert "semicolon-separated" in str(_error(path))


def test_missing_column(raw_cohort, write_csv):
    err = _error(write_csv(raw_cohort.drop(columns=["ecog", "liver_met"])))
    assert "missing column(s): ecog, liver_met" in str(err)


def test_extra_column(raw_cohort, write_csv):
    err = _error(write_csv(raw_cohort.assign(notes="x")))
    assert "unexpected column(s): notes" in str(err)


def test_wrong_type(raw_cohort, write_csv):
    raw_cohort.loc[3, "age"] = "sixty"
    err = _error(write_csv(raw_cohort))
    assert err.problems == ["column age, row 4: wrong type: must be an integer (found 'sixty')"]


@pytest.mark.parametrize(
    ("column", "value"),
    [("group", "placebo"), ("regimen", "surgery"), ("best_response", "NE"), ("sex", "M"), ("center", "C9")],
)
def test_unknown_category(raw_cohort, write_csv, column, value):
    raw_cohort.loc[[4, 9], column] = value
    err = _error(write_csv(raw_cohort))
    assert any(p.startswith(f"column {column}, rows 5, 10: must be one of") for p in err.problems), err.problems


def test_unknown_ici_agent(raw_cohort, write_csv):
    row = raw_cohort.index[raw_cohort["group"] == "2L-ICIs"][0]
    raw_cohort.loc[row, "ici_agent"] = "nivolumab"
    err = _error(write_csv(raw_cohort))
    assert f"column ici_agent, row {row + 1}: must be one of" in str(err)


@pytest.mark.parametrize(
    ("column", "value"), [("pfs_months", "-1.5"), ("os_months", "0"), ("first_line_pfs_months", "0")]
)
def test_non_positive_time(raw_cohort, write_csv, column, value):
    raw_cohort.loc[5, column] = value
    err = _error(write_csv(raw_cohort))
    assert f"column {column}, row 6: must be > 0" in str(err)


def test_pfs_longer_than_os(raw_cohort, write_csv):
    raw_cohort.loc[7, "pfs_months"] = str(float(raw_cohort.loc[7, "os_months"]) + 3)
    err = _error(write_csv(raw_cohort))
    assert err.problems == [
        "row 8 (patient_id P0008): rule broken: pfs_months <= os_months (progression or death ends PFS)"
    ]


@pytest.mark.parametrize("column", ["pfs_event", "os_event", "liver_met", "smoker"])
def test_flag_not_binary(raw_cohort, write_csv, column):
    raw_cohort.loc[8, column] = "2"
    err = _error(write_csv(raw_cohort))
    assert f"column {column}, row 9: must be one of 0, 1 (found 2)" in str(err)


def test_duplicate_id(raw_cohort, write_csv):
    raw_cohort.loc[10, "patient_id"] = raw_cohort.loc[11, "patient_id"]
    err = _error(write_csv(raw_cohort))
    assert "column patient_id, rows 11, 12: values must be unique" in str(err)


@pytest.mark.parametrize("value", ["2018-12-31", "2024-01-01", "31/12/2020"])
def test_date_out_of_window(raw_cohort, write_csv, value):
    raw_cohort.loc[12, "second_line_start"] = value
    err = _error(write_csv(raw_cohort))
    assert "column second_line_start, row 13: must be an ISO date (YYYY-MM-DD) from 2019-03-01 to 2023-12-31" in str(
        err
    )


def test_non_ici_row_with_agent(raw_cohort, write_csv):
    row = raw_cohort.index[raw_cohort["group"] == GROUP_NON_ICI][0]
    raw_cohort.loc[row, "ici_agent"] = "atezolizumab"
    err = _error(write_csv(raw_cohort))
    assert f"row {row + 1} (patient_id" in str(err)
    assert "ici_agent is empty for 2L-non-ICIs" in str(err)


def test_regimen_from_the_other_group(raw_cohort, write_csv):
    row = raw_cohort.index[raw_cohort["group"] == GROUP_NON_ICI][0]
    raw_cohort.loc[row, "regimen"] = "ici_monotherapy"
    assert "regimen belongs to the group" in str(_error(write_csv(raw_cohort)))


def test_sites_fewer_than_organ_flags(raw_cohort, write_csv):
    raw_cohort.loc[2, ["lung_met", "bone_met", "brain_met", "liver_met"]] = "1"
    raw_cohort.loc[2, "n_metastatic_sites"] = "2"
    assert "n_metastatic_sites >= number of organ metastases" in str(_error(write_csv(raw_cohort)))


def test_empty_required_cell(raw_cohort, write_csv):
    raw_cohort.loc[3, "sex"] = ""
    assert "column sex, row 4: missing value (empty cell) not allowed" in str(_error(write_csv(raw_cohort)))


def test_all_problems_reported_at_once(raw_cohort, write_csv):
    raw_cohort.loc[1, "group"] = "placebo"
    raw_cohort.loc[2, "ecog"] = "7"
    err = _error(write_csv(raw_cohort))
    assert len(err.problems) == 2


def test_derived_categories_use_the_papers_cutoffs():
    frame = pd.DataFrame(
        {
            "sex": ["male", "female"],
            "age": [65, 64],
            "ecog": [2, 1],
            "n_metastatic_sites": [3, 2],
            "first_line_pfs_months": [6.0, 5.99],
            "group": ["2L-ICIs", "2L-non-ICIs"],
        }
    )
    out = derive_categories(frame)
    for col in ("male", "age_ge65", "ecog_ge2", "sites_ge3", "first_line_pfs_ge6", "treated"):
        assert out[col].tolist() == [1, 0], col
    assert "age_ge65" not in frame.columns, "the input frame is not modified"


def test_data_dictionary_covers_every_column():
    assert data_dictionary()["column"].tolist() == list(COLUMNS)
