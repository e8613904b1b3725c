"""Cox models: fitting, the P < 0.15 screen, subgroup effects and the PH test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.stats.cox import (
    cox_table,
    fit_cox,
    proportional_hazards_test,
    select_multivariable,
    subgroup_effects,
)
from helpers.stats.errors import StatsError
from helpers.stats.survival import logrank
from helpers.study import cohort as C


@pytest.fixture(scope="module")
def data(cohort):
    return C.derive_categories(cohort)


def test_two_patient_breslow_by_hand():
    # Two patients, x = 1 dies at t=1, x = 0 dies at t=2. Partial likelihood
    # L(b) = e^b / (e^b + 1): increasing in b, no finite maximum -> not estimable.
    frame = pd.DataFrame({"t": [1.0, 2.0, 3.0], "e": [1, 1, 0], "x": [1, 0, 1]})
    # with a third censored patient (x=1, t=3): L(b) = e^b/(2e^b+1) * 1/(e^b+1)
    # d/db log L = 1 - 2e^b/(2e^b+1) - e^b/(e^b+1) = 0  ->  2e^{2b} = 1 -> b = -log(2)/2
    res = fit_cox(frame, "t", "e", ["x"])
    assert res.summary["coef"].iloc[0] == pytest.approx(-np.log(2) / 2, abs=1e-5)


def test_score_test_matches_logrank_without_ties(data):
    # Without tied event times the Cox score test for a 0/1 covariate is the log-rank test;
    # the Wald test of the fitted model is close to it (same data, large sample).
    res = fit_cox(data, "pfs_months", "pfs_event", [C.TREATED])
    lr = logrank(data["pfs_months"], data["pfs_event"], data[C.TREATED])
    assert res.summary["z"].iloc[0] ** 2 == pytest.approx(lr.statistic, rel=0.05)


def test_model_errors_name_the_problem(data):
    ici = data[data["group"] == C.GROUP_ICI]
    with pytest.raises(StatsError, match="'treated' has a single level"):
        fit_cox(ici, "os_months", "os_event", [C.TREATED])
    with pytest.raises(StatsError, match="no events"):
        fit_cox(data.assign(none=0), "os_months", "none", [C.TREATED])
    with pytest.raises(StatsError, match="too few patients"):
        fit_cox(data.head(1), "os_months", "os_event", [C.TREATED])
    with pytest.raises(StatsError, match="not in the data"):
        fit_cox(data, "os_months", "os_event", ["nope"])
    with pytest.raises(ValueError, match="ties"):
        fit_cox(data, "os_months", "os_event", [C.TREATED], ties="exact")


def test_screen_keeps_p_below_threshold():
    uni = pd.DataFrame({"covariate": ["a", "b", "c"], "p_value": [0.149, 0.15, 0.01]})
    assert select_multivariable(uni) == ["a", "c"]
    assert select_multivariable(uni, entry_p=0.05) == ["c"]


def test_cox_table_fits_the_screened_model(data):
    ici = data[data["group"] == C.GROUP_ICI]
    table = cox_table(ici, "pfs_months", "pfs_event", C.TABLE1_VARIABLES)
    selected = table.loc[table["in_multivariable"], "covariate"].tolist()
    assert selected == table.loc[table["uni_p_value"] < 0.15, "covariate"].tolist()
    direct = fit_cox(ici, "pfs_months", "pfs_event", selected).summary.set_index("covariate")
    for var in selected:
        assert table.set_index("covariate").loc[var, "multi_estimate"] == pytest.approx(direct.loc[var, "estimate"])
    assert table.loc[~table["in_multivariable"], "multi_estimate"].isna().all()


def test_subgroup_effects_match_direct_fits(data):
    out = subgroup_effects(data, "os_months", "os_event", C.TREATED, ["liver_met"])
    assert out["level"].tolist() == [1, 0]
    no_liver = data[data["liver_met"] == 0]
    direct = fit_cox(no_liver, "os_months", "os_event", [C.TREATED]).summary.iloc[0]
    row = out[out["level"] == 0].iloc[0]
    assert row["estimate"] == pytest.approx(direct["estimate"])
    assert row["n"] == len(no_liver)
    inter = data.assign(ix=data[C.TREATED] * data["liver_met"])
    full = fit_cox(inter, "os_months", "os_event", [C.TREATED, "liver_met", "ix"]).summary
    assert row["p_interaction"] == pytest.approx(full["p_value"].iloc[2])


def test_subgroup_with_one_arm_is_reported_not_raised(data):
    tiny = data[(data["group"] == C.GROUP_ICI) | (data["liver_met"] == 0)].copy()
    tiny = tiny[~((tiny["liver_met"] == 1) & (tiny["group"] == C.GROUP_NON_ICI))]
    out = subgroup_effects(tiny, "os_months", "os_event", C.TREATED, ["liver_met"])
    one_arm = out[out["level"] == 1].iloc[0]
    assert np.isnan(one_arm["estimate"]) and "single level" in one_arm["note"]


def _simulated(hazard_ratio_late: float, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 600
    x = rng.integers(0, 2, n)
    # piecewise hazards: HR 1 before t = 1, `hazard_ratio_late` after
    t_early = rng.exponential(1.0, n)
    late = t_early > 1
    rate_late = np.where(x == 1, hazard_ratio_late, 1.0)
    t = np.where(late, 1 + rng.exponential(1 / rate_late), t_early)
    return pd.DataFrame({"t": t, "e": 1, "x": x})


def test_ph_test_flags_a_changing_hazard_ratio():
    stable = fit_cox(_simulated(1.0), "t", "e", ["x"])
    changing = fit_cox(_simulated(4.0), "t", "e", ["x"])
    assert proportional_hazards_test(stable).to_frame().set_index("covariate").loc["x", "p_value"] > 0.05
    assert proportional_hazards_test(changing).to_frame().set_index("covariate").loc["x", "p_value"] < 0.001


def test_ph_test_has_a_global_row(data):
    res = fit_cox(data, "os_months", "os_event", [C.TREATED, "liver_met"])
    out = proportional_hazards_test(res).to_frame()
    assert out["covariate"].tolist() == [C.TREATED, "liver_met", "GLOBAL"]
    assert out.iloc[-1]["df"] == 2
