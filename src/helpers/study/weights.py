"""The study's propensity score weights: one set per weighting method of :data:`.design.WEIGHTING`.

Compute only: the statistics layer's weights (:mod:`helpers.stats.weighting`)
on the study's propensity model (the Table 1 characteristics), with the
study's stabilisation and truncation rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..stats.matching import fit_propensity
from ..stats.weighting import TruncatedWeights, check_overlap, propensity_weights, truncate_weights
from .design import PSM_COVARIATES, TREATMENT, WEIGHT_TRUNCATION, WEIGHTING
from .errors import StudyError


@dataclass(frozen=True)
class WeightSet:
    """The propensity score weights of one method on one cohort.

    ``weights`` is aligned to the cohort's index; ``raw`` the weights before
    truncation; ``truncation`` what truncation did (None when not truncated).
    """

    method: str
    estimand: str
    stabilized: bool
    weights: pd.Series
    raw: pd.Series
    scores: pd.Series
    truncation: TruncatedWeights | None = None


def propensity_scores(data: pd.DataFrame) -> pd.Series:
    """The study's propensity model (the Table 1 characteristics) fitted on ``data``: one score per patient."""
    return fit_propensity(data, TREATMENT, PSM_COVARIATES).scores


def study_weights(data: pd.DataFrame, method: str, scores: pd.Series | None = None) -> WeightSet:
    """The weights of ``method`` (a key of :data:`.design.WEIGHTING`) on ``data``.

    Raises StatsError, naming the rule, when the arms' scores do not overlap.
    """
    if method not in WEIGHTING:
        raise StudyError(f"method must be one of {tuple(WEIGHTING)}, got {method!r}")
    estimand, stabilize, truncate = WEIGHTING[method]
    scores = propensity_scores(data) if scores is None else scores
    treated = data[TREATMENT]
    check_overlap(scores, treated)
    raw = propensity_weights(scores, treated, estimand, stabilize=stabilize)
    trunc = truncate_weights(raw, quantiles=WEIGHT_TRUNCATION) if truncate else None
    final = trunc.weights if trunc is not None else raw
    return WeightSet(
        method=method,
        estimand=estimand,
        stabilized=stabilize,
        weights=pd.Series(final, index=data.index, name=method),
        raw=pd.Series(raw, index=data.index, name=method),
        scores=scores,
        truncation=trunc,
    )
