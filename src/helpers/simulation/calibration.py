"""Fitting the structural model's free parameters to the paper's printed numbers.

:func:`calibrate` starts from :func:`declared_params` (the model's assumptions:
factor loadings, covariate log-HRs from Tables 4 and 5, the share of PFS events
that are deaths) and solves, in this order, each step exactly or by a
deterministic one- or three-parameter fit:

1. the latent thresholds, so that a fixed reference population of
   :attr:`~.structural.StructuralParams.reference_size` patients has Table 1's
   pooled prevalences;
2. the propensity model's 12 coefficients, so that in the reference population
   the expected share treated is 200/496 and the expected prevalences among the
   treated are Table 1's 2L-ICI column (moment equations; the logistic model's
   score equations with the printed proportions as data);
3. the PFS baseline hazard, one piece at a time, so that the untreated arm's
   marginal survival (averaged over the untreated patients' characteristics)
   passes through the 2L-non-ICI median, 6- and 12-month rates;
4. the conditional PFS treatment log-HR, by least squares on the
   complementary log-log scale through the 2L-ICI median and rates;
5. the post-progression baseline hazard (three pieces) through the 2L-non-ICI
   OS median, 1- and 2-year rates, and then the post-progression treatment
   log-HR through the 2L-ICI ones;
6. the loss-to-follow-up rate, so that the censoring distribution's median
   (what the reverse Kaplan–Meier estimate targets) is the printed median
   follow-up.

Marginal survival curves are computed, not simulated: PFS in closed form and
OS by numerical convolution of PFS with post-progression survival, over the
distinct covariate patterns of the reference population. So the calibration
rewrites the parameter file byte for byte the same on every run.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
from scipy import optimize, special

from ..paper.published import GROUP_KEYS, TABLE1_KEYS, published
from ..study import cohort as C
from ..synthetic.generator import STARTING_LOADINGS
from .structural import (
    VARIABLES,
    PiecewiseHazard,
    StructuralParams,
    covariates_from_latent,
    follow_up_survival,
    latent_scores,
)

VERSION = 1
DEATH_SHARE = 0.10  # share of PFS events that are deaths without progression (declared)
PPS_BREAKS = (0.0, 3.0, 9.0)  # months since progression
OS_GRID_STEP = 0.01  # months, for the PFS x post-progression convolution

# the generator's starting loadings ("disease burden" factor; first-line ICI, sex, smoking)
LOADINGS = {name: list(pair) for name, pair in STARTING_LOADINGS.items()}


# --- the paper's numbers ----------------------------------------------------------------


def _count(variable: str, group: str) -> int:
    char, level = TABLE1_KEYS[variable]
    return int(published(f"table1.characteristics.{char}.levels.{level}.before_psm.{GROUP_KEYS[group]}.n"))


def group_size(group: str) -> int:
    return int(published(f"cohort.before_psm.{GROUP_KEYS[group]}"))


def table_log_hr(table: str, variable: str) -> float:
    """The published log-HR of a characteristic: multivariable where printed, univariate otherwise."""
    char, _ = TABLE1_KEYS[variable]
    row = published(f"{table}.rows.{char}")
    hr = row["multivariate"]["hr"] if row["multivariate"]["hr"] is not None else row["univariate"]["hr"]
    return round(float(np.log(hr)), 6)


def curve_points(endpoint: str, group: str) -> list[tuple[float, float]]:
    """(months, survival) points the paper prints for a group's curve before matching."""
    base = f"efficacy.before_psm.{endpoint}.{GROUP_KEYS[group]}"
    points = [(float(published(f"{base}.median")), 0.5)]
    for name, t in (("rate_6_month_pct", 6.0), ("rate_1_year_pct", 12.0), ("rate_2_year_pct", 24.0)):
        try:
            points.append((t, float(published(f"{base}.{name}")) / 100))
        except KeyError:
            pass
    return sorted(points)


