"""The estimator interface of the experiment, and the methods it runs.

A *method* is a name, the estimand it targets and a function
``estimate(data, endpoint) -> mapping`` that takes a cohort in the data
contract (with the derived Table 1 categories and ``treated``) and an endpoint
(``"pfs"`` or ``"os"``), and returns any of these entries:

- ``log_hr``, ``log_hr_se``, ``log_hr_lower``, ``log_hr_upper``, ``p_value``
  (the treatment's log hazard ratio, its model SE, the 95% interval on the log
  scale and the two-sided p-value);
- for each absolute quantity ``q`` of :data:`helpers.simulation.truth.QUANTITIES`
  (``rmst_diff_12``, ``surv_diff_6`` ...): ``q``, ``q_se``, ``q_lower``, ``q_upper``;
- ``n_used``: the patients the estimate rests on (e.g. after matching).

A method may raise: the engine records the error in the method's row and
goes on. An object with ``name``, ``estimand`` and an ``estimate`` callable
(or a ``(name, estimand, function)`` tuple) is adapted by :func:`as_method`,
so estimators written elsewhere plug in unchanged.

Work shared by several methods on the same cohort (the propensity model, a
matching) is computed once per cohort with :func:`shared`.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..stats.cox import fit_cox
from ..stats.matching import fit_propensity, match_nearest, matched_cohort
from ..study import cohort as C
from ..study import estimators as appraisal
from ..study.design import ESTIMATOR_LABELS, PSM_COVARIATES, PSM_SETTINGS, columns
from .truth import QUANTITIES

ESTIMATE_FIELDS = (
    "log_hr",
    "log_hr_se",
    "log_hr_lower",
    "log_hr_upper",
    "p_value",
    *(f"{q}{suffix}" for q in QUANTITIES[1:] for suffix in ("", "_se", "_lower", "_upper")),
    "n_used",
)
Z95 = float(stats.norm.ppf(0.975))


@dataclass(frozen=True)
class Method:
    """One estimator of the experiment."""

    name: str
    estimand: str  # the truth it is compared with: "conditional", "ATE", "ATT" or "ATO"
    estimate: Callable[[pd.DataFrame, str], Mapping[str, Any]]
    label: str = ""

    def __call__(self, data: pd.DataFrame, endpoint: str) -> dict[str, float]:
        result = self.estimate(data, endpoint)
        return as_fields(result)


def as_fields(result) -> dict[str, float]:
    """The known entries of an estimator's result (a mapping or an object with those attributes)."""
    if not isinstance(result, Mapping):
        result = {f: getattr(result, f) for f in ESTIMATE_FIELDS if hasattr(result, f)}
    unknown = set(result) - set(ESTIMATE_FIELDS)
    if unknown:
        raise ValueError(f"the estimator returned unknown entries: {', '.join(sorted(unknown))}")
    return {k: float(v) for k, v in result.items() if v is not None}


def as_method(obj) -> Method:
    """A :class:`Method` from a Method, a ``(name, estimand, function)`` tuple, or an object with those attributes."""
    if isinstance(obj, Method):
        return obj
    if isinstance(obj, tuple):
        name, estimand, function = obj
        return Method(name, estimand, function)
    function = getattr(obj, "estimate", None) or obj
    return Method(obj.name, obj.estimand, function, getattr(obj, "label", ""))


# --- work shared between the methods of one cohort ------------------------------------------

_SHARED: dict[tuple[int, str], tuple[weakref.ref, Any]] = {}


