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
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..paper.published import GROUP_KEYS, REGIMEN_KEYS, TABLE1_KEYS, published
from ..paper.registry import RATE_TIMES, SUBGROUP_KEYS, VARIABLE_FROM_KEY, quantity, registry
from ..printed import parse_printed
from ..stats.cox import fit_cox, univariate_cox
from ..stats.survival import fit_km, logrank, median_follow_up, median_survival
from ..study import cohort as C
from ..study.design import ALPHA, COX_TABLES, ENDPOINTS, REPORTED_LANDMARKS, SAFETY_ROWS
from ..study.design import COX_ENTRY_P as ENTRY_P
from ..study.pipeline import StudyResults, run_all
from ..study.propensity import match_study
from .generator import (
    GeneratorParams,
    PiecewiseExponential,
    covariates_only,
    generate_cohort,
)

# Generator tolerances: tighter than the audit's where the generator aims straight at a number.
MEDIAN_TOL = 0.10
RATE_TOL = 2.0  # percentage points
HR_TOL = 0.03
COX_HR_TOL = 0.15
STRATA_MEDIAN_TOL = 0.2
FOLLOW_UP_TOL = 1.0
# The paper's multivariable model (the covariates it entered; Tables 4 and 5 list the same four).
MULTIVARIABLE = tuple(VARIABLE_FROM_KEY[k] for k in published("table4_cox_pfs.multivariate_covariates"))
COX_KEYS = {v: TABLE1_KEYS[v][0] for v in C.TABLE1_VARIABLES}

# Targets the paper makes impossible or that the generator does not aim at, and why.
DROPPED_TARGETS = {key: q.unattainable for key, q in registry().items() if q.unattainable} | {
    "Figures 3C–D · 1L-PFS strata · landmark rates other than those aimed at": (
        "The 1L-PFS strata rates do not average back to the group's rates; only the medians are aimed at."
    ),
    "Every number after PSM": "After-PSM numbers follow from the matching analysis; they are not generator targets.",
}


@dataclass(frozen=True)
class Target:
    """A published number the generator aims at, and how close it must come.

    ``rule`` is ``"exact"``, ``"within"`` (± ``tolerance``) or ``"side"`` (on
    the same side of the threshold ``tolerance`` as the printed value). The
    value achieved is read from the registry, as the audit reads it.
    """

    key: str
    rule: str
    tolerance: float = 0.0
    suffix: str = ""

    @property
    def kind(self) -> str:
        return {"exact": "exact", "within": "within"}.get(self.rule, f"same side of {self.tolerance:g}")

    def measure(self, results: StudyResults) -> dict:
        pub = published(self.key)
        achieved = quantity(self.key).reproduce(results)
        if self.rule == "side":
            met = (float(achieved) < self.tolerance) == parse_printed(pub).below(self.tolerance)
        else:
            met = abs(float(achieved) - float(pub)) <= self.tolerance + 1e-9
        return {
            "target": self.key + self.suffix,
            "published": pub,
            "achieved": achieved,
            "tolerance": self.tolerance,
            "kind": self.kind,
            "met": bool(met),
        }


