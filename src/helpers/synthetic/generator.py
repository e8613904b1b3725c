"""A synthetic cohort in the contract of :mod:`helpers.cohort`, calibrated to the paper.

The real patient data are not public. This module builds 496 synthetic patients
whose printed summaries match the original study: exactly where the paper
prints counts, within stated tolerances where it prints survival estimates.

How it is built (see the book's *Data* chapter for the full story):

1. **Covariates with exact margins.** Within each group a Gaussian copula (a
   two-factor latent model) gives every patient 11 correlated latent scores;
   the top *k* scores of each become 1, where *k* is the count the paper prints
   in Table 1. Correlation comes from the factors, exact margins from ranking.
2. **Survival ranks from a proportional-hazards model.** Each patient gets a
   risk score ``x @ beta`` (PFS and OS have their own coefficients) and a
   unit-exponential error; ``log(E) - x @ beta`` orders patients as a Cox model
   with those coefficients would. The PFS and OS errors share a Gaussian
   copula, so a patient who progresses early tends to die early.
3. **Marginal curves fixed to the published points.** The ordered patients
   receive the quantiles of a piecewise-exponential survival curve through the
   published median and landmark rates, so each group's Kaplan–Meier curve
   passes through them. PFS is assigned under the constraint PFS <= OS.
4. **Administrative censoring.** Start dates follow a growing accrual curve,
   and follow-up ends on the data cut-off (2025-01-10).
5. **Response, cycles and adverse events** take the exact printed counts;
   response and cycles follow the PFS order (progressors respond worst).

Cox models and the rank-to-quantile step only depend on ranks, so the
coefficients and curve knots are tuned once by :mod:`helpers.calibration`
and stored in ``data/synthetic/generator_params.json``; generation itself is
a pure function of that file and the seed.
"""

from __future__ import annotations

import functools
import heapq
import json
import re
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ..paper.published import GROUP_KEYS, REGIMEN_KEYS, TABLE1_KEYS, published
from ..paths import COHORT_CSV, PARAMS_JSON
from ..study import cohort as C
from ..study.design import SAFETY_ROWS
from ..study.propensity import match_study

# --- parameters -----------------------------------------------------------------


@dataclass(frozen=True)
class GroupParams:
    """Generator settings for one treatment group."""

    # Latent factor loadings per block and Table 1 variable: [burden, second factor].
    # Blocks: "matched" (the patients the original study kept after matching, with its
    # after-PSM counts) and "unmatched" (the rest, with the before-minus-after counts).
    loadings: dict[str, dict[str, list[float]]]
    beta_pfs: dict[str, float]
    beta_os: dict[str, float]
    # survival curve knots: (months, S(t)); S(0) = 1 is implicit
    pfs_knots: list[list[float]]
    os_knots: list[list[float]]
    # log-HR added for patients the study's matching cannot pair: prognosis not explained
    # by the recorded characteristics (see unmatchable, calibration._fit_block_shifts)
    unmatched_shift_pfs: float = 0.0
    unmatched_shift_os: float = 0.0