def shared(data: pd.DataFrame, key: str, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per cohort object and key (the propensity model, a matching ...).

    The store holds a weak reference to the cohort, so an entry dies with it;
    a new cohort that reuses an old one's memory address is recognised as new.
    """
    for k in [k for k, (ref, _) in _SHARED.items() if ref() is None]:
        del _SHARED[k]
    slot = (id(data), key)
    if slot in _SHARED:
        ref, value = _SHARED[slot]
        if ref() is data:
            return value
    value = compute()
    _SHARED[slot] = (weakref.ref(data), value)
    return value


def propensity_model(data: pd.DataFrame):
    """The study's propensity model (logistic on the 11 Table 1 characteristics), once per cohort."""
    return shared(data, "propensity", lambda: fit_propensity(data, C.TREATED, PSM_COVARIATES))


def matched(data: pd.DataFrame, caliper: float = 0.02, caliper_scale: str = "probability") -> pd.DataFrame:
    """The 1:1 greedy caliper matching of the study (largest score first), once per cohort and setting."""

    def compute():
        scores = propensity_model(data).scores
        match = match_nearest(
            scores, data[C.TREATED], caliper=caliper, caliper_scale=caliper_scale, order=PSM_SETTINGS["order"]
        )
        return matched_cohort(data, match)

    return shared(data, f"match:{caliper}:{caliper_scale}", compute)


# --- reference methods (Cox models of the statistics layer) --------------------------------------


def _cox_fields(data: pd.DataFrame, endpoint: str, covariates) -> dict[str, float]:
    duration, event = columns(endpoint)
    row = fit_cox(data, duration, event, covariates).summary.iloc[0]
    coef, se = float(row["coef"]), float(row["se"])
    return {
        "log_hr": coef,
        "log_hr_se": se,
        "log_hr_lower": coef - Z95 * se,
        "log_hr_upper": coef + Z95 * se,
        "p_value": float(row["p_value"]),
        "n_used": float(len(data)),
    }


def crude_cox(data: pd.DataFrame, endpoint: str) -> dict[str, float]:
    """Cox model with the treatment alone, on every patient (the paper's before-matching HR)."""
    return _cox_fields(data, endpoint, [C.TREATED])


def psm_cox(data: pd.DataFrame, endpoint: str) -> dict[str, float]:
    """The paper's analysis: 1:1 matching with a 0.02 caliper on the probability scale, Cox on the pairs."""
    return _cox_fields(matched(data, 0.02, "probability"), endpoint, [C.TREATED])


def psm_cox_logit(data: pd.DataFrame, endpoint: str) -> dict[str, float]:
    """As :func:`psm_cox`, with the caliper at 0.2 standard deviations of the logit of the score."""
    return _cox_fields(matched(data, 0.2, "logit_sd"), endpoint, [C.TREATED])


def multivariable_cox(data: pd.DataFrame, endpoint: str) -> dict[str, float]:
    """Cox model with the treatment and all 11 characteristics (a conditional HR)."""
    return _cox_fields(data, endpoint, [C.TREATED, *C.TABLE1_VARIABLES])


REFERENCE_METHODS = {
    "crude_cox": Method("crude_cox", "ATE", crude_cox, "Crude Cox"),
    "psm_cox": Method("psm_cox", "ATT", psm_cox, "PSM, caliper 0.02 (probability): the paper's"),
    "psm_cox_logit": Method("psm_cox_logit", "ATT", psm_cox_logit, "PSM, caliper 0.2 SD of the logit"),
    "multivariable_cox": Method("multivariable_cox", "conditional", multivariable_cox, "Multivariable Cox"),
}


# --- the appraisal chapter's estimators (helpers.study.estimators), unchanged -----------------

# The appraisal's "ATM" (the matched population) has no truth of its own in the structural
# model; the matched estimators are compared with the ATT, as the paper's matching is.
TRUTH_OF = {"ATM": "ATT"}
# crude, psm and multivariable are the reference methods above under other names: not run twice
APPRAISAL_RUN = ("psm_robust", "psm_stratified", "iptw_ate", "iptw_att", "overlap", "iptw_adjusted", "doubly_robust")


def _appraisal_method(estimator: appraisal.Estimator) -> Method:
    def estimate(data: pd.DataFrame, endpoint: str):
        # one Prepared per cohort: the propensity model, pairs and weights are shared by every method
        return estimator.function(shared(data, "appraisal", lambda: appraisal.prepare(data)), endpoint)

    estimate.__doc__ = estimator.function.__doc__
    label = ESTIMATOR_LABELS.get(estimator.name, estimator.name)
    return Method(estimator.name, TRUTH_OF.get(estimator.estimand, estimator.estimand), estimate, label)


APPRAISAL_METHODS = {e.name: _appraisal_method(e) for e in appraisal.ESTIMATORS if e.name in APPRAISAL_RUN}


def available_methods() -> dict[str, Method]:
    """Every method the experiment can run, by name: the reference Cox models and the appraisal's estimators."""
    return REFERENCE_METHODS | APPRAISAL_METHODS


def resolve(names) -> list[Method]:
    methods = available_methods()
    unknown = [n for n in names if n not in methods]
    if unknown:
        raise KeyError(f"unknown method(s): {', '.join(unknown)}; known: {', '.join(methods)}")
    return [methods[n] for n in names]


def prepared(cohort: pd.DataFrame) -> pd.DataFrame:
    """A cohort with the derived Table 1 categories and ``treated``, as every method expects it."""
    return C.derive_categories(cohort)


def empty_fields() -> dict[str, float]:
    return dict.fromkeys(ESTIMATE_FIELDS, np.nan)
