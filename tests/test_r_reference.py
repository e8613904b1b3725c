"""helpers.stats against R (survival 3.5.3, stats::fisher.test) on datasets that ship with R.

tests/r/reference_survival.R writes the data of each analysis (survival's lung, veteran,
ovarian, colon, pbc, aml; MatchIt's lalonde for contingency tables) and R's results into a
temporary directory; each test recomputes the same quantity here. Tolerance 1e-6 (absolute
for probabilities and standard errors, relative for times, statistics and p-values).
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from helpers.stats.contingency import compare_proportions
from helpers.stats.rmst import rmst
from helpers.stats.survival import fit_km, logrank, median_survival, survival_at_times

from .conftest import ROOT

pytestmark = [pytest.mark.r, pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript not installed")]
TOL = 1e-6
STUDIES = [
    "lung_sex",
    "veteran_celltype",
    "veteran_trt_by_celltype",
    "ovarian_rx",
    "colon_rx",
    "pbc_trt",
    "aml_x",
    "lung_admin180",
    "lung_wint",
    "lung_wfrac",
]
WEIGHTED_LOGRANK = ["lung_wint"]  # R's survdiff has no weights: whole weights are the rows repeated there
FISHER = [
    "lalonde_married_treat",
    "lalonde_nodegree_treat",
    "lalonde_race_treat",
    "lalonde_educ_treat",
    "lalonde_race_married",
    "lalonde_treated_race_educ",
    "veteran_celltype_trt",
    "veteran_celltype_prior",
    "pbc_stage_trt",
    "ovarian_resid_ecog",
]


@pytest.fixture(scope="module")
def r_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("r_reference")
    subprocess.run(["Rscript", str(ROOT / "tests" / "r" / "reference_survival.R"), str(out)], check=True)
    return out


def read(r_dir, name: str) -> pd.DataFrame:
    return pd.read_csv(r_dir / name, dtype={"group": str, "id": str}, keep_default_na=True, na_values=["NA"])


def study(r_dir, study_id: str) -> pd.DataFrame:
    return pd.read_csv(r_dir / f"data_{study_id}.csv", dtype={"group": str, "strata": str})


def fits(data: pd.DataFrame) -> dict:
    data = data.dropna(subset=["group"])
    out = {}
    for g, sub in data.groupby("group"):
        weights = sub["weight"] if "weight" in sub else None
        out[g] = fit_km(sub["time"], sub["event"], weights=weights)
    return out


def same(ours, theirs, *, relative: bool = False) -> bool:
    if pd.isna(theirs) or pd.isna(ours):
        return bool(pd.isna(theirs) and pd.isna(ours))
    scale = max(1.0, abs(theirs)) if relative else 1.0
    return abs(ours - theirs) <= TOL * scale


@pytest.mark.parametrize("study_id", STUDIES)
def test_kaplan_meier_survival_se_and_loglog_band(r_dir, study_id):
    ref = read(r_dir, "km.csv").query("id == @study_id")
    for g, km in fits(study(r_dir, study_id)).items():
        r = ref[ref["group"] == g]
        ours = km.event_times.set_index("time").loc[r["time"]]
        assert np.allclose(ours["survival"], r["surv"], rtol=0, atol=TOL), (study_id, g)
        assert all(same(a, b) for a, b in zip(ours["se"], r["se"], strict=True)), (study_id, g)
        band = survival_at_times(km, r["time"].to_numpy(), ci="loglog")
        assert all(same(a, b) for a, b in zip(band["ci_lower"], r["lower"], strict=True)), (study_id, g)
        assert all(same(a, b) for a, b in zip(band["ci_upper"], r["upper"], strict=True)), (study_id, g)


@pytest.mark.parametrize("study_id", STUDIES)
def test_medians_with_both_intervals(r_dir, study_id):
    ref = read(r_dir, "medians.csv").query("id == @study_id").set_index("group")
    for g, km in fits(study(r_dir, study_id)).items():
        r = ref.loc[g]
        loglog = median_survival(km, style="loglog")
        sym = median_survival(km, style="symmetric")
        assert same(loglog.estimate, r["median"], relative=True), (study_id, g)
        assert same(loglog.ci_lower, r["loglog_lower"], relative=True), (study_id, g)
        assert same(loglog.ci_upper, r["loglog_upper"], relative=True), (study_id, g)
        assert same(sym.se, r["sym_se"], relative=True), (study_id, g)
        assert same(sym.ci_lower, r["sym_lower"], relative=True), (study_id, g)
        assert same(sym.ci_upper, r["sym_upper"], relative=True), (study_id, g)


def test_not_reached_medians_are_covered(r_dir):
    ref = read(r_dir, "medians.csv")
    not_reached = ref[ref["median"].isna()]
    assert len(not_reached) >= 3
    assert not_reached["loglog_lower"].notna().any(), "a not-reached median with an estimable lower limit"


@pytest.mark.parametrize("study_id", [s for s in STUDIES if s != "lung_wfrac"])
def test_logrank(r_dir, study_id):
    r = read(r_dir, "logrank.csv").set_index("id").loc[study_id]
    data = study(r_dir, study_id)
    res = logrank(
        data["time"],
        data["event"],
        data["group"],
        strata=data["strata"] if "strata" in data else None,
        weights=data["weight"] if "weight" in data else None,
        dropna=True,  # pbc: trt is missing for 106 patients; R's na.omit
    )
    assert same(res.statistic, r["chisq"], relative=True)
    assert res.df == r["df"]
    assert same(res.p_value, r["p"], relative=True)
    if study_id == "pbc_trt":
        assert res.n_dropped == 106


@pytest.mark.parametrize("study_id", STUDIES)
def test_restricted_mean(r_dir, study_id):
    ref = read(r_dir, "rmst.csv").query("id == @study_id").set_index("group")
    for g, km in fits(study(r_dir, study_id)).items():
        res = rmst(km, float(ref.loc[g, "tau"]))
        assert same(res.estimate, ref.loc[g, "rmean"], relative=True), (study_id, g)
        assert same(res.se, ref.loc[g, "se"], relative=True), (study_id, g)


@pytest.mark.parametrize("table_id", FISHER)
def test_fisher(r_dir, table_id):
    r = read(r_dir, "fisher.csv").set_index("id").loc[table_id]
    table = [[int(x) for x in row.split(",")] for row in r["table"].split(";")]
    res = compare_proportions(table, method="fisher")
    assert res.p_method == "exact"
    assert res.p_value == pytest.approx(r["p"], rel=TOL, abs=1e-300)
