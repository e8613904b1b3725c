"""The experiment's scenarios: data-generating mechanisms, cohort size and the methods run.

- ``base``: the calibrated structural model, 496 patients, every method;
- ``null``: no treatment effect on PFS or on post-progression survival (every
  estimand is 0, every HR 1): rejection rates are type I errors;
- ``strong_confounding``: the propensity model's log-odds ratios multiplied by
  :data:`CONFOUNDING_MULTIPLIER` (the intercept re-solved so that the share
  treated stays 200/496): the groups differ much more than in Table 1;
- ``small``: half the cohort (248 patients);
- ``caliper``: the base cohorts (same seeds, so the very same patients), the
  paper's matching with its caliper of 0.02 on the probability scale beside the
  common alternative of 0.2 standard deviations of the logit of the score.

Scenarios that share a data-generating mechanism (``truth`` names it) share its
truth: the estimands do not depend on the cohort size or on the methods.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from .calibration import intercept_for_share, reference_population, targets
from .methods import APPRAISAL_RUN
from .structural import StructuralParams, load_params

CONFOUNDING_MULTIPLIER = 3.0
BASE_N = 496
DEFAULT_SEED = 20251129
ALL_METHODS = ("crude_cox", "psm_cox", "multivariable_cox", *APPRAISAL_RUN)
CALIPER_METHODS = ("psm_cox", "psm_cox_logit")


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    description: str
    n: int
    params: StructuralParams
    methods: tuple[str, ...]
    truth: str  # the data-generating mechanism whose truth applies

    def identity(self) -> dict:
        """What makes two runs the same experiment (see the engine's manifest)."""
        return {
            "scenario": self.name,
            "n": self.n,
            "methods": list(self.methods),
            "params_version": self.params.version,
            "params": params_fingerprint(self.params),
        }


def params_fingerprint(params: StructuralParams) -> str:
    import hashlib
    import json
    from dataclasses import asdict

    return hashlib.sha256(json.dumps(asdict(params), sort_keys=True).encode()).hexdigest()[:16]


def stronger_confounding(params: StructuralParams, multiplier: float = CONFOUNDING_MULTIPLIER) -> StructuralParams:
    """The propensity log-odds ratios times ``multiplier``, the intercept keeping the share treated."""
    x, _ = reference_population(params)
    coef = params.vector("propensity") * multiplier
    intercept = intercept_for_share(x, coef, targets()["treated_share"])
    return replace(
        params,
        propensity_intercept=round(intercept, 8),
        propensity={k: round(v * multiplier, 8) for k, v in params.propensity.items()},
    )


DESCRIPTIONS = {
    "base": ("Base case", "the calibrated model, 496 patients"),
    "null": ("No effect", "no treatment effect on PFS or after progression: rejections are type I errors"),
    "strong_confounding": (
        "Stronger confounding",
        f"propensity log-odds ratios ×{CONFOUNDING_MULTIPLIER:g}, same share treated",
    ),
    "small": ("Smaller cohort", f"{BASE_N // 2} patients"),
    "caliper": ("Caliper scale", "the base cohorts; caliper 0.02 (probability) vs 0.2 SD of the logit"),
}
SCENARIOS = tuple(DESCRIPTIONS)


@lru_cache(maxsize=8)
def scenario(name: str, methods: tuple[str, ...] | None = None) -> Scenario:
    """A scenario by name (``methods`` overrides the methods run, e.g. for tests)."""
    if name not in DESCRIPTIONS:
        raise KeyError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
    base = load_params()
    label, description = DESCRIPTIONS[name]
    params, n, truth, run = base, BASE_N, "base", ALL_METHODS
    if name == "null":
        params, truth = base.with_treatment_effect(0.0, 0.0), "null"
    elif name == "strong_confounding":
        params, truth = stronger_confounding(base), "strong_confounding"
    elif name == "small":
        n = BASE_N // 2
    elif name == "caliper":
        run = CALIPER_METHODS
    return Scenario(name, label, description, n, params, tuple(methods or run), truth)


def truth_params(truth: str) -> StructuralParams:
    """The parameters of a data-generating mechanism, by the name the scenarios use."""
    return {"base": scenario("base"), "null": scenario("null"), "strong_confounding": scenario("strong_confounding")}[
        truth
    ].params


def treated_share_range(params: StructuralParams) -> tuple[float, float]:
    """Smallest and largest true propensity in the reference population (overlap at a glance)."""
    _, e = reference_population(params)
    return float(np.min(e)), float(np.max(e))