def targets() -> dict:
    """Every printed number the calibration fits, by name (recorded in the parameter file)."""
    n1, n0 = group_size(C.GROUP_ICI), group_size(C.GROUP_NON_ICI)
    return {
        "treated_share": n1 / (n1 + n0),
        "pooled_prevalence": {v: (_count(v, C.GROUP_ICI) + _count(v, C.GROUP_NON_ICI)) / (n1 + n0) for v in VARIABLES},
        "treated_prevalence": {v: _count(v, C.GROUP_ICI) / n1 for v in VARIABLES},
        "pfs_untreated": curve_points("pfs", C.GROUP_NON_ICI),
        "pfs_treated": curve_points("pfs", C.GROUP_ICI),
        "os_untreated": curve_points("os", C.GROUP_NON_ICI),
        "os_treated": curve_points("os", C.GROUP_ICI),
        "median_follow_up": float(published("cohort.median_follow_up_months")),
    }


def declared_params() -> StructuralParams:
    """The assumptions, with placeholders where the calibration will solve."""
    flat = PiecewiseHazard([0.0], [0.1])
    return StructuralParams(
        version=VERSION,
        loadings=LOADINGS,
        thresholds=dict.fromkeys(VARIABLES, 0.0),
        propensity_intercept=0.0,
        propensity=dict.fromkeys(VARIABLES, 0.0),
        pfs_log_hr={v: table_log_hr("table4_cox_pfs", v) for v in VARIABLES},
        pfs_treatment_log_hr=0.0,
        pfs_baseline=flat,
        death_share=DEATH_SHARE,
        pps_log_hr={v: table_log_hr("table5_cox_os", v) for v in VARIABLES},
        pps_treatment_log_hr=0.0,
        pps_baseline=flat,
        loss_rate=0.01,
        notes=(
            "Structural model of the simulation chapter: the book's assumptions, not the original study's data. "
            "Rewritten by `python -m helpers simulate-calibrate`."
        ),
    )


# --- the reference population -----------------------------------------------------------------


@lru_cache(maxsize=4)
def _reference_latent(loadings_key: tuple, seed: int, size: int) -> np.ndarray:
    latent = latent_scores(np.random.default_rng(seed), size, dict(loadings_key))
    latent.setflags(write=False)
    return latent


def reference_latent(params: StructuralParams) -> np.ndarray:
    key = tuple((k, tuple(v)) for k, v in params.loadings.items())
    return _reference_latent(key, params.reference_seed, params.reference_size)


def solve_thresholds(latent: np.ndarray, prevalence: dict[str, float]) -> dict[str, float]:
    """Thresholds giving each characteristic exactly its prevalence in the reference population."""
    n = latent.shape[0]

    def cut(values: np.ndarray, k: int) -> float:
        s = np.sort(values)
        m = s.size - k  # k values above the cut
        return float((s[m - 1] + s[m]) / 2) if 0 < m < s.size else float(s[0] - 1 if m <= 0 else s[-1] + 1)

    out = {}
    for j, v in enumerate(VARIABLES):
        if v != "sites_ge3":
            out[v] = cut(latent[:, j], round(prevalence[v] * n))
    organ = sum((latent[:, VARIABLES.index(c)] > out[c]).astype(int) for c in C.METASTASIS_COLUMNS)
    forced = organ >= 3
    need = round(prevalence["sites_ge3"] * n) - int(forced.sum())
    out["sites_ge3"] = cut(latent[~forced, VARIABLES.index("sites_ge3")], need)
    return {v: round(out[v], 8) for v in VARIABLES}


