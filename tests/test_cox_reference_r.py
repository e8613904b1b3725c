"""helpers.stats.cox against R's survival (coxph, cox.zph) on data sets shipped with R.

The project's own R script (tests/r/reference_cox.R) writes the data (lung, veteran,
colon, pbc, rats, ovarian, bladder, retinopathy) and R's results into a temporary
folder at test time; nothing is read from the internet. Every model is fitted with
Breslow and Efron ties, covering case weights, strata (one or two columns, matched
pairs and litters), robust and clustered variances, missing values (R's na.omit,
``dropna=True`` here), aliased covariates (R's NA) and infinite coefficients (R's
warning). Tolerance 1e-6: relative for coefficients, standard errors, the
log-likelihood and the chi-square statistics, absolute for p-values.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from helpers.stats.cox import PH_TRANSFORMS, fit_cox, proportional_hazards_test
from helpers.stats.errors import StatsError

from .conftest import ROOT

pytestmark = [pytest.mark.r, pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript not installed")]
TOL = 1e-6
SCRIPT = ROOT / "tests" / "r" / "reference_cox.R"


def _cases() -> dict[str, str]:
    """Case name -> what R does with it ("fit", "aliased", "infinite"), known without R from the script."""
    cases = {}
    for call in re.findall(r"^case\((.*?)\)\n", SCRIPT.read_text(encoding="utf-8"), flags=re.MULTILINE | re.DOTALL):
        name = call.split('"')[1]
        expect = re.search(r'expect = "(\w+)"', call)
        for ties in ("breslow", "efron"):
            cases[f"{name}.{ties}"] = expect.group(1) if expect else "fit"
    return cases


CASES = list(_cases())
FITTED = [case for case, expect in _cases().items() if expect == "fit"]
FITS = {}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("r_cox")
    subprocess.run(["Rscript", str(SCRIPT), str(out)], check=True, capture_output=True)
    cases = pd.read_csv(out / "cases.csv", dtype=str, keep_default_na=False).set_index("case")
    results = pd.read_csv(out / "results.csv", keep_default_na=False)
    data = {name: pd.read_csv(out / f"data_{name}.csv") for name in cases["data"].unique()}
    return cases, results, data


def _fit(reference, case: str):
    cases, results, data = reference
    spec = cases.loc[case]
    covariates = spec["covariates"].split()
    kwargs = {"ties": spec["ties"], "dropna": True}
    if spec["strata"]:
        kwargs["strata"] = spec["strata"].split()
    if spec["weights"]:
        kwargs["weights"] = spec["weights"]
    if spec["cluster"]:
        kwargs["cluster"] = spec["cluster"]
    elif spec["robust"] == "TRUE":
        kwargs["robust"] = True
    expected = results[results["case"] == case]
    return spec, data[spec["data"]], spec["time"], spec["status"], covariates, kwargs, expected


def _value(expected: pd.DataFrame, quantity: str, term: str = "") -> float:
    row = expected[(expected["quantity"] == quantity) & (expected["term"] == term)]
    assert len(row) == 1, (quantity, term)
    return float(row["value"].iloc[0])


def _close(ours: float, theirs: float, *, absolute: bool = False) -> bool:
    scale = 1.0 if absolute else max(1.0, abs(theirs))
    return abs(ours - theirs) <= TOL * scale


def test_the_script_defines_the_cases(reference):
    cases, _, _ = reference
    assert dict(cases["expect"]) == _cases()


@pytest.mark.parametrize("case", CASES)
def test_coxph(reference, case):
    spec, data, time, status, covariates, kwargs, expected = _fit(reference, case)
    if spec["expect"] == "aliased":
        aliased = expected.loc[expected["quantity"] == "aliased", "term"].tolist()
        with pytest.raises(StatsError, match="aliased") as err:
            fit_cox(data, time, status, covariates, **kwargs)
        named = [c for c in covariates if f"'{c}'" in str(err.value)]
        assert named == aliased  # only the covariate(s) R reports as NA
        return
    if spec["expect"] == "infinite":
        infinite = expected.loc[expected["quantity"] == "infinite", "term"].tolist()
        with pytest.raises(StatsError, match="no finite maximum") as err:
            fit_cox(data, time, status, covariates, **kwargs)
        named = [c for c in covariates if f"'{c}'" in str(err.value)]
        assert named == infinite  # only the covariate(s) R warns about
        return
    assert not (expected["quantity"] == "infinite").any()
    res = fit_cox(data, time, status, covariates, **kwargs)
    summary = res.summary.set_index("covariate")
    for c in covariates:
        assert _close(summary.loc[c, "coef"], _value(expected, "coef", c)), c
        assert _close(summary.loc[c, "se_naive"], _value(expected, "se_naive", c)), c
        assert _close(summary.loc[c, "se"], _value(expected, "se", c)), c
    assert _close(res.loglik, _value(expected, "loglik"))
    assert res.n == _value(expected, "n")
    assert res.events == _value(expected, "events")
    assert res.n_dropped == _value(expected, "n_dropped")
    assert res.robust == (bool(spec["cluster"]) or spec["robust"] == "TRUE")


@pytest.mark.parametrize("transform", PH_TRANSFORMS)
@pytest.mark.parametrize("case", FITTED)
def test_cox_zph(reference, case, transform):
    _, data, time, status, covariates, kwargs, expected = _fit(reference, case)
    if case not in FITS:  # one fit per case for the four transforms
        FITS[case] = fit_cox(data, time, status, covariates, **kwargs)
    table = proportional_hazards_test(FITS[case], transform=transform).to_frame().set_index("covariate")
    assert table.index.tolist() == [*covariates, "GLOBAL"]
    for term in table.index:
        r_stat = _value(expected, f"zph_{transform}", term)
        r_p = _value(expected, f"zph_{transform}_p", term)
        assert _close(table.loc[term, "statistic"], r_stat), (term, table.loc[term, "statistic"], r_stat)
        assert _close(table.loc[term, "p_value"], r_p, absolute=True), (term, table.loc[term, "p_value"], r_p)
    assert table.loc["GLOBAL", "df"] == len(covariates)


def test_the_cases_cover_what_they_claim(reference):
    cases, _, _ = reference
    assert (cases["strata"].str.split().str.len() == 2).any()  # two stratification columns
    assert ((cases["strata"] != "") & (cases["weights"] != "")).any()
    assert ((cases["cluster"] != "") & (cases["weights"] != "")).any()
    assert ((cases["robust"] == "TRUE") & (cases["cluster"] == "")).any()
    assert set(cases["expect"]) == {"fit", "aliased", "infinite"}
    assert np.isin(["breslow", "efron"], cases["ties"]).all()