def generator_targets() -> list[Target]:
    """Every published number the generator aims at, in the order of the Data chapter's table."""
    out: list[Target] = []
    for group, gkey in GROUP_KEYS.items():
        out += [
            Target(f"table1.characteristics.{char}.levels.{level}.before_psm.{gkey}.n", "exact")
            for char, level in TABLE1_KEYS.values()
        ]
        out += [Target(f"table2_response.before_psm.{gkey}.{row}.n", "exact") for row in ("cr", "pr", "sd", "pd")]
        out += [Target(f"table3_safety.rows.{row}.{gkey}.n", "exact") for row, *_ in SAFETY_ROWS]
        tkey = "icis_group" if group == C.GROUP_ICI else "non_icis_group"
        regimens = C.ICI_REGIMENS if group == C.GROUP_ICI else C.NON_ICI_REGIMENS
        out += [Target(f"treatment.{tkey}.regimen_categories.{REGIMEN_KEYS[r]}.n", "exact") for r in regimens]
        if group == C.GROUP_ICI:
            out += [Target(f"treatment.icis_group.ici_agents.{a}.n", "exact") for a in C.ICI_AGENTS]
        out += [Target(f"treatment.{tkey}.cycles.{stat}", "exact") for stat in ("median", "range_min", "range_max")]
    out += [Target(f"cohort.age_years.{stat}", "exact") for stat in ("median", "range_min", "range_max")]
    for endpoint in ENDPOINTS:
        for gkey in GROUP_KEYS.values():
            base = f"efficacy.before_psm.{endpoint}.{gkey}"
            out.append(Target(f"{base}.median", "within", MEDIAN_TOL))
            out += [Target(f"{base}.{rate}", "within", RATE_TOL) for rate in _reported_rates(endpoint)]
        out.append(Target(f"efficacy.before_psm.{endpoint}.hr", "within", HR_TOL))
        out.append(Target(f"efficacy.before_psm.{endpoint}.p", "side", ALPHA))
    out.append(Target("cohort.median_follow_up_months", "within", FOLLOW_UP_TOL))
    for table in COX_TABLES.values():
        for var in C.TABLE1_VARIABLES:
            key = f"{table}.rows.{COX_KEYS[var]}.univariate"
            out += [
                Target(f"{key}.hr", "within", COX_HR_TOL),
                Target(f"{key}.p", "side", ALPHA),
                Target(f"{key}.p", "side", ENTRY_P, " (multivariable entry)"),
            ]
    for endpoint in ENDPOINTS:
        out += [Target(f"liver_mets.{endpoint}.{lv}.median", "within", STRATA_MEDIAN_TOL) for lv in LIVER_LEVELS]
    # targets added for the fidelity audit, with the audit's tolerances (Tables 4-5: HR ±0.15;
    # Figures 2-3: HR ±0.10, medians ±0.30; main comparisons: CI bounds ±0.30, medians ±0.15)
    for table in COX_TABLES.values():
        for var in MULTIVARIABLE:
            key = f"{table}.rows.{COX_KEYS[var]}.multivariate"
            out.append(Target(f"{key}.hr", "within", COX_HR_TOL))
            if f"{key}.p" not in DROPPED_TARGETS:
                out.append(Target(f"{key}.p", "side", ALPHA))
    for name in SUBGROUP_KEYS:
        key = f"subgroups.os.significant_subgroups.{name}"
        out += [Target(f"{key}.hr", "within", 0.10), Target(f"{key}.p", "side", ALPHA)]
    for endpoint in ENDPOINTS:
        out += [Target(f"first_line_pfs.{endpoint}.{lv}.median", "within", 0.30) for lv in ("ge6_months", "lt6_months")]
    for gkey in GROUP_KEYS.values():
        out += [Target(f"efficacy.before_psm.os.{gkey}.{b}", "within", 0.30) for b in ("ci95_low", "ci95_high")]
    out.append(Target("efficacy.whole_population_before_psm.median_pfs_months", "within", 0.15))
    return out


LIVER_LEVELS = ("with_liver_mets", "without_liver_mets")


def _reported_rates(endpoint: str) -> list[str]:
    by_time = {t: key for key, t in RATE_TIMES.items()}
    return [by_time[int(t)] for t in REPORTED_LANDMARKS[endpoint]]


def response_rows(data: pd.DataFrame) -> list[dict]:
    """Response follows PFS: median PFS rises from PD to SD to PR in each group (not a published number)."""
    rows = []
    for group in C.GROUPS:
        med = data[data["group"] == group].groupby("best_response")["pfs_months"].median()
        ordered = med["PD"] < med["SD"] < med["PR"]
        rows.append(
            {
                "target": f"Best response follows PFS · {group} · median PFS of PD < SD < PR",
                "published": "PD < SD < PR",
                "achieved": " < ".join(f"{med[r]:.2f}" for r in ("PD", "SD", "PR")),
                "tolerance": 0,
                "kind": "qualitative",
                "met": bool(ordered),
            }
        )
    return rows


