"""Generator targets, their check on a cohort, and the calibration that meets them.

:func:`check_targets` measures a cohort against every generator target (the
check table of the book's *Data* chapter, and what the tests enforce).
:func:`calibrate` tunes the free generator parameters (Cox coefficients,
survival-curve knots, accrual growth) by deterministic fixed-point and
bisection steps; ``python -m helpers calibrate`` runs it and rewrites
``data/synthetic/generator_params.json``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from . import cohort as C
from .analysis import SAFETY_ROWS, baseline_table, response_table, safety_table
from .cox import fit_cox, univariate_cox
from .published import GROUP_KEYS, REGIMEN_KEYS, TABLE1_KEYS, published
from .survival import fit_km, logrank, median_follow_up
from .synthetic import (
    GeneratorParams,
    PiecewiseExponential,
    generate_cohort,
)

MEDIAN_TOL = 0.10
RATE_TOL = 2.0  # percentage points
HR_TOL = 0.03
COX_HR_TOL = 0.15
STRATA_MEDIAN_TOL = 0.2
FOLLOW_UP_TOL = 1.0
ALPHA = 0.05
MULTIVARIABLE = ("lung_met", "liver_met", "sites_ge3", "first_line_pfs_ge6")
COX_KEYS = {v: TABLE1_KEYS[v][0] for v in C.TABLE1_VARIABLES}
LANDMARKS = {
    "pfs": {"rate_6_month_pct": 6.0, "rate_1_year_pct": 12.0},
    "os": {"rate_1_year_pct": 12.0, "rate_2_year_pct": 24.0},
}
ENDPOINTS = ("pfs", "os")

# Targets the paper makes impossible or that the generator does not aim at, and why.
DROPPED_TARGETS = {
    "first_line_pfs.pfs.ge6_months.rate_6_month_pct": "54.6% at 6 months is impossible beside a 4.46-month median (S(6) <= S(4.46) <= 50%).",
    "first_line_pfs.os.ge6_months.rate_1_year_pct": "60.0% at 1 year is impossible beside a 10.43-month median.",
    "first_line_pfs (other strata rates)": "The 1L-PFS strata rates do not average back to the group's rates; only the medians are aimed at.",
    "after_psm.*": "After-PSM numbers follow from the matching analysis; they are not generator targets.",
}


def _p(value) -> float:
    """A published p-value as a number ('<0.001' -> 0.0005 for side-of-0.05 checks)."""
    return 0.0005 if isinstance(value, str) and value.startswith("<") else float(value)


# --- measuring a cohort ----------------------------------------------------------


def _row(target, published_value, achieved, tolerance, kind, met=None):
    if met is None:
        met = abs(float(achieved) - float(published_value)) <= tolerance + 1e-9
    return {
        "target": target,
        "published": published_value,
        "achieved": achieved,
        "tolerance": tolerance,
        "kind": kind,
        "met": bool(met),
    }


def exact_count_rows(data: pd.DataFrame) -> list[dict]:
    """Every count the generator must reproduce exactly, measured with the analysis tables."""
    rows = []
    table1 = baseline_table(data).set_index(["variable", "level"])
    response = response_table(data).set_index("row")
    safety = safety_table(data).set_index("row")
    for group, key in GROUP_KEYS.items():
        sub = data[data["group"] == group]
        for var, (char, level) in TABLE1_KEYS.items():
            k = f"table1.characteristics.{char}.levels.{level}.before_psm.{key}.n"
            rows.append(_row(k, published(k), int(table1.loc[(var, 1), f"n_{group}"]), 0, "exact"))
        for row_key in ("cr", "pr", "sd", "pd"):
            k = f"table2_response.before_psm.{key}.{row_key}.n"
            rows.append(_row(k, published(k), int(response.loc[row_key, f"n_{group}"]), 0, "exact"))
        for row_key, *_ in SAFETY_ROWS:
            k = f"table3_safety.rows.{row_key}.{key}.n"
            rows.append(_row(k, published(k), int(safety.loc[row_key, f"n_{group}"]), 0, "exact"))
        tkey = "icis_group" if group == C.GROUP_ICI else "non_icis_group"
        regimens = C.ICI_REGIMENS if group == C.GROUP_ICI else C.NON_ICI_REGIMENS
        for reg in regimens:
            k = f"treatment.{tkey}.regimen_categories.{REGIMEN_KEYS[reg]}.n"
            rows.append(_row(k, published(k), int((sub["regimen"] == reg).sum()), 0, "exact"))
        if group == C.GROUP_ICI:
            for agent in C.ICI_AGENTS:
                k = f"treatment.icis_group.ici_agents.{agent}.n"
                rows.append(_row(k, published(k), int((sub["ici_agent"] == agent).sum()), 0, "exact"))
        for stat, fn in (("median", "median"), ("range_min", "min"), ("range_max", "max")):
            k = f"treatment.{tkey}.cycles.{stat}"
            rows.append(_row(k, published(k), float(getattr(sub["cycles"], fn)()), 0, "exact"))
    for stat, fn in (("median", "median"), ("range_min", "min"), ("range_max", "max")):
        k = f"cohort.age_years.{stat}"
        rows.append(_row(k, published(k), float(getattr(data["age"], fn)()), 0, "exact"))
    return rows


def _km(data, endpoint):
    return fit_km(data[f"{endpoint}_months"], data[f"{endpoint}_event"])


def survival_rows(data: pd.DataFrame) -> list[dict]:
    """Medians, landmark rates, treatment HRs and follow-up before PSM."""
    rows = []
    for endpoint in ENDPOINTS:
        for group, key in GROUP_KEYS.items():
            km = _km(data[data["group"] == group], endpoint)
            base = f"efficacy.before_psm.{endpoint}.{key}"
            rows.append(_row(f"{base}.median", published(f"{base}.median"), km.median(), MEDIAN_TOL, "within"))
            for name, t in LANDMARKS[endpoint].items():
                rows.append(
                    _row(f"{base}.{name}", published(f"{base}.{name}"), 100 * km.survival_at(t), RATE_TOL, "within")
                )
        cox = fit_cox(data, f"{endpoint}_months", f"{endpoint}_event", [C.TREATED])
        hr = cox.hazard_ratio(C.TREATED)
        rows.append(
            _row(
                f"efficacy.before_psm.{endpoint}.hr",
                published(f"efficacy.before_psm.{endpoint}.hr"),
                hr,
                HR_TOL,
                "within",
            )
        )
        p = logrank(data[f"{endpoint}_months"], data[f"{endpoint}_event"], data["group"]).p_value
        pub_p = published(f"efficacy.before_psm.{endpoint}.p")
        rows.append(
            _row(
                f"efficacy.before_psm.{endpoint}.p",
                pub_p,
                p,
                ALPHA,
                "same side of 0.05",
                met=(p < ALPHA) == (_p(pub_p) < ALPHA),
            )
        )
    fu = median_follow_up(data["os_months"], data["os_event"]).estimate
    rows.append(
        _row("cohort.median_follow_up_months", published("cohort.median_follow_up_months"), fu, FOLLOW_UP_TOL, "within")
    )
    return rows


def cox_rows(data: pd.DataFrame) -> list[dict]:
    """Univariate Cox HRs within the 2L-ICIs group (Tables 4 and 5)."""
    ici = data[data["group"] == C.GROUP_ICI]
    rows = []
    for endpoint, table in (("pfs", "table4_cox_pfs"), ("os", "table5_cox_os")):
        uni = univariate_cox(ici, f"{endpoint}_months", f"{endpoint}_event", C.TABLE1_VARIABLES).set_index("covariate")
        for var in C.TABLE1_VARIABLES:
            key = f"{table}.rows.{COX_KEYS[var]}.univariate"
            pub_hr, pub_p = published(f"{key}.hr"), published(f"{key}.p")
            hr, p = float(uni.loc[var, "estimate"]), float(uni.loc[var, "p_value"])
            rows.append(_row(f"{key}.hr", pub_hr, hr, COX_HR_TOL, "within"))
            rows.append(_row(f"{key}.p", pub_p, p, ALPHA, "same side of 0.05", met=(p < ALPHA) == (_p(pub_p) < ALPHA)))
    return rows


def strata_rows(data: pd.DataFrame) -> list[dict]:
    """Medians by liver metastases within 2L-ICIs (Figure 3A/B)."""
    ici = data[data["group"] == C.GROUP_ICI]
    rows = []
    for endpoint in ENDPOINTS:
        for level, name in ((1, "with_liver_mets"), (0, "without_liver_mets")):
            key = f"liver_mets.{endpoint}.{name}.median"
            km = _km(ici[ici["liver_met"] == level], endpoint)
            rows.append(_row(key, published(key), km.median(), STRATA_MEDIAN_TOL, "within"))
    return rows


def response_rows(data: pd.DataFrame) -> list[dict]:
    """Response follows PFS: median PFS rises from PD to SD to PR in each group."""
    rows = []
    for group in C.GROUPS:
        med = data[data["group"] == group].groupby("best_response")["pfs_months"].median()
        ordered = med["PD"] < med["SD"] < med["PR"]
        rows.append(
            _row(
                f"response ordered by PFS ({group}): PD < SD < PR",
                "PD < SD < PR",
                " < ".join(f"{med[r]:.2f}" for r in ("PD", "SD", "PR")),
                0,
                "qualitative",
                met=ordered,
            )
        )
    return rows


def check_targets(data: pd.DataFrame) -> pd.DataFrame:
    """Every generator target beside the value achieved on ``data`` (a cohort frame)."""
    data = C.derive_categories(data)
    rows = exact_count_rows(data) + survival_rows(data) + cox_rows(data) + strata_rows(data) + response_rows(data)
    return pd.DataFrame(rows)


# --- calibration -----------------------------------------------------------------


def _replace_group(params: GeneratorParams, group: str, **changes) -> GeneratorParams:
    groups = dict(params.groups)
    groups[group] = dataclasses.replace(groups[group], **changes)
    return dataclasses.replace(params, groups=groups)


def _set_knot(knots, t, s):
    return [[kt, s if math.isclose(kt, t) else ks] for kt, ks in knots]


def _knot_value(knots, t):
    return next(ks for kt, ks in knots if math.isclose(kt, t))


def _bisect(f: Callable[[float], float], lo: float, hi: float, steps: int = 18) -> float:
    """Root of an increasing step function f on [lo, hi] (midpoint of the last bracket)."""
    f_lo, f_hi = f(lo), f(hi)
    if f_lo > 0 or f_hi < 0:
        return lo if abs(f_lo) < abs(f_hi) else hi
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        if f(mid) < 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _curves_ordered(gp) -> bool:
    """Every PFS quantile lies below the OS quantile by 0.1 month (or 20%): PFS <= OS is feasible."""
    levels = np.linspace(0.001, 0.999, 999)
    pfs = PiecewiseExponential.from_knots(gp.pfs_knots).inverse(levels)
    os_ = PiecewiseExponential.from_knots(gp.os_knots).inverse(levels)
    return bool(np.all(pfs <= os_ - np.minimum(0.1, 0.2 * os_)))


def _ordered_bounds(params, group, attr, t, lo, hi):
    """Shrink [lo, hi] for the knot at t until both ends keep PFS below OS."""
    knots = getattr(params.groups[group], attr)

    def ok(s):
        return _curves_ordered(dataclasses.replace(params.groups[group], **{attr: _set_knot(knots, t, s)}))

    current = _knot_value(knots, t)
    if not ok(current):
        raise ValueError(f"{group} {attr}: the PFS curve crosses the OS curve before calibration")
    for end in ("lo", "hi"):
        bad = lo if end == "lo" else hi
        if ok(bad):
            continue
        good = current
        for _ in range(30):
            mid = 0.5 * (good + bad)
            good, bad = (mid, bad) if ok(mid) else (good, mid)
        lo, hi = (good, hi) if end == "lo" else (lo, good)
    return lo, hi


def _fit_betas(params: GeneratorParams, rounds: int = 6) -> GeneratorParams:
    """Quasi-Newton steps on the 2L-ICIs coefficients: match Table 4-5 univariate HRs.

    A univariate log-HR picks up the coefficients of correlated covariates, about
    coef_j = sum_k beta_k Cov(x_j, x_k) / Var(x_j); the step solves that linear
    system for the change in beta that removes the current gap (damped by 0.8).
    """
    variables = list(C.TABLE1_VARIABLES)
    for _ in range(rounds):
        data = C.derive_categories(generate_cohort(params))
        ici = data[data["group"] == C.GROUP_ICI]
        cov = ici[variables].cov().to_numpy()
        sensitivity = cov / np.diag(cov)[:, None]
        changes = {}
        for endpoint, table in (("pfs", "table4_cox_pfs"), ("os", "table5_cox_os")):
            uni = univariate_cox(ici, f"{endpoint}_months", f"{endpoint}_event", variables).set_index("covariate")
            gap = np.array(
                [
                    math.log(float(published(f"{table}.rows.{COX_KEYS[v]}.univariate.hr"))) - float(uni.loc[v, "coef"])
                    for v in variables
                ]
            )
            step = np.linalg.solve(sensitivity, gap)
            beta = dict(getattr(params.groups[C.GROUP_ICI], f"beta_{endpoint}"))
            changes[f"beta_{endpoint}"] = {v: round(beta[v] + 0.8 * d, 4) for v, d in zip(variables, step, strict=True)}
        params = _replace_group(params, C.GROUP_ICI, **changes)
    return params


def _stratum_median(params, endpoint, variable, level):
    data = C.derive_categories(generate_cohort(params))
    sub = data[(data["group"] == C.GROUP_ICI) & (data[variable] == level)]
    return _km(sub, endpoint).median()


def _treatment_p(params, endpoint):
    data = generate_cohort(params)
    return logrank(data[f"{endpoint}_months"], data[f"{endpoint}_event"], data["group"]).p_value


def _treatment_hr(params, endpoint):
    data = C.derive_categories(generate_cohort(params))
    return fit_cox(data, f"{endpoint}_months", f"{endpoint}_event", [C.TREATED]).hazard_ratio(C.TREATED)


def _tune_knot(params, group, attr, t, excess, steps=14) -> GeneratorParams:
    """Bisection on S(t) of one curve knot so that ``excess(params)`` reaches 0.

    ``excess`` must increase with the knot's survival value. The search stays
    between the neighbouring knots and keeps the PFS curve below the OS curve.
    """
    knots = getattr(params.groups[group], attr)
    idx = next(i for i, (kt, _) in enumerate(knots) if math.isclose(kt, t))
    hi = 1.0 - 1e-3 if idx == 0 else knots[idx - 1][1] - 1e-3
    lo = knots[idx + 1][1] + 1e-3
    lo, hi = _ordered_bounds(params, group, attr, t, lo, hi)

    def trial(s):
        return excess(_replace_group(params, group, **{attr: _set_knot(knots, t, s)}))

    s = _bisect(trial, lo, hi, steps=steps)
    return _replace_group(params, group, **{attr: _set_knot(knots, t, round(s, 4))})


# (endpoint, knot time, stratum variable, level): the overall 2L-ICIs curve gets a
# knot at each published stratum median, tuned so that the stratum's median lands there.
STRATUM_KNOTS = (
    ("pfs", 2.74, "liver_met", 1),
    ("pfs", 4.46, "liver_met", 0),
    ("os", 5.32, "liver_met", 1),
    ("os", 8.98, "liver_met", 0),
)


def _fit_stratum_knots(params: GeneratorParams) -> GeneratorParams:
    for endpoint, t, variable, level in STRATUM_KNOTS:

        def excess(p, endpoint=endpoint, t=t, variable=variable, level=level):
            return _stratum_median(p, endpoint, variable, level) - t

        params = _tune_knot(params, C.GROUP_ICI, f"{endpoint}_knots", t, excess, steps=12)
    return params


# Free knot of the 2L-non-ICIs curve that sets the between-group contrast, and the
# statistic it is tuned to: PFS to the published HR, OS to the published log-rank p.
CONTRAST_KNOTS = {
    "pfs": (1.4, _treatment_hr, "efficacy.before_psm.pfs.hr"),
    "os": (4.0, _treatment_p, "efficacy.before_psm.os.p"),
}


def _fit_contrast(params: GeneratorParams) -> GeneratorParams:
    """Bisection on one early 2L-non-ICIs knot per endpoint.

    Raising the knot improves the 2L-non-ICIs curve, which raises both the HR
    (2L-ICIs vs 2L-non-ICIs) and the log-rank p: the statistic is increasing.
    """
    for endpoint, (t, statistic, key) in CONTRAST_KNOTS.items():
        target = math.log(_p(published(key)))

        def excess(p, statistic=statistic, endpoint=endpoint, target=target):
            return math.log(statistic(p, endpoint)) - target

        params = _tune_knot(params, C.GROUP_NON_ICI, f"{endpoint}_knots", t, excess)
    return params


def _fit_tails(params: GeneratorParams) -> GeneratorParams:
    """Bisection on each group's 24-month OS knot for the published 2-year OS rate.

    Before 12.3 months nobody is censored and the curve's knots are met exactly;
    the 2-year Kaplan–Meier estimate also depends on who is censored, so its
    knot is tuned on the estimate itself.
    """
    for group, key in GROUP_KEYS.items():
        target = float(published(f"efficacy.before_psm.os.{key}.rate_2_year_pct")) / 100

        def excess(p, group=group, target=target):
            data = generate_cohort(p)
            return _km(data[data["group"] == group], "os").survival_at(24.0) - target

        params = _tune_knot(params, group, "os_knots", 24.0, excess)
    return params


def _fit_accrual(params: GeneratorParams) -> GeneratorParams:
    target = float(published("cohort.median_follow_up_months"))

    def f(growth):
        data = generate_cohort(dataclasses.replace(params, accrual_growth=growth))
        return target - median_follow_up(data["os_months"], data["os_event"]).estimate

    return dataclasses.replace(params, accrual_growth=round(_bisect(f, 0.0, 8.0, steps=16), 4))


def calibrate(params: GeneratorParams, cycles: int = 8, log: Callable[[str], None] = print) -> GeneratorParams:
    """Tune coefficients, knots and accrual so the generated cohort meets its targets.

    Each cycle: (1) quasi-Newton steps on the 2L-ICIs Cox coefficients towards
    the published univariate HRs; (2) bisection on the 2L-ICIs curve knots at
    the liver-metastasis strata medians; (3) bisection on the 24-month
    OS knots for the 2-year rates, which censoring makes noisy; (4) bisection on
    the accrual growth for the median follow-up; (5) bisection on one early knot
    of each 2L-non-ICIs curve for the treatment contrast (last: the OS log-rank
    p sits near 0.05 and moves with every other step). Stops at the first cycle
    that meets every target. Deterministic: same input, same output.
    """
    for cycle in range(1, cycles + 1):
        params = _fit_betas(params)
        params = _fit_stratum_knots(params)
        params = _fit_tails(params)
        params = _fit_accrual(params)
        params = _fit_contrast(params)
        report = check_targets(generate_cohort(params))
        missed = report.loc[~report["met"], "target"].tolist()
        log(f"calibration cycle {cycle}: {len(report) - len(missed)}/{len(report)} targets met {missed}")
        if not missed:
            break
    return params
