"""The structural data-generating process: parameters, potential outcomes and one cohort per seed.

Unlike the calibrated cohort, which reorders a fixed set of patients until the
paper's printed numbers come out, this model *draws* patients from stated
mechanisms, so that any causal quantity of it is known:

1. **Covariates.** The 11 binary Table 1 characteristics come from a Gaussian
   copula: two latent factors (a "disease burden" factor on the metastasis
   sites and ECOG, and a second factor shared by first-line ICI, sex and
   smoking) plus independent noise give 11 latent normal scores, and each
   characteristic is 1 above its threshold. Three or more organ metastases
   force three or more metastatic sites. The thresholds give the pooled
   prevalences of Table 1 (both groups together).
2. **Treatment.** A logistic propensity model on the 11 characteristics,
   whose 12 coefficients are solved so that the expected share treated is
   200/496 and every characteristic's expected prevalence among the treated
   is the 2L-ICI column of Table 1 (and so, among the untreated, the
   2L-non-ICI column).
3. **PFS** follows a proportional-hazards model: a piecewise-constant baseline
   hazard, covariate log-HRs from Table 4 (multivariable where the paper has
   one, univariate otherwise) and a declared conditional treatment log-HR.
   Times are drawn by inverting the cumulative hazard (Bender, Augustin and
   Blettner, Stat Med 2005).
4. **OS = PFS + post-progression survival** (an illness–death model with the
   clock reset at progression). A fixed share of PFS events are deaths
   without progression (OS = PFS); the others are progressions, followed by a
   post-progression survival time from its own proportional-hazards model
   (covariate log-HRs from Table 5, a declared treatment log-HR). This makes
   PFS <= OS hold by construction and correlates the two endpoints the way the
   disease does; the price is that OS is not exactly proportional-hazards in
   the treatment, so its "conditional HR" is a least-false value computed in
   :mod:`.truth`, whereas the PFS one is the declared parameter.
5. **Censoring.** Start dates spread uniformly over the study window
   (March 2019 to December 2023), administrative censoring at the data
   cut-off (10 January 2025), and loss to follow-up at a constant rate, the
   rate set so that the reverse Kaplan–Meier median follow-up is the paper's
   19.7 months.
6. **Everything else** the data contract needs (age, ECOG, regimen, cycles,
   response, adverse events ...) is filled simply but validly.

Both potential outcomes of a patient share the same random numbers, so the
difference between them is the treatment's effect and nothing else.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special, stats

from ..paper.published import GROUP_KEYS, REGIMEN_KEYS, published
from ..paths import DATA_DIR
from ..study import cohort as C
from ..study.design import SAFETY_ROWS

STRUCTURAL_JSON = DATA_DIR / "simulation" / "structural_params.json"
VARIABLES = C.TABLE1_VARIABLES
ORGAN_INDEX = [VARIABLES.index(c) for c in C.METASTASIS_COLUMNS]
SITES_INDEX = VARIABLES.index("sites_ge3")
# the parts of a cohort that draw random numbers, each from its own stream
STREAMS = ("covariates", "treatment", "pfs", "pps", "censoring", "details")


# --- parameters -------------------------------------------------------------------


@dataclass(frozen=True)
class PiecewiseHazard:
    """A hazard constant between breakpoints; ``breaks[0] == 0`` and the last hazard continues for ever."""

    breaks: list[float]
    hazards: list[float]

    def __post_init__(self):
        b, h = np.asarray(self.breaks, float), np.asarray(self.hazards, float)
        if b.size != h.size or b[0] != 0 or np.any(np.diff(b) <= 0) or np.any(h <= 0):
            raise ValueError(f"breaks must start at 0 and increase, one positive hazard each: {self}")

    def _arrays(self):
        b = np.asarray(self.breaks, float)
        h = np.asarray(self.hazards, float)
        cum = np.concatenate([[0.0], np.cumsum(h[:-1] * np.diff(b))])
        return b, h, cum

    def cumulative(self, t) -> np.ndarray:
        """H0(t)."""
        b, h, cum = self._arrays()
        t = np.asarray(t, float)
        seg = np.searchsorted(b, t, side="right") - 1
        seg = np.clip(seg, 0, b.size - 1)
        return cum[seg] + h[seg] * (t - b[seg])

    def inverse(self, value) -> np.ndarray:
        """t with H0(t) = value (value >= 0)."""
        b, h, cum = self._arrays()
        v = np.asarray(value, float)
        seg = np.clip(np.searchsorted(cum, v, side="right") - 1, 0, b.size - 1)
        return b[seg] + (v - cum[seg]) / h[seg]


@dataclass(frozen=True)
class StructuralParams:
    """Every number of the structural model (see the module docstring for the roles).

    Declared: ``loadings``, ``pfs_log_hr``, ``pps_log_hr``, ``death_share``,
    ``center_shares`` and the knots' positions. Calibrated from the paper's
    printed numbers by :func:`helpers.simulation.calibration.calibrate`:
    ``thresholds``, the propensity model, the baseline hazards, both treatment
    log-HRs and ``loss_rate``. ``targets`` records what they were fitted to.
    """

    version: int
    loadings: dict[str, list[float]]
    thresholds: dict[str, float]
    propensity_intercept: float
    propensity: dict[str, float]
    pfs_log_hr: dict[str, float]
    pfs_treatment_log_hr: float
    pfs_baseline: PiecewiseHazard
    death_share: float
    pps_log_hr: dict[str, float]
    pps_treatment_log_hr: float
    pps_baseline: PiecewiseHazard
    loss_rate: float
    center_shares: list[float] = field(default_factory=lambda: [0.5, 0.3, 0.2])
    reference_seed: int = 20250110
    reference_size: int = 200_000
    targets: dict = field(default_factory=dict)
    notes: str = ""

    @classmethod
    def from_json(cls, path: str | Path = STRUCTURAL_JSON) -> StructuralParams:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        for key in ("pfs_baseline", "pps_baseline"):
            raw[key] = PiecewiseHazard(**raw[key])
        return cls(**raw)

    def to_json(self, path: str | Path = STRUCTURAL_JSON) -> Path:
        """Write the parameters (short lists on one line, fixed key order: readable diffs, same bytes each run)."""
        text = json.dumps(asdict(self), indent=2)
        text = re.sub(r"\[\s+([^\[\]{}]*?)\s+\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
        return path

    def vector(self, name: str) -> np.ndarray:
        """A per-characteristic parameter as an array in Table 1 order."""
        values = getattr(self, name)
        return np.array([float(values[v]) for v in VARIABLES])

    def with_treatment_effect(self, pfs: float, pps: float) -> StructuralParams:
        return replace(self, pfs_treatment_log_hr=float(pfs), pps_treatment_log_hr=float(pps))


@lru_cache(maxsize=4)
def load_params(path: str = str(STRUCTURAL_JSON)) -> StructuralParams:
    """The stored parameters (read once per process)."""
    return StructuralParams.from_json(path)


# --- random streams -------------------------------------------------------------------


def streams(seed) -> dict[str, np.random.Generator]:
    """One independent generator per part of a cohort, derived from ``seed``.

    ``seed`` is an int or a :class:`numpy.random.SeedSequence` (a replicate's
    child of ``SeedSequence(seed).spawn(R)``). The parts' sequences extend the
    seed's spawn key, so drawing them does not change the seed's own state.
    """
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return {
        part: np.random.default_rng(np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, 1000 + i)))
        for i, part in enumerate(STREAMS)
    }


# --- the mechanisms ---------------------------------------------------------------------


def latent_scores(rng: np.random.Generator, n: int, loadings: dict[str, list[float]]) -> np.ndarray:
    """The 11 latent standard-normal scores of n patients (two factors plus noise)."""
    loadings = np.array([loadings[v] for v in VARIABLES], dtype=float)  # (11, 2)
    unique = np.sqrt(1.0 - (loadings**2).sum(axis=1))
    factors = rng.standard_normal((n, loadings.shape[1]))
    noise = rng.standard_normal((n, len(VARIABLES)))
    return factors @ loadings.T + noise * unique


def covariates_from_latent(latent: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """0/1 characteristics: above the threshold; >= 3 organ metastases force >= 3 sites."""
    x = (latent > thresholds).astype(np.int8)
    x[:, SITES_INDEX] |= (x[:, ORGAN_INDEX].sum(axis=1) >= 3).astype(np.int8)
    return x


def draw_covariates(rng: np.random.Generator, n: int, params: StructuralParams) -> np.ndarray:
    return covariates_from_latent(latent_scores(rng, n, params.loadings), params.vector("thresholds"))


def propensity(x: np.ndarray, params: StructuralParams) -> np.ndarray:
    """True probability of 2L-ICI treatment given the characteristics."""
    return special.expit(params.propensity_intercept + x @ params.vector("propensity"))


@dataclass(frozen=True)
class Outcomes:
    """Event times (months) of n patients under one treatment assignment."""

    pfs: np.ndarray
    os: np.ndarray
    death_at_pfs: np.ndarray


@dataclass(frozen=True)
class OutcomeNoise:
    """The random numbers behind the outcomes; shared by both potential outcomes of a patient."""

    pfs_exp: np.ndarray  # unit exponential of the PFS time
    death_u: np.ndarray  # uniform: death without progression if below death_share
    pps_exp: np.ndarray  # unit exponential of the post-progression time

    @classmethod
    def draw(cls, pfs_rng: np.random.Generator, pps_rng: np.random.Generator, n: int) -> OutcomeNoise:
        return cls(pfs_rng.standard_exponential(n), pps_rng.random(n), pps_rng.standard_exponential(n))


def outcomes(x: np.ndarray, treated, noise: OutcomeNoise, params: StructuralParams) -> Outcomes:
    """PFS and OS under the given treatment (0/1 array or scalar), from the shared noise."""
    a = np.broadcast_to(np.asarray(treated, dtype=float), (x.shape[0],))
    eta_p = x @ params.vector("pfs_log_hr") + params.pfs_treatment_log_hr * a
    pfs = params.pfs_baseline.inverse(noise.pfs_exp * np.exp(-eta_p))
    eta_s = x @ params.vector("pps_log_hr") + params.pps_treatment_log_hr * a
    pps = params.pps_baseline.inverse(noise.pps_exp * np.exp(-eta_s))
    death = noise.death_u < params.death_share
    return Outcomes(pfs=pfs, os=np.where(death, pfs, pfs + pps), death_at_pfs=death)


# --- censoring ------------------------------------------------------------------------------

WINDOW_DAYS = (C.STUDY_END - C.STUDY_START).days
CUTOFF_DAYS = (C.DATA_CUTOFF - C.STUDY_START).days  # from the window's start to the cut-off


def administrative_survival(t_months) -> np.ndarray:
    """P(potential administrative follow-up > t) under uniform accrual over the window (whole days)."""
    t_days = np.asarray(t_months, float) * C.DAYS_PER_MONTH
    offsets = np.arange(WINDOW_DAYS + 1)
    follow = CUTOFF_DAYS - offsets  # days from start to cut-off, one per possible start day
    return (follow[None, :] > np.atleast_1d(t_days)[:, None]).mean(axis=1)


def follow_up_survival(t_months, loss_rate: float) -> np.ndarray:
    """P(censoring time > t): administrative censoring and loss to follow-up together."""
    return administrative_survival(t_months) * np.exp(-loss_rate * np.asarray(t_months, float))


# --- one cohort in the data contract -----------------------------------------------------------


@lru_cache(maxsize=1)
def shares() -> dict:
    """Shares by group of the things the contract needs beyond survival (from the paper's counts)."""
    out = {}
    for group in C.GROUPS:
        key = GROUP_KEYS[group]
        n = int(published(f"cohort.before_psm.{key}"))
        sub = "icis_group" if group == C.GROUP_ICI else "non_icis_group"
        regimens = C.ICI_REGIMENS if group == C.GROUP_ICI else C.NON_ICI_REGIMENS
        reg = {r: int(published(f"treatment.{sub}.regimen_categories.{REGIMEN_KEYS[r]}.n")) for r in regimens}
        agents = (
            {a: int(published(f"treatment.icis_group.ici_agents.{a}.n")) for a in C.ICI_AGENTS}
            if group == C.GROUP_ICI
            else {}
        )
        resp = {r: int(published(f"table2_response.before_psm.{key}.{r.lower()}.n")) for r in ("PD", "SD", "PR", "CR")}
        ae = {}
        for column in C.AE_COLUMNS:
            rows = [(row, grades) for row, _, col, grades in SAFETY_ROWS if col == column]
            (any_row, _), severe = rows[0], rows[1:]
            n_any = int(published(f"table3_safety.rows.{any_row}.{key}.n"))
            n_severe = int(published(f"table3_safety.rows.{severe[0][0]}.{key}.n")) if severe else 0
            ae[column] = (n_any / n, n_severe / max(n_any, 1), tuple(severe[0][1]) if severe else ())
        out[group] = {
            "regimen": {k: v / sum(reg.values()) for k, v in reg.items()},
            "agent": {k: v / sum(agents.values()) for k, v in agents.items()},
            "response": {k: v / n for k, v in resp.items()},
            "cycles_max": int(published(f"treatment.{sub}.cycles.range_max")),
            "ae": ae,
        }
    return out


CYCLE_MONTHS = 1.4  # months of PFS per 2L cycle given (roughly two three-week cycles per scan interval)
AGE_MEDIAN, AGE_SD = 62.0, 9.0


def _ages(rng: np.random.Generator, old: np.ndarray) -> np.ndarray:
    """Ages from a normal(62, 9) on the side of 65 the patient's category says, within the paper's range 19-87."""
    lo, hi = float(published("cohort.age_years.range_min")), float(published("cohort.age_years.range_max"))
    cut = stats.norm.cdf((C.AGE_CUTOFF - 0.5 - AGE_MEDIAN) / AGE_SD)
    floor_p = stats.norm.cdf((lo - AGE_MEDIAN) / AGE_SD)
    top_p = stats.norm.cdf((hi + 0.49 - AGE_MEDIAN) / AGE_SD)
    u = rng.random(old.size)
    p = np.where(old, cut + u * (top_p - cut), floor_p + u * (cut - floor_p))
    age = np.round(AGE_MEDIAN + AGE_SD * stats.norm.ppf(p))
    return np.where(old, np.clip(age, C.AGE_CUTOFF, hi), np.clip(age, lo, C.AGE_CUTOFF - 1)).astype(int)


def _choice(rng: np.random.Generator, probs: dict[str, float], n: int) -> np.ndarray:
    keys = list(probs)
    return np.asarray(keys, dtype=object)[rng.choice(len(keys), size=n, p=np.array([probs[k] for k in keys]))]


def _details(rng: np.random.Generator, x: np.ndarray, treated: np.ndarray, pfs_obs: np.ndarray, centers) -> dict:
    """The contract's columns beyond covariates and survival, simply but validly."""
    n = x.shape[0]
    col = {v: x[:, i] for i, v in enumerate(VARIABLES)}
    out: dict[str, object] = {}
    out["ecog"] = np.where(
        col["ecog_ge2"] == 1, rng.choice([2, 3], n, p=[0.85, 0.15]), rng.choice([0, 1], n, p=[0.3, 0.7])
    )
    organ = x[:, ORGAN_INDEX].sum(axis=1)
    extra = rng.choice([0, 1, 2], n, p=[0.4, 0.4, 0.2])
    out["n_metastatic_sites"] = np.where(
        col["sites_ge3"] == 1, np.maximum(3, organ + extra), np.clip(organ + extra, np.maximum(1, organ), 2)
    )
    ge6 = col["first_line_pfs_ge6"] == 1
    out["first_line_pfs_months"] = np.round(np.where(ge6, 6.0 + rng.gamma(2.0, 2.5, n), rng.uniform(1.0, 5.99, n)), 2)
    out["age"] = _ages(rng, col["age_ge65"] == 1)
    regimen = np.empty(n, dtype=object)
    agent = np.full(n, np.nan, dtype=object)
    response = np.empty(n, dtype=object)
    cycles = np.empty(n, dtype=int)
    ae = {c: np.zeros(n, dtype=int) for c in C.AE_COLUMNS}
    for group, is_group in ((C.GROUP_ICI, treated == 1), (C.GROUP_NON_ICI, treated == 0)):
        idx = np.flatnonzero(is_group)
        m = idx.size
        share = shares()[group]
        regimen[idx] = _choice(rng, share["regimen"], m)
        if share["agent"]:
            agent[idx] = _choice(rng, share["agent"], m)
        cycles[idx] = np.clip(np.ceil(pfs_obs[idx] / CYCLE_MONTHS), 1, share["cycles_max"]).astype(int)
        # best response follows the PFS order, with noise: the group's printed shares, shortest PFS worst
        score = stats.rankdata(pfs_obs[idx]) / max(m, 1) + 0.2 * rng.standard_normal(m)
        levels = ("PD", "SD", "PR", "CR")
        counts = np.floor(np.array([share["response"][r] for r in levels]) * m).astype(int)
        counts[0] += m - counts.sum()
        order = np.argsort(score, kind="stable")
        response[idx[order]] = np.repeat(levels, counts)
        for column, (p_any, p_severe, severe_grades) in share["ae"].items():
            hit = rng.random(m) < p_any
            severe = hit & (rng.random(m) < p_severe)
            grade = np.where(hit, rng.choice([1, 2], m, p=[0.6, 0.4]), 0)
            if severe_grades:
                w = np.array([3.0 if g == 3 else 1.0 for g in severe_grades])
                grade = np.where(severe, rng.choice(severe_grades, m, p=w / w.sum()), grade)
            ae[column][idx] = grade
    out |= {"regimen": regimen, "ici_agent": agent, "best_response": response, "cycles": cycles, **ae}
    out["center"] = _choice(rng, dict(zip(C.CENTERS, centers, strict=True)), n)
    return out


@dataclass(frozen=True)
class Draw:
    """One simulated cohort with its hidden parts (for checks): covariates, true propensity, potential outcomes."""

    cohort: pd.DataFrame
    x: np.ndarray
    score: np.ndarray
    treated: np.ndarray


def draw(params: StructuralParams, n: int, seed) -> Draw:
    """n patients drawn from the model: a cohort in the data contract (typed as ``load_cohort`` returns it)."""
    rngs = streams(seed)
    x = draw_covariates(rngs["covariates"], n, params)
    score = propensity(x, params)
    treated = (rngs["treatment"].random(n) < score).astype(np.int8)
    noise = OutcomeNoise.draw(rngs["pfs"], rngs["pps"], n)
    out = outcomes(x, treated, noise, params)
    cens = rngs["censoring"]
    start_day = cens.integers(0, WINDOW_DAYS + 1, n)
    admin_days = CUTOFF_DAYS - start_day
    loss_days = np.maximum(1, np.round(cens.standard_exponential(n) / params.loss_rate * C.DAYS_PER_MONTH))
    censor_days = np.minimum(admin_days, loss_days)
    pfs_days = np.maximum(1, np.round(out.pfs * C.DAYS_PER_MONTH))
    os_days = np.maximum(pfs_days, np.round(out.os * C.DAYS_PER_MONTH))
    frame = {
        "patient_id": [f"S{i:05d}" for i in range(1, n + 1)],
        "group": np.where(treated == 1, C.GROUP_ICI, C.GROUP_NON_ICI),
        "sex": np.where(x[:, VARIABLES.index("male")] == 1, "male", "female"),
        "smoker": x[:, VARIABLES.index("smoker")].astype(int),
        **{c: x[:, VARIABLES.index(c)].astype(int) for c in C.METASTASIS_COLUMNS},
        "first_line_ici": x[:, VARIABLES.index("first_line_ici")].astype(int),
        "second_line_start": pd.Timestamp(C.STUDY_START) + pd.to_timedelta(start_day, unit="D"),
    }
    for end, days in (("pfs", pfs_days), ("os", os_days)):
        frame[f"{end}_event"] = (days <= censor_days).astype(int)
        frame[f"{end}_months"] = np.round(np.minimum(days, censor_days) / C.DAYS_PER_MONTH, 4)
    frame |= _details(rngs["details"], x, treated, frame["pfs_months"], params.center_shares)
    cohort = pd.DataFrame(frame)[list(C.COLUMNS)]
    return Draw(cohort=cohort, x=x, score=score, treated=treated)


def draw_cohort(params: StructuralParams | None = None, n: int = 496, seed=0) -> pd.DataFrame:
    """One cohort of the structural model: the same seed gives the same cohort, byte for byte once written."""
    return draw(params or load_params(), n, seed).cohort


def write_cohort(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a drawn cohort as a contract CSV (fixed formatting), checked by ``load_cohort`` before it is kept."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    out = frame.copy()
    out["second_line_start"] = pd.to_datetime(out["second_line_start"]).dt.strftime("%Y-%m-%d")
    try:
        out.to_csv(tmp, index=False, lineterminator="\n", float_format="%.4f")
        C.load_cohort(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