def check_targets(data: pd.DataFrame) -> pd.DataFrame:
    """Every generator target beside the value achieved on ``data`` (a cohort frame).

    The study's analyses run on the cohort and each target's value is read
    from the registry of published quantities, exactly as the audit reads it.
    """
    return measure_targets(run_all(data))


def measure_targets(results: StudyResults) -> pd.DataFrame:
    """Every generator target beside the value achieved in ``results`` (see :func:`check_targets`)."""
    rows = [target.measure(results) for target in generator_targets()]
    return pd.DataFrame(rows + response_rows(results.cohort))


def _km(data, endpoint):
    return fit_km(data[f"{endpoint}_months"], data[f"{endpoint}_event"])


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
    """Quasi-Newton steps on the 2L-ICIs coefficients towards Tables 4-5 (univariate and multivariable).

    With covariance matrix S of the covariates, a univariate log-HR is about
    sum_k beta_k S_jk / S_jj and a multivariable one (model M) about row j of
    S_MM^-1 S_M. Stacking both for the published HRs gives an over-determined
    linear system; its least-squares solution is the step (damped by 0.8).
    """
    variables = list(C.TABLE1_VARIABLES)
    model = [variables.index(v) for v in MULTIVARIABLE]
    for _ in range(rounds):
        data = C.derive_categories(generate_cohort(params))
        ici = data[data["group"] == C.GROUP_ICI]
        cov = ici[variables].cov().to_numpy()
        uni_sens = cov / np.diag(cov)[:, None]
        multi_sens = np.linalg.solve(cov[np.ix_(model, model)], cov[model, :])
        sensitivity = np.vstack([uni_sens, multi_sens])
        changes = {}
        for endpoint, table in (("pfs", "table4_cox_pfs"), ("os", "table5_cox_os")):
            duration, event = f"{endpoint}_months", f"{endpoint}_event"
            uni = univariate_cox(ici, duration, event, variables).set_index("covariate")
            multi = fit_cox(ici, duration, event, list(MULTIVARIABLE)).summary.set_index("covariate")
            gap = [_log_hr(table, v, "univariate") - float(uni.loc[v, "coef"]) for v in variables]
            gap += [_log_hr(table, v, "multivariate") - float(multi.loc[v, "coef"]) for v in MULTIVARIABLE]
            step, *_ = np.linalg.lstsq(sensitivity, np.array(gap), rcond=None)
            beta = dict(getattr(params.groups[C.GROUP_ICI], f"beta_{endpoint}"))
            changes[f"beta_{endpoint}"] = {v: round(beta[v] + 0.8 * d, 4) for v, d in zip(variables, step, strict=True)}
        params = _replace_group(params, C.GROUP_ICI, **changes)
    return params


# The multivariable OS HR for >= 3 sites is printed as 1.591 with p = 0.052. Its CI is
# much wider than the univariate one, which would need a strong correlation with the
# other covariates that the other HRs of Tables 4-5 rule out; with the correlations
# that fit them, an HR of 1.591 comes out clearly significant. The generator aims at
# 1.47 instead: within the audit's tolerance (±0.15) and as close to the printed p as
# that tolerance allows (its side of 0.05 is listed in DROPPED_TARGETS).
COX_TARGET_OVERRIDES = {("table5_cox_os", "sites_ge3", "multivariate"): 1.47}


def _log_hr(table: str, variable: str, model: str) -> float:
    override = COX_TARGET_OVERRIDES.get((table, variable, model))
    if override is not None:
        return math.log(override)
    return math.log(float(published(f"{table}.rows.{COX_KEYS[variable]}.{model}.hr")))


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
    ("pfs", 3.13, "first_line_pfs_ge6", 0),
    ("pfs", 4.46, "liver_met", 0),
    ("os", 5.32, "liver_met", 1),
    ("os", 6.54, "first_line_pfs_ge6", 0),
    ("os", 8.98, "liver_met", 0),
    ("os", 10.43, "first_line_pfs_ge6", 1),
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
        target = math.log(parse_printed(published(key)).value)

        def excess(p, statistic=statistic, endpoint=endpoint, target=target):
            return math.log(statistic(p, endpoint)) - target

        params = _tune_knot(params, C.GROUP_NON_ICI, f"{endpoint}_knots", t, excess)
    return params