def patterns(x: np.ndarray, weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Distinct covariate rows and their total weight (count without weights)."""
    codes = x.astype(np.int64) @ (1 << np.arange(x.shape[1]))
    uniq, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    w = np.ones(x.shape[0]) if weights is None else weights
    return x[first].astype(float), np.bincount(inverse, weights=w, minlength=uniq.size)


def solve_propensity(x: np.ndarray, treated_share: float, treated_prevalence: dict[str, float]):
    """Logistic coefficients with E[e(X)] = share and E[X e(X)] / E[e(X)] = prevalence among the treated."""
    px, count = patterns(x)
    z = np.column_stack([np.ones(len(px)), px])
    n = count.sum()
    m = treated_share * np.concatenate([[1.0], [treated_prevalence[v] for v in VARIABLES]])
    theta = np.zeros(z.shape[1])
    theta[0] = special.logit(treated_share)
    for _ in range(100):
        e = special.expit(z @ theta)
        grad = z.T @ (count * e) / n - m
        hess = (z * (count * e * (1 - e))[:, None]).T @ z / n
        step = np.linalg.solve(hess, grad)
        theta -= step
        if np.max(np.abs(step)) < 1e-12:
            break
    return float(theta[0]), {v: float(b) for v, b in zip(VARIABLES, theta[1:], strict=True)}


def intercept_for_share(x: np.ndarray, coef: np.ndarray, share: float) -> float:
    """The intercept that makes the mean propensity equal ``share`` (for scenarios that rescale the model)."""
    px, count = patterns(x)
    lin = px @ coef
    return float(optimize.brentq(lambda a: np.dot(count, special.expit(a + lin)) / count.sum() - share, -30, 30))


# --- marginal survival curves ---------------------------------------------------------------------


def marginal_pfs(times, hazard: PiecewiseHazard, eta: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Weighted mean over patterns of exp(-H0(t) exp(eta))."""
    h0 = hazard.cumulative(np.atleast_1d(np.asarray(times, float)))
    return (weight[:, None] * np.exp(-np.exp(eta)[:, None] * h0[None, :])).sum(axis=0) / weight.sum()


def marginal_os(
    times, pfs_hazard: PiecewiseHazard, eta_p, pps_hazard: PiecewiseHazard, eta_s, weight, death_share: float
) -> np.ndarray:
    """Weighted mean of P(OS > t | pattern): PFS beyond t, or progression at u < t and post-progression beyond t - u."""
    out = []
    rp, rs = np.exp(eta_p)[:, None], np.exp(eta_s)[:, None]
    for t in np.atleast_1d(np.asarray(times, float)):
        grid = np.linspace(0.0, t, max(2, int(np.rint(t / OS_GRID_STEP)) + 1))
        sp = np.exp(-rp * pfs_hazard.cumulative(grid)[None, :])
        d_f = sp[:, :-1] - sp[:, 1:]  # P(PFS in each grid cell)
        mid = (grid[:-1] + grid[1:]) / 2
        ss = np.exp(-rs * pps_hazard.cumulative(t - mid)[None, :])
        per_pattern = sp[:, -1] + (1 - death_share) * (d_f * ss).sum(axis=1)
        out.append(float(np.dot(weight, per_pattern) / weight.sum()))
    return np.array(out)


def _cloglog(s) -> np.ndarray:
    return np.log(-np.log(np.asarray(s, float)))


def _fit_scalar(objective: Callable[[float], float], bounds=(-3.0, 3.0)) -> float:
    res = optimize.minimize_scalar(objective, bounds=bounds, method="bounded", options={"xatol": 1e-10})
    return round(float(res.x), 6)


def solve_pfs_baseline(points, eta: np.ndarray, weight: np.ndarray) -> PiecewiseHazard:
    """Piecewise-constant hazard through the points, one piece at a time (the last piece continues)."""
    times = [t for t, _ in points]
    breaks = [0.0, *times[:-1]]
    hazards: list[float] = []
    for t, s in points:

        def miss(h, t=t, s=s):
            trial = PiecewiseHazard(breaks[: len(hazards) + 1], [*hazards, h])
            return marginal_pfs([t], trial, eta, weight)[0] - s

        hazards.append(round(float(optimize.brentq(miss, 1e-6, 20.0, xtol=1e-14)), 8))
    return PiecewiseHazard(breaks, hazards)


def solve_pps_baseline(points, pfs: PiecewiseHazard, eta_p, eta_s, weight, death_share) -> PiecewiseHazard:
    """Three post-progression hazard pieces through the untreated arm's OS points."""
    times = np.array([t for t, _ in points])
    target = _cloglog([s for _, s in points])

    def resid(log_h):
        pps = PiecewiseHazard(list(PPS_BREAKS), list(np.exp(log_h)))
        return _cloglog(marginal_os(times, pfs, eta_p, pps, eta_s, weight, death_share)) - target

    fit = optimize.least_squares(resid, np.log([0.15, 0.15, 0.15]), xtol=1e-12, ftol=1e-12, gtol=1e-12)
    return PiecewiseHazard(list(PPS_BREAKS), [round(float(h), 8) for h in np.exp(fit.x)])


def solve_loss_rate(median_follow_up: float) -> float:
    """Loss-to-follow-up rate that puts the censoring distribution's median at the printed median follow-up."""
    rate = optimize.brentq(lambda r: follow_up_survival([median_follow_up], r)[0] - 0.5, 0.0, 1.0, xtol=1e-14)
    return round(float(rate), 8)


def calibrate(params: StructuralParams | None = None, log=lambda message: None) -> StructuralParams:
    """Solve every free parameter from the printed numbers (deterministic; see the module docstring)."""
    params = params or declared_params()
    goal = targets()
    latent = reference_latent(params)
    thresholds = solve_thresholds(latent, goal["pooled_prevalence"])
    x = covariates_from_latent(latent, np.array([thresholds[v] for v in VARIABLES]))
    log(f"thresholds: {len(thresholds)} characteristics at their pooled prevalence in {len(x):,} reference patients")
    intercept, coef = solve_propensity(x, goal["treated_share"], goal["treated_prevalence"])
    log(f"propensity model: intercept {intercept:.4f}")
    px, count = patterns(x)
    e = special.expit(intercept + px @ np.array([coef[v] for v in VARIABLES]))
    w1, w0 = count * e, count * (1 - e)
    eta_p = px @ params.vector("pfs_log_hr")
    eta_s = px @ params.vector("pps_log_hr")
    pfs0 = solve_pfs_baseline(goal["pfs_untreated"], eta_p, w0)
    log(f"PFS baseline hazards: {pfs0.hazards}")
    t1 = np.array([t for t, _ in goal["pfs_treated"]])
    c1 = _cloglog([s for _, s in goal["pfs_treated"]])
    beta = _fit_scalar(lambda b: float(np.sum((_cloglog(marginal_pfs(t1, pfs0, eta_p + b, w1)) - c1) ** 2)))
    log(f"conditional PFS treatment log-HR: {beta:.4f} (HR {np.exp(beta):.3f})")
    pps0 = solve_pps_baseline(goal["os_untreated"], pfs0, eta_p, eta_s, w0, params.death_share)
    log(f"post-progression baseline hazards: {pps0.hazards}")
    t_os = np.array([t for t, _ in goal["os_treated"]])
    c_os = _cloglog([s for _, s in goal["os_treated"]])

    def os_miss(g):
        s = marginal_os(t_os, pfs0, eta_p + beta, pps0, eta_s + g, w1, params.death_share)
        return float(np.sum((_cloglog(s) - c_os) ** 2))

    gamma = _fit_scalar(os_miss)
    log(f"post-progression treatment log-HR: {gamma:.4f} (HR {np.exp(gamma):.3f})")
    loss = solve_loss_rate(goal["median_follow_up"])
    log(f"loss to follow-up: {loss:.5f} per month")
    return StructuralParams(
        **{
            **params.__dict__,
            "thresholds": thresholds,
            "propensity_intercept": round(intercept, 8),
            "propensity": {v: round(b, 8) for v, b in coef.items()},
            "pfs_baseline": pfs0,
            "pfs_treatment_log_hr": beta,
            "pps_baseline": pps0,
            "pps_treatment_log_hr": gamma,
            "loss_rate": loss,
            "targets": goal,
        }
    )


def reference_population(params: StructuralParams) -> tuple[np.ndarray, np.ndarray]:
    """The reference population's characteristics and true propensity scores (for scenarios and checks)."""
    x = covariates_from_latent(reference_latent(params), params.vector("thresholds"))
    return x, special.expit(params.propensity_intercept + x @ params.vector("propensity"))
