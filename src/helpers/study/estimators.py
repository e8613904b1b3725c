"""Every method of estimating the treatment effect, as plain functions with one interface.

Compute only: no figures, no printing, no files, no global state; the same
input gives the same output.

The interface
-------------
:data:`ESTIMATORS` lists the methods as ``Estimator(name, estimand, function)``
named tuples (a plain ``(name, estimand, function)`` triple). Each function is

    ``function(data, endpoint) -> Estimate``

- ``data``: a cohort in the data contract, with or without the derived Table 1
  categories and ``treated`` (:func:`helpers.study.cohort.derive_categories`
  is applied when they are missing), *or* a :class:`Prepared` cohort from
  :func:`prepare`. The propensity model, the matching and the weights are
  fitted at most once per :class:`Prepared` object and shared by every method
  run on it; pass one to every method of a cohort (``prepared = prepare(cohort)``)
  to fit the propensity model once rather than once per method.
- ``endpoint``: ``"pfs"`` or ``"os"`` (anything else raises StudyError: a bug,
  not a property of the data).
- the :class:`Estimate` (a frozen dataclass, one row with ``to_frame()``): the
  hazard ratio of 2L-ICIs against 2L-non-ICIs with its 95% Wald interval, the
  standard error of log HR the method uses (robust where the method is), the
  p-value, the p-value of the exact proportional-hazards score test of the
  treatment term (``ph_p``, R's ``cox.zph``), the patients and events used, and
  the absolute effects, treated minus control: restricted mean survival time
  differences and ratios up to 12 and 24 months and survival differences at 6
  and 12 months, each with ``_se``, ``_lower``, ``_upper``
  (:data:`ABSOLUTE_EFFECTS`; for a ratio ``_se`` is that of its logarithm).
  ``absolute_ci`` says how their intervals were obtained; ``note`` what the
  estimate means and anything that could not be computed.

A method that cannot be fitted on a cohort (arms whose propensity scores do
not overlap, a separated propensity model, no events, aliased covariates, a
horizon beyond follow-up) does not raise: it returns an Estimate whose
missing values are NaN and whose ``note`` says why (``"not estimable: ..."``
when there is no hazard ratio at all; ``Estimate.ok`` is then False). The
properties ``log_hr, log_hr_se, log_hr_lower, log_hr_upper, p_value, n_used``
give the same numbers on the log scale for simulation code.

:func:`estimate_all` runs every method on every endpoint with one shared
propensity model and returns the table; :func:`bootstrap` re-runs the point
estimates on resampled cohorts for intervals that also reflect the fitting of
the propensity model (and for the standardised absolute effects, which have
no analytic interval here).

The methods and the population each describes (its estimand)
------------------------------------------------------------
============== =========== ============================================================
name           estimand    what it is
============== =========== ============================================================
crude          ATE         Cox model of treatment alone in all patients; an
                           association, the ATE only if there were no confounding
psm            ATM         the paper's: unstratified Cox model in the matched pairs,
                           pairs taken as independent (model-based variance)
psm_robust     ATM         the same HR with a robust variance clustered on the pairs
psm_stratified ATM         Cox model stratified by pair: the within-pair HR
multivariable  conditional Cox model of treatment and the Table 1 characteristics
iptw_ate       ATE         Cox model weighted by stabilised, truncated 1/e, 1/(1-e)
                           weights, robust variance
iptw_att       ATT         the same with ATT weights (treated 1, controls e/(1-e))
overlap        ATO         the same with overlap weights (1-e, e)
iptw_adjusted  conditional the ATE-weighted Cox model that also adjusts for the
                           covariates (its HR is conditional; its absolute effects
                           are standardised over all patients)
doubly_robust  ATE         augmented inverse probability weighting (AIPW) of the
                           survival and RMST differences on pseudo-observations
                           (:mod:`helpers.stats.doubly_robust`): correct if either
                           the propensity or the outcome model is; no hazard ratio
============== =========== ============================================================

ATM: the treated patients the caliper matching kept (not all treated: ATT).
Absolute effects come from each arm's Kaplan–Meier curve (weighted for the
weighting methods, the matched pairs for PSM), or, for the two Cox models with
covariates, by regression standardisation of the model, or from the AIPW
estimator. The doubly robust method gives no hazard ratio: its ``hr``,
``ph_p`` and their companions are NaN by design (:data:`ABSOLUTE_ONLY`), and
``ok`` is True for it when it gives an absolute effect.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..stats.absolute import compare_arms, standardized_survival
from ..stats.cox import CoxResult, fit_cox, proportional_hazards_test
from ..stats.doubly_robust import aipw_survival
from ..stats.errors import StatsError
from ..stats.matching import PropensityModel, fit_propensity, match_nearest, matched_cohort
from ..stats.survival import fit_km
from ..stats.weighting import check_overlap
from . import cohort as C
from .design import (
    ALPHA,
    ENDPOINTS,
    PSM_COVARIATES,
    PSM_SETTINGS,
    RMST_HORIZONS,
    SURVIVAL_DIFFERENCE_TIMES,
    TREATMENT,
    columns,
)
from .errors import StudyError
from .weights import WeightSet, study_weights

PAIR = "pair_id"
NOT_ESTIMABLE = "not estimable"

# The absolute effects every Estimate carries, treated minus control (times in months).
ABSOLUTE_EFFECTS = (
    *(f"rmst_{m}_{t:g}" for t in RMST_HORIZONS for m in ("diff", "ratio")),
    *(f"surv_diff_{t:g}" for t in SURVIVAL_DIFFERENCE_TIMES),
)
_MEASURE = {"rmst_difference": "rmst_diff", "rmst_ratio": "rmst_ratio", "survival_difference": "surv_diff"}


# --- one estimate -------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """One method's estimate of the effect of 2L-ICIs against 2L-non-ICIs on one endpoint.

    ``hr`` with its Wald interval (``ci_lower``, ``ci_upper``), ``se`` the
    standard error of log HR that the interval uses and ``p`` its p-value;
    ``ph_p`` the p-value of the proportional-hazards test of the treatment
    term; ``n`` and ``events`` the patients (rows with a positive weight) and
    events the estimate rests on. Absolute effects (:data:`ABSOLUTE_EFFECTS`):
    ``rmst_diff_12`` (months), ``rmst_ratio_12``, ... ``surv_diff_6``
    (a proportion), each with ``_se``, ``_lower`` and ``_upper`` (95%).
    NaN marks what the method does not give or could not compute, and
    ``note`` says which and why.
    """

    hr: float = math.nan
    ci_lower: float = math.nan
    ci_upper: float = math.nan
    se: float = math.nan
    p: float = math.nan
    ph_p: float = math.nan
    n: float = math.nan
    events: float = math.nan
    rmst_diff_12: float = math.nan
    rmst_diff_12_se: float = math.nan
    rmst_diff_12_lower: float = math.nan
    rmst_diff_12_upper: float = math.nan
    rmst_ratio_12: float = math.nan
    rmst_ratio_12_se: float = math.nan
    rmst_ratio_12_lower: float = math.nan
    rmst_ratio_12_upper: float = math.nan
    rmst_diff_24: float = math.nan
    rmst_diff_24_se: float = math.nan
    rmst_diff_24_lower: float = math.nan
    rmst_diff_24_upper: float = math.nan
    rmst_ratio_24: float = math.nan
    rmst_ratio_24_se: float = math.nan
    rmst_ratio_24_lower: float = math.nan
    rmst_ratio_24_upper: float = math.nan
    surv_diff_6: float = math.nan
    surv_diff_6_se: float = math.nan
    surv_diff_6_lower: float = math.nan
    surv_diff_6_upper: float = math.nan
    surv_diff_12: float = math.nan
    surv_diff_12_se: float = math.nan
    surv_diff_12_lower: float = math.nan
    surv_diff_12_upper: float = math.nan
    absolute_ci: str = ""
    note: str = ""

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def to_frame(self) -> pd.DataFrame:
        """One row: every field."""
        return pd.DataFrame([self.as_dict()])

    @property
    def ok(self) -> bool:
        """Whether the method gave an estimate: a hazard ratio or, for a method without one, an absolute effect."""
        return bool(np.isfinite(self.hr)) or any(np.isfinite(getattr(self, q)) for q in ABSOLUTE_EFFECTS)

    # the same numbers on the log scale, as simulation code reads them
    @property
    def log_hr(self) -> float:
        return math.log(self.hr) if self.hr > 0 else math.nan

    @property
    def log_hr_se(self) -> float:
        return self.se

    @property
    def log_hr_lower(self) -> float:
        return math.log(self.ci_lower) if self.ci_lower > 0 else math.nan

    @property
    def log_hr_upper(self) -> float:
        return math.log(self.ci_upper) if self.ci_upper > 0 else math.nan

    @property
    def p_value(self) -> float:
        return self.p

    @property
    def n_used(self) -> float:
        return self.n


ESTIMATE_FIELDS = tuple(f.name for f in fields(Estimate))


class Estimator(NamedTuple):
    """A method: its name, the estimand it targets, and ``function(data, endpoint) -> Estimate``."""

    name: str
    estimand: str
    function: Callable


# --- one cohort, prepared once --------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Prepared:
    """A cohort with what several methods share: the propensity model, the matched pairs, the weights.

    Each is computed on first use and kept on this object (so every method
    run on it shares one propensity model); a propensity model or matching
    may also be given, e.g. the paper's, so that nothing is fitted twice. A
    part that cannot be computed raises StudyError with the reason, each time
    it is asked for.
    """

    data: pd.DataFrame = field(repr=False)
    given_model: PropensityModel | None = field(default=None, repr=False)
    given_pairs: pd.DataFrame | None = field(default=None, repr=False)

    @cached_property
    def _model(self) -> PropensityModel | str:
        if self.given_model is not None:
            return self.given_model
        try:
            return fit_propensity(self.data, TREATMENT, PSM_COVARIATES)
        except StatsError as err:
            return f"propensity model: {err}"

    def model(self) -> PropensityModel:
        """The propensity model (logistic, on the Table 1 characteristics)."""
        value = self._model
        if isinstance(value, str):
            raise StudyError(value)
        return value

    @cached_property
    def _pairs(self) -> pd.DataFrame | str:
        if self.given_pairs is not None:
            return self.given_pairs
        try:
            scores = self.model().scores
            settings = {k: PSM_SETTINGS[k] for k in ("caliper", "caliper_scale", "order")}
            match = match_nearest(scores, self.data[TREATMENT], **settings)
        except (StatsError, StudyError) as err:
            return f"matching: {err}"
        if match.n_pairs == 0:
            return f"matching: no treated patient has a control within the caliper of {PSM_SETTINGS['caliper']:g}"
        return matched_cohort(self.data, match)

    def pairs(self) -> pd.DataFrame:
        """The matched patients, with ``pair_id`` (the study's 1:1 caliper matching)."""
        value = self._pairs
        if isinstance(value, str):
            raise StudyError(value)
        return value

    @cached_property
    def _weights(self) -> dict:
        return {}

    def weights(self, method: str) -> WeightSet:
        """The propensity score weights of a method of :data:`.design.WEIGHTING`."""
        store = self._weights
        if method not in store:
            try:
                store[method] = study_weights(self.data, method, self.model().scores)
            except StatsError as err:
                store[method] = f"{method} weights: {err}"
        value = store[method]
        if isinstance(value, str):
            raise StudyError(value)
        return value


def prepare(data: pd.DataFrame | Prepared, *, model: PropensityModel | None = None, pairs=None) -> Prepared:
    """A :class:`Prepared` cohort (the derived categories added if missing); a Prepared one is returned as is."""
    if isinstance(data, Prepared):
        return data
    if not isinstance(data, pd.DataFrame):
        raise StudyError(f"data: expected a cohort (DataFrame) or a Prepared cohort, got {type(data).__name__}")
    if any(c not in data.columns for c in (TREATMENT, *PSM_COVARIATES)):
        data = C.derive_categories(data)
    return Prepared(data, model, pairs)


# --- the building blocks ------------------------------------------------------------------


@dataclass(frozen=True)
class Details:
    """What a method computed besides its Estimate: per-arm absolute quantities and its two curves.

    ``arms``: ``arm, quantity, time, estimate, se`` (:class:`~helpers.stats.absolute.ArmComparison`);
    ``curves``: ``time, treated, control`` (step functions; None when not drawn).
    """

    arms: pd.DataFrame | None = None
    curves: pd.DataFrame | None = None


def _endpoint(endpoint: str) -> tuple[str, str]:
    if endpoint not in ENDPOINTS:
        raise StudyError(f"endpoint must be one of {ENDPOINTS}, got {endpoint!r}")
    return columns(endpoint)


def _cox_fields(cox: CoxResult, intervals: bool) -> dict:
    row = cox.summary.set_index("covariate").loc[TREATMENT]
    out = {"hr": float(row["estimate"])}
    if intervals:
        out |= {
            "ci_lower": float(row["ci_lower"]),
            "ci_upper": float(row["ci_upper"]),
            "se": float(row["se"]),
            "p": float(row["p_value"]),
        }
        ph = proportional_hazards_test(cox).table.set_index("covariate")
        out["ph_p"] = float(ph.loc[TREATMENT, "p_value"])
    return out


def _counts(frame: pd.DataFrame, endpoint: str, weights=None) -> dict:
    _, event = columns(endpoint)
    used = frame if weights is None else frame[np.asarray(weights) > 0]
    return {"n": float(len(used)), "events": float(used[event].sum())}


def _absolute_fields(contrasts: pd.DataFrame) -> dict:
    out = {}
    for r in contrasts.to_dict("records"):
        key = f"{_MEASURE[r['measure']]}_{r['time']:g}"
        out[key] = float(r["estimate"])
        out[f"{key}_se"] = float(r["se"])
        out[f"{key}_lower"] = float(r["ci_lower"])
        out[f"{key}_upper"] = float(r["ci_upper"])
    return out


def _step_curves(frame: pd.DataFrame, endpoint: str, weights=None) -> pd.DataFrame:
    """Each arm's (weighted) Kaplan–Meier curve on the union of their times."""
    duration, event = columns(endpoint)
    out = {}
    for name, level in (("treated", 1), ("control", 0)):
        m = (frame[TREATMENT] == level).to_numpy()
        w = None if weights is None else np.asarray(weights)[m]
        km = fit_km(frame.loc[m, duration], frame.loc[m, event], weights=w, alpha=ALPHA)
        out[name] = km.table[["time", "survival"]]
    grid = np.union1d(out["treated"]["time"], out["control"]["time"])
    curves = {"time": grid}
    for name, tab in out.items():
        k = np.searchsorted(tab["time"].to_numpy(), grid, side="right") - 1
        s = tab["survival"].to_numpy()
        last = float(tab["time"].iloc[-1])
        curves[name] = np.where(grid > last, np.nan, np.where(k >= 0, s[np.maximum(k, 0)], 1.0))
    return pd.DataFrame(curves)


_HORIZONS = [((t,), ()) for t in SURVIVAL_DIFFERENCE_TIMES] + [((), (t,)) for t in RMST_HORIZONS]


def _by_horizon(compute) -> tuple[dict, list, list[str]]:
    """``compute(times, taus)`` for every time and horizon at once or, if that fails, one at a time.

    Returns the absolute fields, the results that worked, and a note for each
    time or horizon that is not estimable (e.g. beyond follow-up), so that one
    of them does not take the others down.
    """
    try:
        result = compute(SURVIVAL_DIFFERENCE_TIMES, RMST_HORIZONS)
        return _absolute_fields(result.contrasts), [result], []
    except StatsError:
        pass
    out, results, notes = {}, [], []
    for times, taus in _HORIZONS:
        try:
            result = compute(times, taus)
        except StatsError as err:
            what = f"survival at {times[0]:g} months" if times else f"RMST up to {taus[0]:g} months"
            notes.append(f"{what} {NOT_ESTIMABLE}: {err}")
            continue
        out |= _absolute_fields(result.contrasts)
        results.append(result)
    return out, results, notes


def _absolute(
    frame: pd.DataFrame,
    endpoint: str,
    intervals: bool,
    *,
    weights=None,
    cluster=None,
    variance: str = "greenwood",
) -> tuple[dict, pd.DataFrame | None, list[str]]:
    """Absolute effects from the arms' (weighted) Kaplan–Meier curves: fields, per-arm rows, notes.

    Without ``intervals`` (point estimates for the bootstrap) the cheapest
    variance is computed and ignored.
    """
    duration, event = columns(endpoint)
    if not intervals:
        variance, cluster = "jackknife", None

    def compute(times, taus):
        return compare_arms(
            frame[duration],
            frame[event],
            frame[TREATMENT],
            times=times,
            taus=taus,
            weights=weights,
            cluster=cluster,
            variance=variance,
            alpha=ALPHA,
        )

    out, results, notes = _by_horizon(compute)
    arms = pd.concat([r.arms for r in results], ignore_index=True) if results else None
    return out, arms, notes


def _standardized(
    cox: CoxResult, frame: pd.DataFrame, endpoint: str, *, weights=None
) -> tuple[dict, pd.DataFrame | None, pd.DataFrame | None, list[str]]:
    """Absolute effects by standardising a Cox model over all patients: fields, per-arm rows, curves, notes."""
    duration, event = columns(endpoint)

    def compute(times, taus):
        return standardized_survival(cox, frame, duration, event, TREATMENT, weights=weights, times=times, taus=taus)

    out, results, notes = _by_horizon(compute)
    arms = pd.concat([r.arms for r in results], ignore_index=True) if results else None
    curves = results[0].curves if results else None
    return out, arms, curves, notes


def _note(*parts) -> str:
    return "; ".join(p for p in parts if p)


# --- the methods (internal form: a Prepared cohort, and whether to compute intervals) ------------

GREENWOOD = "Greenwood standard errors, arms independent"
PAIRED = "infinitesimal jackknife, clustered on the matched pairs"
FIXED_WEIGHTS = "infinitesimal jackknife (robust), weights treated as fixed"
STANDARDIZED = "none analytic: from the bootstrap (bootstrap())"
AIPW = "influence function of the AIPW estimator, the two models taken as known"


def _crude(prep: Prepared, endpoint: str, intervals: bool) -> tuple[Estimate, Details]:
    duration, event = _endpoint(endpoint)
    data = prep.data
    cox = fit_cox(data, duration, event, [TREATMENT], alpha=ALPHA)
    absolute, arms, notes = _absolute(data, endpoint, intervals)
    est = Estimate(
        **_cox_fields(cox, intervals),
        **_counts(data, endpoint),
        **absolute,
        absolute_ci=GREENWOOD,
        note=_note("unadjusted: an association, the ATE only if there were no confounding", *notes),
    )
    return est, Details(arms, _step_curves(data, endpoint) if intervals else None)


def _psm(prep: Prepared, endpoint: str, intervals: bool) -> tuple[Estimate, Details]:
    duration, event = _endpoint(endpoint)
    pairs = prep.pairs()
    cox = fit_cox(pairs, duration, event, [TREATMENT], alpha=ALPHA)
    absolute, arms, notes = _absolute(pairs, endpoint, intervals)
    est = Estimate(
        **_cox_fields(cox, intervals),
        **_counts(pairs, endpoint),
        **absolute,
        absolute_ci=GREENWOOD,
        note=_note("the paper's analysis: matched pairs taken as independent patients", *notes),
    )
    return est, Details(arms, _step_curves(pairs, endpoint) if intervals else None)


def _psm_robust(prep: Prepared, endpoint: str, intervals: bool) -> tuple[Estimate, Details]:
    duration, event = _endpoint(endpoint)
    pairs = prep.pairs()
    cox = fit_cox(pairs, duration, event, [TREATMENT], cluster=PAIR, alpha=ALPHA)
    absolute, arms, notes = _absolute(pairs, endpoint, intervals, cluster=pairs[PAIR], variance="jackknife")
    est = Estimate(
        **_cox_fields(cox, intervals),
        **_counts(pairs, endpoint),
        **absolute,
        absolute_ci=PAIRED,
        note=_note("the paper's hazard ratio with a variance that respects the pairing", *notes),
    )
    return est, Details(arms, _step_curves(pairs, endpoint) if intervals else None)


def _psm_stratified(prep: Prepared, endpoint: str, intervals: bool) -> tuple[Estimate, Details]:
    duration, event = _endpoint(endpoint)
    pairs = prep.pairs()
    cox = fit_cox(pairs, duration, event, [TREATMENT], strata=PAIR, alpha=ALPHA)
    absolute, arms, notes = _absolute(pairs, endpoint, intervals, cluster=pairs[PAIR], variance="jackknife")
    est = Estimate(
        **_cox_fields(cox, intervals),
        **_counts(pairs, endpoint),
        **absolute,
        absolute_ci=PAIRED,
        note=_note(
            "within-pair hazard ratio (only pairs with an event inform it); a pair-stratified model has no "
            "marginal curve, so the absolute effects are the matched pairs' curves, as in the pair-robust row",
            *notes,
        ),
    )
    return est, Details(arms, _step_curves(pairs, endpoint) if intervals else None)


def _multivariable(prep: Prepared, endpoint: str, intervals: bool) -> tuple[Estimate, Details]:
    duration, event = _endpoint(endpoint)
    data = prep.data
    cox = fit_cox(data, duration, event, [TREATMENT, *PSM_COVARIATES], alpha=ALPHA)
    absolute, arms, curves, notes = _standardized(cox, data, endpoint)
    est = Estimate(
        **_cox_fields(cox, intervals),
        **_counts(data, endpoint),
        **absolute,
        absolute_ci=STANDARDIZED,
        note=_note(
            "hazard ratio conditional on the covariates; absolute effects by standardising the model over all patients",
            *notes,
        ),
    )
    return est, Details(arms, curves)


def _weighted(prep: Prepared, endpoint: str, intervals: bool, method: str) -> tuple[Estimate, Details]:
    duration, event = _endpoint(endpoint)
    data = prep.data
    w = prep.weights(method).weights.to_numpy()
    cox = fit_cox(data, duration, event, [TREATMENT], weights=w, robust=True, alpha=ALPHA)
    absolute, arms, notes = _absolute(data, endpoint, intervals, weights=w, variance="jackknife")
    est = Estimate(
        **_cox_fields(cox, intervals),
        **_counts(data, endpoint, w),
        **absolute,
        absolute_ci=FIXED_WEIGHTS,
        note=_note("robust (sandwich) variance with the weights taken as known", *notes),
    )
    return est, Details(arms, _step_curves(data, endpoint, w) if intervals else None)


def _iptw_adjusted(prep: Prepared, endpoint: str, intervals: bool) -> tuple[Estimate, Details]:
    duration, event = _endpoint(endpoint)
    data = prep.data
    w = prep.weights("iptw_ate").weights.to_numpy()
    cox = fit_cox(data, duration, event, [TREATMENT, *PSM_COVARIATES], weights=w, robust=True, alpha=ALPHA)
    absolute, arms, curves, notes = _standardized(cox, data, endpoint, weights=w)
    est = Estimate(
        **_cox_fields(cox, intervals),
        **_counts(data, endpoint, w),
        **absolute,
        absolute_ci=STANDARDIZED,
        note=_note(
            "ATE-weighted and covariate-adjusted: the hazard ratio is conditional on the covariates; the "
            "absolute effects standardise the weighted model over all patients",
            *notes,
        ),
    )
    return est, Details(arms, curves)


def _doubly_robust(prep: Prepared, endpoint: str, intervals: bool) -> tuple[Estimate, Details]:
    duration, event = _endpoint(endpoint)
    data = prep.data
    scores = prep.model().scores
    check_overlap(scores, data[TREATMENT])
    frame = data.assign(_propensity=scores.to_numpy())

    def compute(times, taus):
        return aipw_survival(
            frame, duration, event, TREATMENT, PSM_COVARIATES, "_propensity", times=times, taus=taus, alpha=ALPHA
        )

    absolute, results, notes = _by_horizon(compute)
    arms = pd.concat([r.arms for r in results], ignore_index=True) if results else None
    if not results:
        raise StudyError(f"no absolute effect could be computed ({'; '.join(notes)})")
    est = Estimate(
        **_counts(data, endpoint),
        **absolute,
        absolute_ci=AIPW,
        note=_note(
            "augmented IPW on pseudo-observations: absolute effects only (no hazard ratio); correct if either "
            "the propensity model or the outcome model is",
            *notes,
        ),
    )
    return est, Details(arms, None)


def _iptw_ate(prep, endpoint, intervals):
    return _weighted(prep, endpoint, intervals, "iptw_ate")


def _iptw_att(prep, endpoint, intervals):
    return _weighted(prep, endpoint, intervals, "iptw_att")


def _overlap(prep, endpoint, intervals):
    return _weighted(prep, endpoint, intervals, "overlap")


def _evaluate(method, prep: Prepared, endpoint: str, intervals: bool = True) -> tuple[Estimate, Details]:
    """Run one internal method; a cohort it cannot be fitted on gives a "not estimable" Estimate."""
    _endpoint(endpoint)
    try:
        return method(prep, endpoint, intervals)
    except (StatsError, StudyError) as err:
        return Estimate(note=f"{NOT_ESTIMABLE}: {err}"), Details()


# --- the public functions: estimate(data, endpoint) -> Estimate ------------------------------------


def crude(data, endpoint: str) -> Estimate:
    """Cox model of treatment alone in all patients; no adjustment (estimand: ATE, if there were no confounding)."""
    return _evaluate(_crude, prepare(data), endpoint)[0]


def psm(data, endpoint: str) -> Estimate:
    """The paper's analysis: unstratified Cox model in the matched pairs, taken as independent (ATM)."""
    return _evaluate(_psm, prepare(data), endpoint)[0]


def psm_robust(data, endpoint: str) -> Estimate:
    """The paper's hazard ratio with a robust variance clustered on the matched pairs (ATM)."""
    return _evaluate(_psm_robust, prepare(data), endpoint)[0]


def psm_stratified(data, endpoint: str) -> Estimate:
    """Cox model stratified by matched pair: the within-pair hazard ratio (ATM)."""
    return _evaluate(_psm_stratified, prepare(data), endpoint)[0]


def multivariable(data, endpoint: str) -> Estimate:
    """Cox model of treatment and every Table 1 characteristic in all patients (conditional)."""
    return _evaluate(_multivariable, prepare(data), endpoint)[0]


def iptw_ate(data, endpoint: str) -> Estimate:
    """Cox model weighted by stabilised, truncated ATE weights, robust variance (ATE)."""
    return _evaluate(_iptw_ate, prepare(data), endpoint)[0]


def iptw_att(data, endpoint: str) -> Estimate:
    """Cox model weighted by stabilised, truncated ATT weights, robust variance (ATT)."""
    return _evaluate(_iptw_att, prepare(data), endpoint)[0]


def overlap(data, endpoint: str) -> Estimate:
    """Cox model weighted by overlap weights, robust variance (ATO)."""
    return _evaluate(_overlap, prepare(data), endpoint)[0]


def iptw_adjusted(data, endpoint: str) -> Estimate:
    """The ATE-weighted Cox model that also adjusts for every Table 1 characteristic (conditional HR)."""
    return _evaluate(_iptw_adjusted, prepare(data), endpoint)[0]


def doubly_robust(data, endpoint: str) -> Estimate:
    """Augmented IPW of survival and RMST differences on pseudo-observations (ATE; no hazard ratio)."""
    return _evaluate(_doubly_robust, prepare(data), endpoint)[0]


ESTIMATORS: tuple[Estimator, ...] = (
    Estimator("crude", "ATE", crude),
    Estimator("psm", "ATM", psm),
    Estimator("psm_robust", "ATM", psm_robust),
    Estimator("psm_stratified", "ATM", psm_stratified),
    Estimator("multivariable", "conditional", multivariable),
    Estimator("iptw_ate", "ATE", iptw_ate),
    Estimator("iptw_att", "ATT", iptw_att),
    Estimator("overlap", "ATO", overlap),
    Estimator("iptw_adjusted", "conditional", iptw_adjusted),
    Estimator("doubly_robust", "ATE", doubly_robust),
)
ESTIMATOR_NAMES = tuple(e.name for e in ESTIMATORS)
_INTERNAL = {
    "crude": _crude,
    "psm": _psm,
    "psm_robust": _psm_robust,
    "psm_stratified": _psm_stratified,
    "multivariable": _multivariable,
    "iptw_ate": _iptw_ate,
    "iptw_att": _iptw_att,
    "overlap": _overlap,
    "iptw_adjusted": _iptw_adjusted,
    "doubly_robust": _doubly_robust,
}
# Methods whose uncertainty a bootstrap resamples by matched pair rather than by patient.
PAIRED_METHODS = ("psm", "psm_robust", "psm_stratified")
# Methods that estimate absolute effects only (no hazard ratio, no proportional-hazards test).
ABSOLUTE_ONLY = ("doubly_robust",)


# --- every method at once ------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimates:
    """Every method on every endpoint: ``table`` (one row each), and per-arm rows and curves for display."""

    table: pd.DataFrame
    arms: pd.DataFrame
    curves: dict = field(repr=False, default_factory=dict)


def estimate_all(data, endpoints=ENDPOINTS, names=ESTIMATOR_NAMES) -> Estimates:
    """Every method (by name, default all) on every endpoint, with one shared propensity model.

    ``table``: ``endpoint, method, estimand`` and the :class:`Estimate`
    fields; ``arms``: ``endpoint, method, arm, quantity, time, estimate, se``;
    ``curves[(endpoint, method)]``: ``time, treated, control``. A method that
    cannot be fitted gives its row with a note instead of stopping the others.
    """
    prep = prepare(data)
    estimands = {e.name: e.estimand for e in ESTIMATORS}
    rows, arms, curves = [], [], {}
    for endpoint in endpoints:
        for name in names:
            est, details = _evaluate(_INTERNAL[name], prep, endpoint)
            rows.append({"endpoint": endpoint, "method": name, "estimand": estimands[name]} | est.as_dict())
            if details.arms is not None:
                arms.append(details.arms.assign(endpoint=endpoint, method=name))
            if details.curves is not None:
                curves[(endpoint, name)] = details.curves
    arm_cols = ["endpoint", "method", "arm", "quantity", "time", "estimate", "se"]
    arms_frame = pd.concat(arms, ignore_index=True)[arm_cols] if arms else pd.DataFrame(columns=arm_cols)
    return Estimates(pd.DataFrame(rows), arms_frame, curves)


# --- bootstrap --------------------------------------------------------------------------------------

BOOTSTRAP_QUANTITIES = ("log_hr", *ABSOLUTE_EFFECTS)


def _resample_patients(data: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Patients drawn with replacement within each arm (the arms keep their sizes)."""
    t = data[TREATMENT].to_numpy()
    parts = [rng.choice(np.flatnonzero(t == level), size=int((t == level).sum()), replace=True) for level in (1, 0)]
    return data.iloc[np.concatenate(parts)].reset_index(drop=True)


def _resample_pairs(pairs: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Matched pairs drawn with replacement; each draw is a new pair."""
    ids = pairs[PAIR].to_numpy()
    unique = np.unique(ids)
    drawn = rng.choice(unique, size=unique.size, replace=True)
    pos = {pid: np.flatnonzero(ids == pid) for pid in unique}
    rows = np.concatenate([pos[pid] for pid in drawn])
    out = pairs.iloc[rows].reset_index(drop=True)
    out[PAIR] = np.repeat(np.arange(drawn.size), [pos[pid].size for pid in drawn])
    return out


def _point_values(est: Estimate) -> dict:
    return {"log_hr": est.log_hr} | {q: getattr(est, q) for q in ABSOLUTE_EFFECTS}


def bootstrap(
    data, *, replicates: int, seed: int, endpoints=ENDPOINTS, names=ESTIMATOR_NAMES, alpha: float = ALPHA
) -> pd.DataFrame:
    """Bootstrap the point estimates of every method: standard errors and percentile intervals.

    Replicate b draws from ``numpy.random.default_rng([seed, b])``, so the
    result depends only on the data, ``replicates`` and ``seed``. Methods on
    all patients resample patients within each arm and refit everything,
    including the propensity model and the weights (so their intervals carry
    the uncertainty of the weights, which the analytic ones take as known);
    the matched methods resample the matched pairs, keeping the matching fixed
    (the matching's own variability is not reflected). A replicate in which a
    method cannot be fitted is left out and counted in ``failed``.

    Returns one row per ``endpoint, method, quantity`` (:data:`BOOTSTRAP_QUANTITIES`;
    ``log_hr`` on the log scale, and not for the methods of :data:`ABSOLUTE_ONLY`): ``replicates, failed, boot_se`` (the
    standard deviation over replicates), ``boot_lower, boot_upper``
    (the alpha/2 and 1 - alpha/2 percentiles); NaN with fewer than two
    usable replicates (``replicates=0`` skips the resampling).
    """
    if not isinstance(replicates, int | np.integer) or replicates < 0:
        raise StudyError(f"replicates: expected a whole number >= 0 (0: no bootstrap), got {replicates!r}")
    prep = prepare(data)
    paired = [n for n in names if n in PAIRED_METHODS]
    unpaired = [n for n in names if n not in PAIRED_METHODS]
    values = {(e, n): [] for e in endpoints for n in names}
    try:
        pairs = prep.pairs() if paired else None
    except StudyError:
        pairs = None
    for b in range(int(replicates)):
        rng = np.random.default_rng([int(seed), b])
        sets = []
        if unpaired:
            sets.append((Prepared(_resample_patients(prep.data, rng)), unpaired))
        if paired and pairs is not None:
            sets.append((Prepared(prep.data, given_pairs=_resample_pairs(pairs, rng)), paired))
        for boot, methods in sets:
            for endpoint in endpoints:
                hr_of_psm = None
                for name in methods:
                    if name == "psm_robust" and hr_of_psm is not None:
                        est = hr_of_psm  # the same point estimates as the paper's PSM row
                    else:
                        est, _ = _evaluate(_INTERNAL[name], boot, endpoint, intervals=False)
                    if name == "psm":
                        hr_of_psm = est
                    if est.ok:
                        values[(endpoint, name)].append(_point_values(est))
    rows = []
    for (endpoint, name), draws in values.items():
        frame = pd.DataFrame(draws, columns=list(BOOTSTRAP_QUANTITIES))
        for q in BOOTSTRAP_QUANTITIES:
            if q == "log_hr" and name in ABSOLUTE_ONLY:
                continue
            x = frame[q].to_numpy(dtype=float)
            x = x[np.isfinite(x)]
            enough = x.size >= 2
            rows.append(
                {
                    "endpoint": endpoint,
                    "method": name,
                    "quantity": q,
                    "replicates": int(x.size),
                    "failed": int(replicates) - int(x.size),
                    "boot_se": float(np.std(x, ddof=1)) if enough else np.nan,
                    "boot_lower": float(np.quantile(x, alpha / 2)) if enough else np.nan,
                    "boot_upper": float(np.quantile(x, 1 - alpha / 2)) if enough else np.nan,
                }
            )
    return pd.DataFrame(rows)