def _whole_median(params, endpoint):
    data = generate_cohort(params)
    return _km(data, endpoint).median()


def _fit_whole_population(params: GeneratorParams) -> GeneratorParams:
    """A 2L-non-ICIs PFS knot at the whole-population median (3.12 months), tuned to put it there."""
    t = float(published("efficacy.whole_population_before_psm.median_pfs_months"))
    return _tune_knot(params, C.GROUP_NON_ICI, "pfs_knots", t, lambda p: _whole_median(p, "pfs") - t, steps=12)


def _median_ci_halfwidth(params, group, endpoint):
    data = generate_cohort(params)
    res = median_survival(_km(data[data["group"] == group], endpoint), style="symmetric")
    return (res.ci_upper - res.ci_lower) / 2


# (group, endpoint, knot time) whose survival value sets the slope of the curve
# around the median, and so the width of the symmetric median CI.
CI_KNOTS = ((C.GROUP_ICI, "os", 7.3), (C.GROUP_NON_ICI, "os", 7.0))


def _fit_median_ci(params: GeneratorParams) -> GeneratorParams:
    """Bisection on a knot just before each OS median for the published CI width.

    A higher knot makes the curve fall faster through 50%, which narrows the
    SE-based interval (its SE divides by the local slope).
    """
    for group, endpoint, t in CI_KNOTS:
        key = f"efficacy.before_psm.{endpoint}.{GROUP_KEYS[group]}"
        target = (float(published(f"{key}.ci95_high")) - float(published(f"{key}.ci95_low"))) / 2

        def excess(p, group=group, endpoint=endpoint, target=target):
            return target - _median_ci_halfwidth(p, group, endpoint)

        params = _tune_knot(params, group, f"{endpoint}_knots", t, excess, steps=12)
    return params


def _subgroup_hr(params, variable, level):
    data = C.derive_categories(generate_cohort(params))
    sub = data[data[variable] == level]
    return fit_cox(sub, "os_months", "os_event", [C.TREATED]).hazard_ratio(C.TREATED)


def _fit_subgroups(params: GeneratorParams) -> GeneratorParams:
    """Bisection on 2L-non-ICIs OS coefficients for the two OS subgroup HRs the paper prints.

    Within the 2L-non-ICIs group the OS curve is fixed, so a larger coefficient
    for a characteristic moves its carriers' deaths earlier and the others'
    later: the treatment HR among carriers falls, among the others it rises.
    """
    for name, (variable, level) in SUBGROUP_KEYS.items():  # subgroups of Figure 2B with a printed HR
        target = math.log(float(published(f"subgroups.os.significant_subgroups.{name}.hr")))
        sign = 1.0 if level == 0 else -1.0  # HR rises with beta for non-carriers, falls for carriers

        def excess(b, params=params, variable=variable, level=level, target=target, sign=sign):
            beta = dict(params.groups[C.GROUP_NON_ICI].beta_os) | {variable: b}
            trial = _replace_group(params, C.GROUP_NON_ICI, beta_os=beta)
            return sign * (math.log(_subgroup_hr(trial, variable, level)) - target)

        b = _bisect(excess, -1.5, 1.5, steps=12)
        beta = dict(params.groups[C.GROUP_NON_ICI].beta_os) | {variable: round(b, 4)}
        params = _replace_group(params, C.GROUP_NON_ICI, beta_os=beta)
    return params


def _after_psm(params):
    data = C.derive_categories(generate_cohort(params))
    return match_study(data).cohort


def _after_psm_hr(params, endpoint):
    matched = _after_psm(params)
    return fit_cox(matched, f"{endpoint}_months", f"{endpoint}_event", [C.TREATED]).hazard_ratio(C.TREATED)


def _after_psm_control_median(params, endpoint):
    matched = _after_psm(params)
    return _km(matched[matched["group"] == C.GROUP_NON_ICI], endpoint).median()


