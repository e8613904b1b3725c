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


# --- issue 10: the proportional-hazards test is the exact score test of R's cox.zph (survival >= 3.0)

# R's survival::ovarian (26 patients): futime, fustat, age, resid.ds, rx, ecog.ps
OVARIAN = [
    (59, 1, 72.3315, 2, 1, 1), (115, 1, 74.4932, 2, 1, 1), (156, 1, 66.4658, 2, 1, 2), (421, 0, 53.3644, 2, 2, 1),
    (431, 1, 50.3397, 2, 1, 1), (448, 0, 56.4301, 1, 1, 2), (464, 1, 56.9370, 2, 2, 2), (475, 1, 59.8548, 2, 2, 2),
    (477, 0, 64.1753, 2, 1, 1), (563, 1, 55.1781, 1, 2, 2), (638, 1, 56.7562, 1, 1, 2), (744, 0, 50.1096, 1, 2, 1),
    (769, 0, 59.6301, 2, 2, 2), (770, 0, 57.0521, 2, 2, 1), (803, 0, 39.2712, 1, 1, 1), (855, 0, 43.1233, 1, 1, 2),
    (1040, 0, 38.8932, 2, 1, 2), (1106, 0, 44.6000, 1, 1, 1), (1129, 0, 53.9068, 1, 2, 1), (1206, 0, 44.2055, 2, 2, 1),
    (1227, 0, 59.5890, 1, 2, 2), (268, 1, 74.5041, 2, 1, 2), (329, 1, 43.1370, 2, 1, 1), (353, 1, 63.2192, 1, 2, 2),
    (365, 1, 64.4247, 2, 2, 1), (377, 0, 58.3096, 1, 2, 1),
]  # fmt: skip
OVARIAN_COVARIATES = ["age", "ecog_ps", "rx"]


@pytest.fixture
def ovarian() -> pd.DataFrame:
    frame = pd.DataFrame(OVARIAN, columns=["futime", "fustat", "age", "resid_ds", "rx", "ecog_ps"])
    # time in units of 200 days: heavy ties, so Breslow and Efron differ
    return frame.assign(t200=np.ceil(frame["futime"] / 200))


# R 4.x, survival 3.5.3: cox.zph(coxph(Surv(time, fustat) ~ age + ecog.ps + rx, ovarian, ties = ties),
# transform = transform)$table, rows age, ecog.ps, rx, GLOBAL
R_ZPH = {
    ("futime", "breslow", "km"): (
        [0.223036544224, 2.6716987316, 0.777931087166, 3.93044084367],
        [0.636735900806, 0.102146944203, 0.377774634627, 0.269073887503],
    ),
    ("futime", "breslow", "rank"): (
        [0.254420986659, 2.70636585988, 0.685259540443, 3.90940969873],
        [0.613979185171, 0.0999484480158, 0.40778148233, 0.271413865472],
    ),
    ("futime", "breslow", "identity"): (
        [0.465422521455, 2.43857542744, 0.460650661546, 3.64938234938],
        [0.495100594616, 0.118383693537, 0.497320042573, 0.301898248353],
    ),
    ("t200", "breslow", "km"): (
        [0.254503561138, 1.64550324959, 0.0279186371127, 2.08405432403],
        [0.613921682446, 0.199572069552, 0.867300249006, 0.555145412115],
    ),
    ("t200", "breslow", "rank"): (
        [0.249264216567, 1.68183014519, 0.0399905633083, 2.1121277286],
        [0.617593642289, 0.194681446677, 0.841499033, 0.549463140461],
    ),
    ("t200", "breslow", "identity"): (
        [0.362659639932, 1.52841674539, 0.0960294137676, 2.06109682335],
        [0.54703283715, 0.216350218627, 0.756647550387, 0.559823143944],
    ),
    ("t200", "efron", "km"): (
        [0.454319882569, 1.99507238863, 0.0665581337196, 2.78497843936],
        [0.500290617882, 0.157811525522, 0.796415681458, 0.425978706871],
    ),
    ("t200", "efron", "rank"): (
        [0.456790965811, 2.03378960689, 0.0870426809839, 2.81640683496],
        [0.499127550771, 0.153836605365, 0.767970988259, 0.420806176723],
    ),
    ("t200", "efron", "identity"): (
        [0.565561342714, 1.90717851202, 0.161446826148, 2.79056738054],
        [0.452028131346, 0.167277011195, 0.687827937658, 0.425055049017],
    ),
}


