"""helpers.survival and helpers.cox against R's survival package on the synthetic cohort.

The R script (tests/r/survival_cox.R) is the project's own; tolerance 1e-3 (relative for
p-values), as the statistical-core issue asks.
"""

from __future__ import annotations

import shutil
import subprocess

import pandas as pd
import pytest

from helpers.stats.cox import fit_cox, univariate_cox
from helpers.stats.survival import fit_km, logrank, median_follow_up, median_survival, survival_at_times
from helpers.study import cohort as C

from .conftest import COHORT_CSV, ROOT

pytestmark = [pytest.mark.r, pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript not installed")]
TOL = 1e-3
MULTI = ["lung_met", "liver_met", "sites_ge3", "first_line_pfs_ge6"]


@pytest.fixture(scope="module")
def r_values(tmp_path_factory) -> dict[str, float]:
    out = tmp_path_factory.mktemp("r") / "survival_cox.csv"
    subprocess.run(["Rscript", str(ROOT / "tests" / "r" / "survival_cox.R"), str(COHORT_CSV), str(out)], check=True)
    frame = pd.read_csv(out)
    return dict(zip(frame["key"].str.strip(), frame["value"].astype(float), strict=True))


@pytest.fixture(scope="module")
def data(cohort):
    return C.derive_categories(cohort)


def close(ours: float, theirs: float, *, relative: bool = False) -> bool:
    if pd.isna(ours) or pd.isna(theirs):  # e.g. the SE once S(t) = 0: undefined in both
        return bool(pd.isna(ours) and pd.isna(theirs))
    if relative:
        return abs(ours - theirs) <= TOL * abs(theirs) + 1e-12
    return abs(ours - theirs) <= TOL


@pytest.mark.parametrize("endpoint", ["pfs", "os"])
@pytest.mark.parametrize("group", C.GROUPS)
def test_km_median_rates_and_se(r_values, data, endpoint, group):
    sub = data[data["group"] == group]
    km = fit_km(sub[f"{endpoint}_months"], sub[f"{endpoint}_event"])
    assert close(km.median(), r_values[f"{endpoint}.{group}.median"])
    loglog = median_survival(km, style="loglog")
    assert close(loglog.ci_lower, r_values[f"{endpoint}.{group}.median_loglog_lower"])
    assert close(loglog.ci_upper, r_values[f"{endpoint}.{group}.median_loglog_upper"])
    rates = survival_at_times(km, [6, 12, 24]).set_index("time")
    last = float(km.table["time"].iloc[-1])
    for t in (6, 12, 24):
        if t > last and km.table["survival"].iloc[-1] > 0:  # R carries the last value on; we say unknown
            assert pd.isna(rates.loc[t, "estimate"])
            continue
        assert close(rates.loc[t, "estimate"], r_values[f"{endpoint}.{group}.surv_{t}"])
        assert close(rates.loc[t, "se"], r_values[f"{endpoint}.{group}.se_{t}"])


@pytest.mark.parametrize("endpoint", ["pfs", "os"])
def test_logrank(r_values, data, endpoint):
    res = logrank(data[f"{endpoint}_months"], data[f"{endpoint}_event"], data["group"])
    assert close(res.statistic, r_values[f"{endpoint}.logrank_chisq"], relative=True)
    assert close(res.p_value, r_values[f"{endpoint}.logrank_p"], relative=True)


@pytest.mark.parametrize("endpoint", ["pfs", "os"])
def test_stratified_and_within_group_logrank(r_values, data, endpoint):
    strat = logrank(data[f"{endpoint}_months"], data[f"{endpoint}_event"], data["group"], strata=data["liver_met"])
    assert close(strat.p_value, r_values[f"{endpoint}.stratified_by_liver.logrank_p"], relative=True)
    ici = data[data["group"] == C.GROUP_ICI]
    for var in ("liver_met", "first_line_pfs_ge6"):
        res = logrank(ici[f"{endpoint}_months"], ici[f"{endpoint}_event"], ici[var])
        assert close(res.p_value, r_values[f"{endpoint}.ici.{var}.logrank_p"], relative=True)


@pytest.mark.parametrize("ties", ["breslow", "efron"])
@pytest.mark.parametrize("endpoint", ["pfs", "os"])
def test_treatment_cox(r_values, data, endpoint, ties):
    row = fit_cox(data, f"{endpoint}_months", f"{endpoint}_event", [C.TREATED], ties=ties).summary.iloc[0]
    key = f"{endpoint}.treated.{ties}"
    assert close(row["estimate"], r_values[f"{key}.hr"])
    assert close(row["ci_lower"], r_values[f"{key}.ci_lower"])
    assert close(row["ci_upper"], r_values[f"{key}.ci_upper"])
    assert close(row["p_value"], r_values[f"{key}.p"], relative=True)


@pytest.mark.parametrize("endpoint", ["pfs", "os"])
def test_within_ici_univariate_and_multivariable(r_values, data, endpoint):
    ici = data[data["group"] == C.GROUP_ICI]
    uni = univariate_cox(ici, f"{endpoint}_months", f"{endpoint}_event", C.TABLE1_VARIABLES).set_index("covariate")
    for var in C.TABLE1_VARIABLES:
        key = f"{endpoint}.ici.uni.{var}"
        assert close(uni.loc[var, "estimate"], r_values[f"{key}.hr"]), var
        assert close(uni.loc[var, "ci_lower"], r_values[f"{key}.ci_lower"]), var
        assert close(uni.loc[var, "ci_upper"], r_values[f"{key}.ci_upper"]), var
        assert close(uni.loc[var, "p_value"], r_values[f"{key}.p"], relative=True), var
    multi = fit_cox(ici, f"{endpoint}_months", f"{endpoint}_event", MULTI).summary.set_index("covariate")
    for var in MULTI:
        assert close(multi.loc[var, "estimate"], r_values[f"{endpoint}.ici.multi.{var}.hr"]), var
        assert close(multi.loc[var, "p_value"], r_values[f"{endpoint}.ici.multi.{var}.p"], relative=True), var


def test_reverse_km_follow_up(r_values, data):
    assert close(median_follow_up(data["os_months"], data["os_event"]).estimate, r_values["followup.reverse_km_median"])