def _fit_block_shifts(params: GeneratorParams) -> GeneratorParams:
    """Bisection on the prognosis of unmatchable patients for the after-PSM comparisons.

    The original study's after-PSM curves imply that the treated patients it
    left unmatched did better than those it kept (the 2L-ICIs 1-year OS falls
    from 37.8% to 34.4% when they are dropped), beyond what their recorded
    characteristics explain. A log-HR shift for the patients the matching
    cannot pair stands for that unrecorded prognosis: the 2L-ICIs shift is
    tuned to the after-PSM HR, the 2L-non-ICIs shift to the after-PSM median
    of the matched controls.
    """
    for endpoint in ENDPOINTS:
        attr = f"unmatched_shift_{endpoint}"
        target_hr = math.log(float(published(f"efficacy.after_psm.{endpoint}.hr")))

        def hr_excess(b, params=params, attr=attr, endpoint=endpoint, target=target_hr):
            trial = _replace_group(params, C.GROUP_ICI, **{attr: b})
            return target - math.log(_after_psm_hr(trial, endpoint))  # a worse unmatched block lifts the kept ones

        params = _replace_group(params, C.GROUP_ICI, **{attr: round(_bisect(hr_excess, -1.5, 1.5, steps=12), 4)})
        target_med = float(published(f"efficacy.after_psm.{endpoint}.non_icis.median"))

        def med_excess(b, params=params, attr=attr, endpoint=endpoint, target=target_med):
            trial = _replace_group(params, C.GROUP_NON_ICI, **{attr: b})
            return _after_psm_control_median(trial, endpoint) - target  # a worse unmatched block lifts the kept ones

        params = _replace_group(params, C.GROUP_NON_ICI, **{attr: round(_bisect(med_excess, -1.5, 1.5, steps=12), 4)})
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


# Tables 4-5 print a multivariable CI for >= 3 sites much wider than the univariate one
# (variance inflation about 1.5): the site count is correlated with the other model
# covariates. Without any such correlation its multivariable OS p-value cannot be near
# the printed 0.052, so the covariate search keeps the inflation at least this high.
SITES_VIF_FLOOR = 1.3
SITES_VIF_WEIGHT = 400.0


def multivariable_vif(x: pd.DataFrame) -> dict[str, float]:
    """Variance inflation factor of each multivariable covariate given the other three."""
    cov = x[list(MULTIVARIABLE)].cov().to_numpy()
    inv = np.linalg.inv(cov)
    return {v: float(cov[i, i] * inv[i, i]) for i, v in enumerate(MULTIVARIABLE)}


def matching_gap(params: GeneratorParams) -> float:
    """How far the generated covariates are from the structure the paper implies (sum of squares).

    Re-running the study's matching: counts per characteristic and group after
    matching against the printed after-PSM counts, with a heavy weight on the
    number of pairs; and a penalty when the variance inflation of >= 3 sites
    within 2L-ICIs falls below :data:`SITES_VIF_FLOOR`.
    """
    x = covariates_only(params)
    try:
        psm = match_study(x)
    except ValueError:
        return float("inf")
    matched = psm.cohort
    ici = x[x["group"] == C.GROUP_ICI]
    gap = SITES_VIF_WEIGHT * max(0.0, SITES_VIF_FLOOR - multivariable_vif(ici)["sites_ge3"]) ** 2
    for group, key in GROUP_KEYS.items():
        sub = matched[matched["group"] == group]
        gap += 25.0 * (len(sub) - int(published(f"cohort.after_psm.{key}"))) ** 2
        for var, (char, level) in TABLE1_KEYS.items():
            target = int(published(f"table1.characteristics.{char}.levels.{level}.after_psm.{key}.n"))
            gap += float(int(sub[var].sum()) - target) ** 2
    return gap