@pytest.mark.parametrize(("time", "ties", "transform"), list(R_ZPH))
def test_ph_test_is_current_cox_zph(ovarian, time, ties, transform):
    res = fit_cox(ovarian, time, "fustat", OVARIAN_COVARIATES, ties=ties)
    table = proportional_hazards_test(res, transform=transform).to_frame()
    chisq, p = R_ZPH[(time, ties, transform)]
    assert table["covariate"].tolist() == [*OVARIAN_COVARIATES, "GLOBAL"]
    np.testing.assert_allclose(table["statistic"], chisq, rtol=1e-6)
    np.testing.assert_allclose(table["p_value"], p, atol=1e-7)
    assert table["df"].tolist() == [1, 1, 1, 3]


def _brute_loglik(time, event, x, theta, g, ties):
    """Log partial likelihood of the model with covariates x and x·g(t), by loops over event times."""
    p = x.shape[1]
    beta, gamma = theta[:p], theta[p:]
    total = 0.0
    for t in np.unique(time[event == 1]):
        at_risk = time >= t
        dying = (time == t) & (event == 1)
        eta = x @ beta + (x @ gamma) * g(t)
        total += eta[dying].sum()
        d = int(dying.sum())
        for step in range(d):
            share = step / d if ties == "efron" else 0.0
            total -= np.log(np.exp(eta[at_risk]).sum() - share * np.exp(eta[dying]).sum())
    return total


@pytest.mark.parametrize("ties", ["breslow", "efron"])
def test_ph_test_is_the_score_test_of_a_time_varying_effect_by_hand(ovarian, ties):
    # The score test of gamma = 0 in the model x·beta + x·g(t)·gamma, g(t) = t centred on the
    # events, with score and information from finite differences of a brute-force likelihood.
    res = fit_cox(ovarian, "t200", "fustat", OVARIAN_COVARIATES, ties=ties)
    time = ovarian["t200"].to_numpy(float)
    event = ovarian["fustat"].to_numpy(int)
    x = ovarian[OVARIAN_COVARIATES].to_numpy(float)
    centre = time[event == 1].mean()
    theta = np.r_[res.summary["coef"].to_numpy(), np.zeros(3)]
    f = lambda th: _brute_loglik(time, event, x, th, lambda t: t - centre, ties)  # noqa: E731
    h, k = 1e-4, theta.size
    eye = np.eye(k) * h
    score = np.array([(f(theta + eye[a]) - f(theta - eye[a])) / (2 * h) for a in range(k)])
    info = np.empty((k, k))
    for a in range(k):
        for b in range(k):
            info[a, b] = -(
                f(theta + eye[a] + eye[b]) - f(theta + eye[a] - eye[b]) - f(theta - eye[a] + eye[b])
                + f(theta - eye[a] - eye[b])
            ) / (4 * h * h)  # fmt: skip
    u = np.r_[np.zeros(3), score[3:]]
    expected = [
        u[[0, 1, 2, 3 + j]] @ np.linalg.solve(info[np.ix_([0, 1, 2, 3 + j], [0, 1, 2, 3 + j])], u[[0, 1, 2, 3 + j]])
        for j in range(3)
    ]
    expected.append(u @ np.linalg.solve(info, u))
    table = proportional_hazards_test(res, transform="identity").to_frame()
    np.testing.assert_allclose(table["statistic"], expected, rtol=1e-4)


def test_ph_test_refuses_an_unknown_transform(ovarian):
    res = fit_cox(ovarian, "futime", "fustat", ["age"])
    with pytest.raises(StatsError, match="transform must be one of"):
        proportional_hazards_test(res, transform="square")


# --- issue 10: checks of the model


