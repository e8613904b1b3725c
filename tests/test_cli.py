"""`python -m helpers analyze`: reproducible outputs, and clear failures on bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from helpers.__main__ import main

from .conftest import COHORT_CSV, ROOT, sha256

RESULTS = ROOT / "results"


@pytest.fixture(scope="module")
def fresh_results(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fresh") / "results"
    assert main(["analyze", str(COHORT_CSV), "--out", str(out), "--figures", "--audit"]) == 0
    return out


def test_analyze_without_audit_writes_no_comparison_with_the_paper(tmp_path):
    # a user's own cohort is analysed, not compared with the original study
    out = tmp_path / "plain"
    assert main(["analyze", str(COHORT_CSV), "--out", str(out)]) == 0
    assert not (out / "fidelity.csv").exists()
    assert '"fidelity"' not in (out / "results.json").read_text()
    assert (out / "table1_before_psm.csv").exists()


def test_committed_results_equal_a_fresh_run(fresh_results):
    # files only: results/simulation/ is the simulation study's folder (make simulate), not analyze's
    committed = sorted(p.name for p in RESULTS.iterdir() if p.is_file())
    assert committed == sorted(p.name for p in fresh_results.iterdir()), "run `make results` and commit"
    changed = [name for name in committed if sha256(RESULTS / name) != sha256(fresh_results / name)]
    assert not changed, f"results/ is stale for {changed}: run `make results` and commit"


def test_every_table_and_figure_is_written(fresh_results):
    names = {p.name for p in fresh_results.iterdir()}
    for table in (
        "table1_before_psm",
        "table1_after_psm",
        "table2_response_before_psm",
        "table3_safety",
        "table4_cox_pfs",
        "table5_cox_os",
        "subgroups_pfs",
        "efficacy",
        "figure3_strata",
    ):
        assert f"{table}.csv" in names
    for fig in ("figure1a", "figure1d", "figure2a", "figure2b", "figure3a", "figure3d", "psm_love_plot"):
        assert {f"{fig}.png", f"{fig}.svg"} <= names
    assert "results.json" in names


def test_svg_has_no_date(fresh_results):
    text = (fresh_results / "figure1a.svg").read_text()
    assert "<dc:date>" not in text


def test_refuses_a_foreign_non_empty_folder(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["analyze", str(COHORT_CSV), "--out", str(tmp_path)]) == 4
    assert "refusing" in capsys.readouterr().err
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert not (tmp_path / "results.json").exists()


def test_module_entry_point_runs(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "helpers", "validate", str(COHORT_CSV)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0 and "valid (496 patients" in proc.stdout


# --- bad input: each kind fails with file, column, rows and rule; nothing is left behind ---------


def _break(raw: pd.DataFrame, kind: str) -> pd.DataFrame | str:
    ici = raw.index[raw["group"] == "2L-ICIs"]
    non = raw.index[raw["group"] == "2L-non-ICIs"]
    if kind == "missing column":
        return raw.drop(columns=["os_event"])
    if kind == "extra column":
        return raw.assign(comment="x")
    if kind == "wrong type":
        raw.loc[4, "cycles"] = "three"
    elif kind == "unknown group":
        raw.loc[4, "group"] = "2L-placebo"
    elif kind == "negative time":
        raw.loc[4, "os_months"] = "-2"
    elif kind == "pfs > os":
        raw.loc[4, "pfs_months"] = str(float(raw.loc[4, "os_months"]) + 1)
    elif kind == "event not 0/1":
        raw.loc[4, "pfs_event"] = "yes"
    elif kind == "duplicate id":
        raw.loc[5, "patient_id"] = raw.loc[4, "patient_id"]
    elif kind == "date out of window":
        raw.loc[4, "second_line_start"] = "2024-02-01"
    elif kind == "too few patients":
        return pd.concat([raw.loc[ici[:5]], raw.loc[non[:40]]])
    elif kind == "group with no events":
        raw.loc[ici, "os_event"] = "0"
        raw.loc[ici, "pfs_event"] = "0"
    elif kind == "covariate with one level":
        raw["liver_met"] = "0"
    return raw


BAD_INPUTS = {
    # kind: (exit code, words the message must contain)
    "missing column": (2, ["missing column(s): os_event"]),
    "extra column": (2, ["unexpected column(s): comment"]),
    "wrong type": (2, ["column cycles, row 5", "must be an integer"]),
    "unknown group": (2, ["column group, row 5", "must be one of 2L-ICIs, 2L-non-ICIs"]),
    "negative time": (2, ["column os_months, row 5", "must be > 0"]),
    "pfs > os": (2, ["row 5", "pfs_months <= os_months"]),
    "event not 0/1": (2, ["column pfs_event, row 5", "must be an integer"]),
    "duplicate id": (2, ["column patient_id, rows 5, 6", "unique"]),
    "date out of window": (2, ["column second_line_start, row 5", "2019-03-01 to 2023-12-31"]),
    "too few patients": (3, ["column group", "5 patients in 2L-ICIs"]),
    "group with no events": (3, ["column os_event: no events in 2L-ICIs"]),
    "covariate with one level": (3, ["column liver_met", "same Liver metastases level"]),
}


@pytest.mark.parametrize("kind", list(BAD_INPUTS))
def test_bad_cohort_fails_clearly(tmp_path, raw_cohort, capsys, kind):
    code, words = BAD_INPUTS[kind]
    path = tmp_path / "bad.csv"
    _break(raw_cohort, kind).to_csv(path, index=False)
    before = sha256(path)
    out = tmp_path / "out"
    assert main(["analyze", str(path), "--out", str(out)]) == code
    err = capsys.readouterr().err
    assert str(path) in err
    for word in words:
        assert word in err, err
    assert sha256(path) == before, "the input file must not change"
    assert not out.exists(), "no partial results"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, ["file not found"]),
        ("", ["file is empty"]),
        ("patient_id;center;group\nP1;C1;2L-ICIs\n", ["semicolon-separated"]),
    ],
)
def test_unreadable_files(tmp_path, capsys, content, words):
    path = tmp_path / "cohort.csv"
    if content is not None:
        path.write_text(content)
    assert main(["analyze", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and all(w in err for w in words)
    assert not (tmp_path / "out").exists()