@dataclass(frozen=True)
class GeneratorParams:
    seed: int
    groups: dict[str, GroupParams]
    rho_pfs_os: float = 0.75  # Gaussian-copula correlation of the PFS and OS errors
    accrual_growth: float = 4.0  # log growth of the accrual density over the window
    response_noise: float = 0.15  # SD of the noise added to PFS rank (0-1) for response
    cycles_noise: float = 0.15
    center_shares: list[float] = field(default_factory=lambda: [0.5, 0.3, 0.2])
    notes: str = ""

    @classmethod
    def from_json(cls, path: str | Path = PARAMS_JSON) -> GeneratorParams:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        raw["groups"] = {g: GroupParams(**p) for g, p in raw["groups"].items()}
        return cls(**raw)

    def to_json(self, path: str | Path = PARAMS_JSON) -> None:
        """Write the parameters (short lists kept on one line for readable diffs)."""
        text = json.dumps(asdict(self), indent=2)
        text = re.sub(r"\[\s+([^\[\]{}]*?)\s+\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text)
        Path(path).write_text(text + "\n", encoding="utf-8")


# The calibration's starting loadings on the two latent factors: a "disease burden" factor
# (metastases, ECOG) and a second factor (first-line ICI, sex, smoking).
STARTING_LOADINGS = {
    "male": (0.0, 0.3),
    "age_ge65": (0.1, 0.0),
    "smoker": (0.0, 0.3),
    "ecog_ge2": (0.25, 0.0),
    "lung_met": (0.3, 0.0),
    "bone_met": (0.35, 0.0),
    "brain_met": (0.3, 0.0),
    "liver_met": (0.4, 0.0),
    "sites_ge3": (0.6, 0.0),
    "first_line_ici": (0.0, 0.5),
    "first_line_pfs_ge6": (-0.2, 0.0),
}


def initial_params(seed: int = 20250110) -> GeneratorParams:
    """The documented starting point of the calibration.

    Coefficients start at the published log-HRs (multivariable where the paper
    has one, univariate otherwise; the same for both groups). Curve knots are
    the published medians and landmark rates, plus knots of our own: few events
    in the first weeks (0.7 months for PFS, 1 month for OS), and free knots that
    the calibration moves: an early PFS knot before the first scan (1.4 months),
    a knot at each liver-metastasis stratum median, early OS knots and the tails.
    Latent loadings: a 'disease burden' factor on the metastasis variables and
    ECOG, and a second factor shared by first-line ICI, sex and smoking; the
    treated patients outside the matched block start with more metastatic
    sites together (the profile of the patients the study left unmatched).
    """

    def log_hr(values: dict[str, float]) -> dict[str, float]:
        return {k: round(float(np.log(v)), 4) for k, v in values.items()}

    variables = C.TABLE1_VARIABLES
    pfs = dict(
        zip(variables, (1.061, 1.041, 1.126, 1.186, 1.245, 1.139, 1.005, 1.782, 1.831, 0.971, 0.723), strict=True)
    )
    os_ = dict(
        zip(variables, (1.163, 1.145, 1.006, 1.216, 1.161, 1.139, 1.049, 1.816, 1.591, 0.840, 0.670), strict=True)
    )
    base = {name: list(pair) for name, pair in STARTING_LOADINGS.items()}
    treated = base | {"liver_met": [0.5, 0.0]}
    # the treated patients the study could not match carry many metastatic sites together
    left_out = treated | {
        "male": [0.3, 0.0],
        "smoker": [0.2, 0.0],
        "bone_met": [0.4, 0.0],
        "first_line_pfs_ge6": [0.3, 0.0],
    }
    loadings = {"matched": base, "unmatched": base}

    def rate(key: str) -> float:
        return round(float(published(key)) / 100, 4)

    def curve(endpoint: str, group: str, extra: list[list[float]]) -> list[list[float]]:
        base = f"efficacy.before_psm.{endpoint}.{GROUP_KEYS[group]}"
        pts = [[float(published(f"{base}.median")), 0.5]]
        for name, t in (("rate_6_month_pct", 6.0), ("rate_1_year_pct", 12.0), ("rate_2_year_pct", 24.0)):
            try:
                pts.append([t, rate(f"{base}.{name}")])
            except KeyError:
                pass
        return sorted(pts + extra)

    groups = {
        C.GROUP_ICI: GroupParams(
            {"matched": treated, "unmatched": left_out},
            log_hr(pfs),
            log_hr(os_),
            curve(
                "pfs", C.GROUP_ICI, [[0.7, 0.985], [1.4, 0.92], [2.74, 0.66], [3.13, 0.6], [4.46, 0.47], [24.0, 0.04]]
            ),
            curve(
                "os",
                C.GROUP_ICI,
                [
                    [1.0, 0.99],
                    [2.0, 0.95],
                    [5.32, 0.666],
                    [6.54, 0.59],
                    [7.3, 0.54],
                    [8.98, 0.441],
                    [10.43, 0.41],
                    [36.0, 0.02],
                ],
            ),
        ),
        C.GROUP_NON_ICI: GroupParams(
            loadings,
            log_hr(pfs),
            log_hr(os_),
            curve("pfs", C.GROUP_NON_ICI, [[0.7, 0.985], [1.4, 0.88], [3.12, 0.44], [24.0, 0.01]]),
            curve("os", C.GROUP_NON_ICI, [[1.0, 0.99], [4.0, 0.75], [7.0, 0.54], [36.0, 0.01]]),
        ),
    }
    return GeneratorParams(seed=seed, groups=groups, accrual_growth=5.0, response_noise=0.2)


# --- published targets ----------------------------------------------------------


def table1_count(variable: str, group: str) -> int:
    char, level = TABLE1_KEYS[variable]
    return int(published(f"table1.characteristics.{char}.levels.{level}.before_psm.{GROUP_KEYS[group]}.n"))


def group_size(group: str) -> int:
    return int(published(f"cohort.before_psm.{GROUP_KEYS[group]}"))


# --- building blocks (pure functions) -------------------------------------------


def exact_binary(latent: np.ndarray, k: int) -> np.ndarray:
    """1 for the k largest latent values, 0 otherwise (ties broken by position)."""
    out = np.zeros(latent.size, dtype=int)
    if k > 0:
        out[np.argsort(-latent, kind="stable")[:k]] = 1
    return out


def exact_levels(rng: np.random.Generator, counts: dict[str, int]) -> np.ndarray:
    """A random arrangement of a multiset with exactly the given counts."""
    values = np.concatenate([[level] * n for level, n in counts.items()])
    return rng.permutation(values)


@dataclass(frozen=True)
class PiecewiseExponential:
    """A survival curve log-linear between knots (constant hazard per segment).

    Beyond the last knot the last segment's hazard continues.
    """

    times: np.ndarray
    survival: np.ndarray

    @classmethod
    def from_knots(cls, knots) -> PiecewiseExponential:
        k = np.asarray(knots, dtype=float)
        times = np.concatenate([[0.0], k[:, 0]])
        surv = np.concatenate([[1.0], k[:, 1]])
        if np.any(np.diff(times) <= 0) or np.any(np.diff(surv) >= 0) or surv[-1] <= 0:
            raise ValueError(f"knots must increase in time and decrease in survival: {knots}")
        return cls(times, surv)

    def __call__(self, t) -> np.ndarray:
        """S(t)."""
        t = np.asarray(t, dtype=float)
        seg = np.clip(np.searchsorted(self.times, t, side="right") - 1, 0, self.times.size - 2)
        log_k = np.log(self.survival)
        t0, t1 = self.times[seg], self.times[seg + 1]
        return np.exp(log_k[seg] + (t - t0) * (log_k[seg + 1] - log_k[seg]) / (t1 - t0))

    def inverse(self, s) -> np.ndarray:
        """Time t with S(t) = s, for 0 < s <= 1."""
        s = np.asarray(s, dtype=float)
        log_s, log_k = np.log(s), np.log(self.survival)
        seg = np.clip(np.searchsorted(-log_k, -log_s, side="left") - 1, 0, log_k.size - 2)
        t0, t1 = self.times[seg], self.times[seg + 1]
        l0, l1 = log_k[seg], log_k[seg + 1]
        return t0 + (log_s - l0) * (t1 - t0) / (l1 - l0)

    def quantile_times(self, n: int) -> np.ndarray:
        """n ordered times whose empirical survival passes through the curve.

        The k-th time is S^-1(1 - k/n), so an uncensored Kaplan–Meier curve of
        these times steps to 1 - k/n exactly there; the last uses 1/(2n).
        """
        levels = 1.0 - np.arange(1, n + 1) / n
        levels[-1] = 0.5 / n
        return self.inverse(levels)


def constrained_assignment(values: np.ndarray, caps: np.ndarray, preference: np.ndarray) -> np.ndarray:
    """Give each patient one value, value <= cap, following a preferred order.

    Values are handed out from the largest down; each goes to the patient with
    the largest ``preference`` among those whose cap still admits it. With
    nested eligibility this greedy rule finds an assignment whenever one exists.
    Used to give PFS times that never exceed the patient's OS time.
    """
    n = values.size
    order_vals = np.argsort(-values, kind="stable")
    order_caps = np.argsort(-caps, kind="stable")
    result = np.empty(n)
    heap: list[tuple[float, int]] = []
    j = 0
    for i in order_vals:
        v = values[i]
        while j < n and caps[order_caps[j]] >= v:
            p = order_caps[j]
            heapq.heappush(heap, (-preference[p], p))
            j += 1
        if not heap:
            raise ValueError("no assignment with value <= cap exists (PFS curve above OS curve?)")
        _, patient = heapq.heappop(heap)
        result[patient] = v
    return result


def stratified_uniforms(rng: np.random.Generator, strata: np.ndarray) -> np.ndarray:
    """Uniforms spread evenly within each stratum ((i + 0.5) / n, shuffled).

    Even spreading removes most sampling noise from stratum-level summaries
    (e.g. the liver-metastasis medians) without fixing anyone's individual value.
    """
    u = np.empty(strata.size)
    for s in np.unique(strata):
        idx = np.nonzero(strata == s)[0]
        u[idx] = (rng.permutation(idx.size) + 0.5) / idx.size
    return u


def orthogonal_noise(z: np.ndarray, design: np.ndarray) -> np.ndarray:
    """Remove from z its in-sample linear association with the covariates.

    A finite sample of errors is always a little correlated with each
    covariate, which moves the realised hazard ratios away from the model's
    coefficients by chance; the residual of a least-squares fit on the
    covariates (rescaled to unit variance) has no such correlation.
    """
    coef, *_ = np.linalg.lstsq(design, z, rcond=None)
    resid = z - design @ coef
    return resid / resid.std()


def golden_ratio_order(n: int) -> np.ndarray:
    """A low-discrepancy permutation of 0..n-1 (ranks of frac(i * golden ratio))."""
    phi = (np.sqrt(5) - 1) / 2
    return np.argsort(np.argsort((np.arange(n) * phi) % 1.0, kind="stable"), kind="stable")


def accrual_offsets(n: int, growth: float) -> np.ndarray:
    """Days from the window start for n patients under exponentially growing accrual.

    Density proportional to exp(growth * x / W) on [0, W]; deterministic quantiles.
    """
    width = (C.STUDY_END - C.STUDY_START).days
    p = (np.arange(n) + 0.5) / n
    x = width * np.log1p(p * np.expm1(growth)) / growth if growth else width * p
    return np.floor(x).astype(int)


# --- generation ------------------------------------------------------------------


BLOCKS = ("matched", "unmatched")


def block_counts(group: str) -> dict[str, tuple[int, dict[str, int]]]:
    """Size and Table 1 counts of each covariate block of a group.

    The original study printed Table 1 before and after matching, so the
    patients it matched and the ones it left out have known margins. Building
    each block with its own margins and correlations lets the matching, when it
    is re-run on the synthetic cohort, find a similar set of pairs; which
    patients are matched is still decided by the matching alone.
    """
    key = GROUP_KEYS[group]
    n_after = int(published(f"cohort.after_psm.{key}"))
    after = {
        v: int(published(f"table1.characteristics.{char}.levels.{level}.after_psm.{key}.n"))
        for v, (char, level) in TABLE1_KEYS.items()
    }
    before = {v: table1_count(v, group) for v in TABLE1_KEYS}
    rest = {v: before[v] - after[v] for v in before}
    return {"matched": (n_after, after), "unmatched": (group_size(group) - n_after, rest)}


def block_covariates(rng, n: int, counts: dict[str, int], loadings: dict[str, list[float]]) -> pd.DataFrame:
    """Correlated 0/1 characteristics with exact counts (two-factor Gaussian copula, ranked)."""
    variables = list(C.TABLE1_VARIABLES)
    factors = rng.standard_normal((n, 2))
    latent = {}
    for v in variables:
        lam = np.asarray(loadings.get(v, [0.0, 0.0]), dtype=float)
        unique_sd = np.sqrt(max(1.0 - float(lam @ lam), 1e-6))
        latent[v] = factors @ lam + unique_sd * rng.standard_normal(n)
    x = pd.DataFrame(index=range(n))
    for v in variables:
        if v == "sites_ge3":
            continue
        x[v] = exact_binary(latent[v], counts[v])
    organ_sum = x[list(C.METASTASIS_COLUMNS)].sum(axis=1).to_numpy()
    # >= 3 organ metastases forces >= 3 sites; otherwise the latent score decides
    x["sites_ge3"] = exact_binary(latent["sites_ge3"] + 100.0 * (organ_sum >= 3), counts["sites_ge3"])
    return x[variables]


def _covariates(rng, group: str, params: GroupParams) -> pd.DataFrame:
    """Both blocks of a group, stacked."""
    parts = [
        block_covariates(rng, n, counts, params.loadings[block]) for block, (n, counts) in block_counts(group).items()
    ]
    return pd.concat(parts, ignore_index=True)


def unmatchable(covariates: dict[str, pd.DataFrame]) -> dict[str, np.ndarray]:
    """Which patients the study's matching leaves without a partner, per group (0/1 arrays).

    The matching depends only on the baseline characteristics, so it can be run
    on the covariates before any outcome exists. Patients outside the region
    of common support are where an observational comparison is weakest; the
    generator lets their prognosis differ (``unmatched_shift_*``), as the
    original study's before/after-matching curves imply.
    """
    frames = [x.assign(**{C.TREATED: int(g == C.GROUP_ICI)}) for g, x in covariates.items()]
    data = pd.concat(frames, ignore_index=True)[[*C.TABLE1_VARIABLES, C.TREATED]]
    flags = _unmatched_flags(data.to_numpy(dtype=np.int8).tobytes(), data.shape)
    out, start = {}, 0
    for g, x in covariates.items():
        out[g] = flags[start : start + len(x)]
        start += len(x)
    return out


def covariates_only(params: GeneratorParams) -> pd.DataFrame:
    """The 0/1 Table 1 characteristics and treatment flag the generator gives each patient.

    Uses the same random streams as :func:`generate_cohort`, so it is the exact
    covariate part of the cohort, at a fraction of the cost (for calibration).
    """
    frames = []
    for group in C.GROUPS:
        x = _covariates(stream(params.seed, "covariates", group), group, params.groups[group])
        frames.append(x.assign(group=group, **{C.TREATED: int(group == C.GROUP_ICI)}))
    return pd.concat(frames, ignore_index=True)


def _pooled_ages(n_total: int, n_ge65: int) -> tuple[np.ndarray, np.ndarray]:
    """Ages under and over 65 for the whole cohort: median 62, range 19-87.

    Quantiles of a normal (mean 62, SD 7.5) with the extremes set to the
    published range and the >= 65 count forced to the Table 1 total.
    """
    age_min = int(published("cohort.age_years.range_min"))
    age_max = int(published("cohort.age_years.range_max"))
    med = float(published("cohort.age_years.median"))
    p = (np.arange(n_total) + 0.5) / n_total
    ages = np.clip(np.round(stats.norm.ppf(p, loc=med, scale=7.5)), age_min, age_max).astype(int)
    n_lt = n_total - n_ge65
    ages[:n_lt] = np.minimum(ages[:n_lt], 64)
    ages[n_lt:] = np.maximum(ages[n_lt:], 65)
    ages[0], ages[-1] = age_min, age_max
    return ages[:n_lt], ages[n_lt:]


def _latent_log_times(rng, x: pd.DataFrame, params: GroupParams, rho: float):
    """PH-ordered latent log-times for PFS and OS (only their ranks are used), and the OS noise."""
    strata = x["liver_met"].to_numpy() * 2 + x["first_line_pfs_ge6"].to_numpy()
    design = np.column_stack([np.ones(len(x)), x[[*C.TABLE1_VARIABLES, "_unmatched"]].to_numpy(dtype=float)])
    z_pfs = orthogonal_noise(stats.norm.ppf(stratified_uniforms(rng, strata)), design)
    z_other = orthogonal_noise(stats.norm.ppf(stratified_uniforms(rng, strata)), design)
    z_os = rho * z_pfs + np.sqrt(1 - rho**2) * z_other
    out = []
    for z, beta, shift in (
        (z_pfs, params.beta_pfs, params.unmatched_shift_pfs),
        (z_os, params.beta_os, params.unmatched_shift_os),
    ):
        lp = (
            sum(float(beta.get(v, 0.0)) * x[v].to_numpy() for v in C.TABLE1_VARIABLES)
            + shift * x["_unmatched"].to_numpy()
        )
        unit_exp = -np.log(stats.norm.sf(z))  # E ~ Exp(1), monotone in z
        out.append(np.log(unit_exp) - lp)
    return out[0], out[1], z_os


def _survival_times(rng, x: pd.DataFrame, params: GroupParams, rho: float):
    """PFS and OS event times in whole days, PFS <= OS for everyone."""
    n = len(x)
    lat_pfs, lat_os, os_noise = _latent_log_times(rng, x, params, rho)
    os_curve = PiecewiseExponential.from_knots(params.os_knots)
    pfs_curve = PiecewiseExponential.from_knots(params.pfs_knots)
    os_time = np.empty(n)
    os_time[np.argsort(lat_os, kind="stable")] = os_curve.quantile_times(n)
    os_days = np.maximum(1, np.round(os_time * C.DAYS_PER_MONTH))
    pfs_values = np.maximum(1, np.round(pfs_curve.quantile_times(n) * C.DAYS_PER_MONTH))
    pfs_days = constrained_assignment(pfs_values, os_days, lat_pfs)
    return pfs_days.astype(int), os_days.astype(int), os_noise


def _assign_by_score(score: np.ndarray, multiset: np.ndarray) -> np.ndarray:
    """Give the sorted multiset to patients in order of score (lowest first)."""
    out = np.empty(score.size, dtype=multiset.dtype)
    out[np.argsort(score, kind="stable")] = np.sort(multiset)
    return out


def _responses(rng, pfs_days: np.ndarray, group: str, noise: float) -> np.ndarray:
    key = GROUP_KEYS[group]
    counts = {r: int(published(f"table2_response.before_psm.{key}.{r.lower()}.n")) for r in ("PD", "SD", "PR", "CR")}
    n = pfs_days.size
    score = (stats.rankdata(pfs_days) / n) + noise * rng.standard_normal(n)
    ordered = np.concatenate([[r] * counts[r] for r in ("PD", "SD", "PR", "CR")])
    out = np.empty(n, dtype=object)
    out[np.argsort(score, kind="stable")] = ordered
    return out


def _cycles(rng, pfs_days: np.ndarray, group: str, noise: float) -> np.ndarray:
    """Cycle counts with the printed median and range, more cycles with longer PFS."""
    sub = "icis_group" if group == C.GROUP_ICI else "non_icis_group"
    med = int(published(f"treatment.{sub}.cycles.median"))
    lo = int(published(f"treatment.{sub}.cycles.range_min"))
    hi = int(published(f"treatment.{sub}.cycles.range_max"))
    n = pfs_days.size
    p = (np.arange(n) + 0.5) / n
    values = np.clip(np.round(med * np.exp(0.6 * stats.norm.ppf(p))), lo, hi).astype(int)
    values[0], values[-1] = lo, hi
    score = (stats.rankdata(pfs_days) / n) + noise * rng.standard_normal(n)
    return _assign_by_score(score, values)


def _adverse_events(rng, group: str, cycles: np.ndarray) -> pd.DataFrame:
    """Worst CTCAE grade per AE column with the printed counts (Table 3).

    For each column the any-grade row of Table 3 fixes how many patients have
    the event and its severe row (G3/4, or G3 for rash), if any, how many of
    them reach those grades; the rest get grade 1 or 2.
    """
    key = GROUP_KEYS[group]
    n = cycles.size
    weight = np.sqrt(cycles) / np.sqrt(cycles).sum()  # more cycles, more exposure
    out = {}
    for column in C.AE_COLUMNS:
        rows = [(row, grades) for row, _, col, grades in SAFETY_ROWS if col == column]
        (any_row, _), severe = rows[0], rows[1:]
        n_any = int(published(f"table3_safety.rows.{any_row}.{key}.n"))
        grade = np.zeros(n, dtype=int)
        if n_any:
            hit = rng.choice(n, size=n_any, replace=False, p=weight)
            n_severe = int(published(f"table3_safety.rows.{severe[0][0]}.{key}.n")) if severe else 0
            severe_grades = severe[0][1] if severe else ()
            grade[hit[n_severe:]] = rng.choice([1, 2], size=n_any - n_severe, p=[0.6, 0.4])
            if n_severe:
                grade[hit[:n_severe]] = rng.choice(severe_grades, size=n_severe, p=_severe_mix(severe_grades))
        out[column] = grade
    return pd.DataFrame(out)


def _severe_mix(grades) -> list[float]:
    """Grade 3 three times as common as grade 4 among severe events."""
    weights = np.array([3.0 if g == 3 else 1.0 for g in grades])
    return list(weights / weights.sum())


def _treatment(rng, group: str) -> pd.DataFrame:
    if group == C.GROUP_ICI:
        regimens = {
            r: int(published(f"treatment.icis_group.regimen_categories.{REGIMEN_KEYS[r]}.n")) for r in C.ICI_REGIMENS
        }
        agents = {a: int(published(f"treatment.icis_group.ici_agents.{a}.n")) for a in C.ICI_AGENTS}
        return pd.DataFrame({"regimen": exact_levels(rng, regimens), "ici_agent": exact_levels(rng, agents)})
    regimens = {
        r: int(published(f"treatment.non_icis_group.regimen_categories.{REGIMEN_KEYS[r]}.n"))
        for r in C.NON_ICI_REGIMENS
    }
    values = exact_levels(rng, regimens)
    return pd.DataFrame({"regimen": values, "ici_agent": [None] * values.size})


def stream(seed: int, part: str, group: str = "") -> np.random.Generator:
    """An independent random stream for one part of the generator.

    Each part (covariates, survival, response, ...) of each group draws from
    its own stream, so changing how one part uses randomness leaves every
    other part of the cohort unchanged.
    """
    return np.random.default_rng([seed, zlib.crc32(part.encode()), zlib.crc32(group.encode())])


@functools.lru_cache(maxsize=64)
def _unmatched_flags(matrix: bytes, shape: tuple[int, int]) -> np.ndarray:
    """Matching on a covariate matrix (cached: calibration re-uses the same covariates often)."""
    values = np.frombuffer(matrix, dtype=np.int8).reshape(shape)
    data = pd.DataFrame(values.astype(int), columns=[*C.TABLE1_VARIABLES, C.TREATED])
    matched = match_study(data).match.matched_index
    flags = np.ones(len(data), dtype=int)
    flags[np.asarray(matched, dtype=int)] = 0
    flags.setflags(write=False)
    return flags


def _group_frame(seed: int, group: str, params: GeneratorParams, x: pd.DataFrame) -> pd.DataFrame:
    gp = params.groups[group]
    rng = stream(seed, "details", group)
    n = len(x)
    frame = pd.DataFrame({"group": group}, index=range(n))
    frame["sex"] = np.where(x["male"] == 1, "male", "female")
    frame["smoker"] = x["smoker"]
    frame["ecog"] = np.where(
        x["ecog_ge2"] == 1, rng.choice([2, 3], n, p=[0.85, 0.15]), rng.choice([0, 1], n, p=[0.3, 0.7])
    )
    for col in C.METASTASIS_COLUMNS:
        frame[col] = x[col]
    organ_sum = x[list(C.METASTASIS_COLUMNS)].sum(axis=1).to_numpy()
    extra = rng.choice([0, 1, 2], n, p=[0.4, 0.4, 0.2])
    frame["n_metastatic_sites"] = np.where(
        x["sites_ge3"] == 1, np.maximum(3, organ_sum + extra), np.clip(organ_sum + extra, np.maximum(1, organ_sum), 2)
    )
    frame["first_line_ici"] = x["first_line_ici"]
    ge6 = x["first_line_pfs_ge6"].to_numpy() == 1
    frame["first_line_pfs_months"] = np.round(np.where(ge6, 6.0 + rng.gamma(2.0, 2.5, n), rng.uniform(1.0, 5.99, n)), 2)
    frame["_age_ge65"] = x["age_ge65"]
    pfs_days, os_days, os_noise = _survival_times(stream(seed, "survival", group), x, gp, params.rho_pfs_os)
    frame["_pfs_days"], frame["_os_days"], frame["_os_noise"] = pfs_days, os_days, os_noise
    frame["best_response"] = _responses(stream(seed, "response", group), pfs_days, group, params.response_noise)
    frame["cycles"] = _cycles(stream(seed, "cycles", group), pfs_days, group, params.cycles_noise)
    treatment = _treatment(stream(seed, "treatment", group), group)
    adverse = _adverse_events(stream(seed, "adverse_events", group), group, frame["cycles"].to_numpy())
    frame = pd.concat([frame, treatment, adverse], axis=1)
    return frame


def _censor(frame: pd.DataFrame, growth: float) -> pd.DataFrame:
    """Start dates and administrative censoring at the cut-off.

    Dates are spread evenly over the order of the OS error term (golden-ratio
    sequence), so every part of the survival distribution gets early and late
    starters alike. The error term, not the OS time, keeps the dates fixed
    when the coefficients change (calibration would otherwise jump).
    """
    out = []
    for _, sub in frame.groupby("group", sort=False):
        sub = sub.copy()
        offsets = accrual_offsets(len(sub), growth)
        order_by_os = np.argsort(sub["_os_noise"].to_numpy(), kind="stable")
        days = np.empty(len(sub), dtype=int)
        days[order_by_os] = offsets[golden_ratio_order(len(sub))]
        start = pd.Timestamp(C.STUDY_START) + pd.to_timedelta(days, unit="D")
        potential = (pd.Timestamp(C.DATA_CUTOFF) - start).days.to_numpy()
        sub["second_line_start"] = start.strftime("%Y-%m-%d")
        for end in ("pfs", "os"):
            t = sub[f"_{end}_days"].to_numpy()
            sub[f"{end}_event"] = (t <= potential).astype(int)
            sub[f"{end}_months"] = np.round(np.minimum(t, potential) / C.DAYS_PER_MONTH, 4)
        out.append(sub)
    return pd.concat(out)


def generate_cohort(params: GeneratorParams | None = None) -> pd.DataFrame:
    """Generate the synthetic cohort (deterministic for given parameters).

    Returns a frame in the contract's column order, sorted by 2L start date,
    that passes :func:`helpers.cohort.validate_cohort`.
    """
    params = params or GeneratorParams.from_json()
    covariates = {g: _covariates(stream(params.seed, "covariates", g), g, params.groups[g]) for g in C.GROUPS}
    flags = unmatchable(covariates)
    covariates = {g: x.assign(_unmatched=flags[g]) for g, x in covariates.items()}
    frame = pd.concat([_group_frame(params.seed, g, params, covariates[g]) for g in C.GROUPS], ignore_index=True)
    rng = stream(params.seed, "cohort")
    young, old = _pooled_ages(len(frame), int(frame["_age_ge65"].sum()))
    ages = np.empty(len(frame), dtype=int)
    is_old = frame["_age_ge65"].to_numpy() == 1
    ages[np.nonzero(~is_old)[0]] = rng.permutation(young)
    ages[np.nonzero(is_old)[0]] = rng.permutation(old)
    frame["age"] = ages
    frame = _censor(frame, params.accrual_growth)
    counts = np.round(np.asarray(params.center_shares) * len(frame)).astype(int)
    counts[0] += len(frame) - counts.sum()
    frame["center"] = exact_levels(rng, dict(zip(C.CENTERS, counts, strict=True)))
    frame = frame.sort_values(["second_line_start", "group", "_os_days"], kind="stable").reset_index(drop=True)
    frame["patient_id"] = [f"P{i:04d}" for i in range(1, len(frame) + 1)]
    return frame[list(C.COLUMNS)]


def write_cohort(frame: pd.DataFrame, path: str | Path = COHORT_CSV) -> Path:
    """Write the cohort CSV with fixed formatting (byte-identical on re-runs).

    The file is written beside the target, validated against the contract,
    and only then moved into place: a failure leaves the old file untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        frame.to_csv(tmp, index=False, lineterminator="\n", float_format="%.4f")
        C.load_cohort(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