def _random(n: int = 300, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1 = rng.integers(0, 2, n).astype(float)
    x2 = rng.normal(size=n)
    t = rng.exponential(1 / np.exp(0.5 * x1 - 0.3 * x2))
    c = rng.exponential(2.0, n)
    return pd.DataFrame({"t": np.minimum(t, c), "e": (t <= c).astype(int), "x1": x1, "x2": x2})


def test_aliased_covariate_is_refused_naming_only_it():
    data = _random().assign(x3=lambda f: 2 * f["x1"] - f["x2"] + 1)
    with pytest.raises(StatsError, match="aliased") as err:
        fit_cox(data, "t", "e", ["x1", "x2", "x3"])
    message = str(err.value)
    assert "'x3'" in message and "'x1'" not in message and "'x2'" not in message
    # the later covariate of the collinear set is the one named, as R marks it NA
    with pytest.raises(StatsError, match="'x1'"):
        fit_cox(data, "t", "e", ["x2", "x3", "x1"])


def test_covariate_constant_within_strata_is_aliased_with_them():
    data = _random().assign(site=lambda f: np.arange(len(f)) % 5, site_level=lambda f: f["site"] * 0.5)
    with pytest.raises(StatsError, match="'site_level' is constant within every stratum"):
        fit_cox(data, "t", "e", ["x1", "site_level"], strata="site")


def test_covariate_without_information_in_any_risk_set_is_refused():
    # z varies only among patients censored before the first event: no risk set sees it vary
    data = pd.DataFrame(
        {"t": [0.5, 0.6, 1, 2, 3, 4, 5, 6], "e": [0, 0, 1, 1, 0, 1, 1, 0], "x": [0, 1, 1, 0, 1, 0, 1, 0],
         "z": [1, 2, 0, 0, 0, 0, 0, 0]}
    )  # fmt: skip
    with pytest.raises(StatsError, match="'z' does not vary within any risk set"):
        fit_cox(data, "t", "e", ["x", "z"])


def test_separated_covariate_is_refused_whatever_its_scale():
    # every patient with level 10 fails before any patient with level 0: the likelihood
    # rises without bound in the coefficient (R: "coefficient may be infinite")
    data = _random()
    early = data["t"] < data["t"].median()
    for scale in (1, 10, 0.01):
        frame = data.assign(sep=scale * early.astype(float))
        with pytest.raises(StatsError, match="no finite maximum") as err:
            fit_cox(frame, "t", "e", ["x2", "sep"])
        assert "'sep'" in str(err.value) and "'x2'" not in str(err.value)


def test_large_coefficient_on_a_small_scale_is_estimated():
    # beta = -33 per unit of a covariate with SD 0.01: a modest effect (0.33 per SD), well estimated
    rng = np.random.default_rng(11)
    z = rng.normal(scale=0.01, size=400)
    t = rng.exponential(1 / np.exp(-33 * z))
    data = pd.DataFrame({"t": t, "e": 1, "z": z, "z100": 100 * z})
    small = fit_cox(data, "t", "e", ["z"]).summary.iloc[0]
    unit = fit_cox(data, "t", "e", ["z100"]).summary.iloc[0]
    assert abs(small["coef"]) > 15 and small["p_value"] < 1e-6
    assert small["coef"] == pytest.approx(100 * unit["coef"], rel=1e-8)
    assert small["se"] == pytest.approx(100 * unit["se"], rel=1e-8)


@pytest.mark.parametrize(
    ("column", "value", "pattern"),
    [
        ("x2", np.nan, r"covariate 'x2': row 4 is missing \(NaN\)"),
        ("e", np.nan, r"event_col 'e': row 4 is missing"),
        ("e", 2, r"event_col 'e': row 4 is not coded 0/1"),
        ("t", np.nan, r"duration_col 't': row 4 is missing"),
        ("t", -1.0, r"duration_col 't': row 4 is negative"),
        ("x1", np.inf, r"covariate 'x1': row 4 is infinite"),
    ],
)
def test_bad_values_are_refused_naming_column_and_row(column, value, pattern):
    data = _random()
    data[column] = data[column].astype(float)
    data.loc[3, column] = value
    with pytest.raises(StatsError, match=pattern):
        fit_cox(data, "t", "e", ["x1", "x2"])


def test_one_two_coded_events_get_a_hint():
    data = _random().assign(status=lambda f: f["e"] + 1)
    with pytest.raises(StatsError, match="1 = censored / 2 = event"):
        fit_cox(data, "t", "status", ["x1"])


def test_dropna_drops_incomplete_rows_and_counts_them():
    data = _random()
    holed = data.copy()
    holed.loc[[2, 5], "x2"] = np.nan
    holed.loc[7, "t"] = np.nan
    res = fit_cox(holed, "t", "e", ["x1", "x2"], dropna=True)
    complete = fit_cox(data.drop(index=[2, 5, 7]), "t", "e", ["x1", "x2"])
    assert res.n_dropped == 3 and res.n == len(data) - 3
    pd.testing.assert_frame_equal(res.summary, complete.summary)
    # with dropna, rows in messages still count the data as passed
    holed.loc[9, "t"] = -1.0
    with pytest.raises(StatsError, match="row 10 is negative"):
        fit_cox(holed, "t", "e", ["x1", "x2"], dropna=True)


# --- issue 10: weights, robust variance, clusters, strata


def test_weight_two_is_a_duplicated_row():
    data = _random(80)
    w = np.where(np.arange(80) % 3 == 0, 2.0, 1.0)
    doubled = pd.concat([data, data[w == 2]], ignore_index=True)
    weighted = fit_cox(data.assign(w=w), "t", "e", ["x1", "x2"], weights="w")
    dup = fit_cox(doubled, "t", "e", ["x1", "x2"])
    np.testing.assert_allclose(weighted.summary["coef"], dup.summary["coef"], rtol=1e-9)
    np.testing.assert_allclose(weighted.summary["se"], dup.summary["se"], rtol=1e-8)
    assert weighted.loglik == pytest.approx(dup.loglik, rel=1e-10)
    # Efron's correction sees a duplicated event as a tie of two, a weight of 2 as one event
    # of weight 2 (as in R), so the two differ there by design
    efron = fit_cox(data.assign(w=w), "t", "e", ["x1", "x2"], weights="w", ties="efron")
    assert not np.allclose(
        efron.summary["coef"], fit_cox(doubled, "t", "e", ["x1", "x2"], ties="efron").summary["coef"]
    )


def test_robust_and_cluster_columns():
    data = _random()
    naive = fit_cox(data, "t", "e", ["x1", "x2"])
    robust = fit_cox(data, "t", "e", ["x1", "x2"], robust=True)
    own = fit_cox(data.assign(id=np.arange(len(data))), "t", "e", ["x1", "x2"], cluster="id")
    np.testing.assert_allclose(robust.summary["coef"], naive.summary["coef"])
    np.testing.assert_allclose(robust.summary["se_naive"], naive.summary["se"])
    assert not np.allclose(robust.summary["se"], naive.summary["se"])
    np.testing.assert_allclose(own.summary["se"], robust.summary["se"], rtol=1e-12)  # one row per cluster
    assert own.robust and own.n_clusters == len(data) and robust.n_clusters is None
    z = robust.summary["coef"] / robust.summary["se"]
    np.testing.assert_allclose(robust.summary["z"], z)
    with pytest.raises(StatsError, match="cluster"):
        fit_cox(data.assign(id=1), "t", "e", ["x1"], cluster="id", robust=False)


def test_stratified_fit_maximises_the_sum_of_stratum_likelihoods_by_hand():
    data = _random(120).assign(site=lambda f: np.arange(len(f)) % 3, t=lambda f: np.ceil(f["t"] * 4))  # ties
    covs = ["x1", "x2"]
    for ties in ("breslow", "efron"):
        res = fit_cox(data, "t", "e", covs, strata="site", ties=ties)
        assert res.n_strata == 3 and res.strata == ("site",)

        def loglik(beta, ties=ties):
            return sum(
                _brute_loglik(
                    s["t"].to_numpy(), s["e"].to_numpy(), s[covs].to_numpy(), np.r_[beta, 0, 0], lambda t: 0, ties
                )
                for _, s in data.groupby("site")
            )

        beta = res.summary["coef"].to_numpy()
        assert res.loglik == pytest.approx(loglik(beta), rel=1e-10)
        h, eye = 1e-4, np.eye(2) * 1e-4
        grad = [(loglik(beta + eye[a]) - loglik(beta - eye[a])) / (2 * h) for a in range(2)]
        np.testing.assert_allclose(grad, 0, atol=1e-5)
        hess = [[(loglik(beta + eye[a] + eye[b]) - loglik(beta + eye[a] - eye[b]) - loglik(beta - eye[a] + eye[b])
                  + loglik(beta - eye[a] - eye[b])) / (4 * h * h) for b in range(2)] for a in range(2)]  # fmt: skip
        se = np.sqrt(np.diag(np.linalg.inv(-np.array(hess))))
        np.testing.assert_allclose(res.summary["se"], se, rtol=1e-4)
    one = fit_cox(data.assign(site=0), "t", "e", covs, strata="site")
    pd.testing.assert_frame_equal(one.summary, fit_cox(data, "t", "e", covs).summary, rtol=1e-10)