def _fit_loadings(params: GeneratorParams, sweeps: int = 3, log: Callable[[str], None] = print) -> GeneratorParams:
    """Coordinate search on the factor loadings of every covariate block.

    Objective: :func:`matching_gap`. Each loading (both factors) tries steps of
    ±0.2 and ±0.1 (each within ±0.9, squared norm at most 0.95) and keeps a step
    only if the gap shrinks. Covariates do not depend on the survival settings,
    so this runs before everything else.
    """
    best = matching_gap(params)
    for sweep in range(sweeps):
        for group in C.GROUPS:
            for block in params.groups[group].loadings:
                for var, factor, step in itertools.product(C.TABLE1_VARIABLES, (0, 1), (0.2, -0.2, 0.1, -0.1)):
                    loadings = {
                        b: {v: list(lam) for v, lam in vs.items()} for b, vs in params.groups[group].loadings.items()
                    }
                    lam = loadings[block].setdefault(var, [0.0, 0.0])
                    lam[factor] = round(lam[factor] + step, 2)
                    if abs(lam[factor]) > 0.9 or lam[0] ** 2 + lam[1] ** 2 > 0.95:
                        continue
                    trial = _replace_group(params, group, loadings=loadings)
                    gap = matching_gap(trial)
                    if gap < best - 1e-9:
                        params, best = trial, gap
        log(f"loadings sweep {sweep + 1}: matching gap {best:.0f}")
    return params


def _fit_accrual(params: GeneratorParams) -> GeneratorParams:
    target = float(published("cohort.median_follow_up_months"))

    def f(growth):
        data = generate_cohort(dataclasses.replace(params, accrual_growth=growth))
        return target - median_follow_up(data["os_months"], data["os_event"]).estimate

    return dataclasses.replace(params, accrual_growth=round(_bisect(f, 0.0, 8.0, steps=16), 4))


def calibrate(params: GeneratorParams, cycles: int = 10, log: Callable[[str], None] = print) -> GeneratorParams:
    """Tune coefficients, knots and accrual so the generated cohort meets its targets.

    First a coordinate search on the covariate loadings so that re-running the
    study's matching gives its after-PSM Table 1 (:func:`_fit_loadings`). Then
    each cycle: (1) quasi-Newton steps on the 2L-ICIs Cox coefficients towards
    the published univariate and multivariable HRs; (1b) the prognosis of the
    unmatched covariate blocks for the after-PSM comparisons; (2) bisection on two
    2L-non-ICIs OS coefficients for the printed subgroup HRs; (3) bisection on
    the 2L-ICIs curve knots at the liver-metastasis and first-line-PFS strata
    medians; (4) bisection on the 24-month
    OS knots for the 2-year rates, which censoring makes noisy; (5) knots next to
    the OS medians for the width of their symmetric CIs, and a 2L-non-ICIs PFS
    knot for the whole-population median; (6) bisection on
    the accrual growth for the median follow-up; (7) bisection on one early knot
    of each 2L-non-ICIs curve for the treatment contrast (last: the OS log-rank
    p sits near 0.05 and moves with every other step). Stops at the first cycle
    that meets every target, else returns the best cycle (fewest missed
    targets, then smallest shortfall). Deterministic: same input, same output.
    """
    params = _fit_loadings(params, log=log)
    best, best_score = params, (math.inf, math.inf)
    for cycle in range(1, cycles + 1):
        params = _fit_betas(params)
        params = _fit_block_shifts(params)
        params = _fit_subgroups(params)
        params = _fit_stratum_knots(params)
        params = _fit_tails(params)
        params = _fit_median_ci(params)
        params = _fit_whole_population(params)
        params = _fit_accrual(params)
        params = _fit_contrast(params)
        report = check_targets(generate_cohort(params))
        missed = report.loc[~report["met"], "target"].tolist()
        score = (len(missed), _shortfall(report))
        log(f"calibration cycle {cycle}: {len(report) - len(missed)}/{len(report)} targets met {missed}")
        if score < best_score:
            best, best_score = params, score
        if not missed:
            break
    return best


def _shortfall(report: pd.DataFrame) -> float:
    """Sum over missed numeric targets of how many tolerances they miss by (ranks equal counts)."""
    rows = report[(~report["met"]) & (report["kind"] == "within")]
    return float(sum(abs(float(r.achieved) - float(r.published)) / r.tolerance - 1 for r in rows.itertuples()))
