"""The study's propensity score matching, and the checks of the matched cohort.

:func:`match_study` runs the statistics layer's matching with the study's
settings (:data:`.design.PSM_SETTINGS` on the Table 1 characteristics).
"""

from __future__ import annotations

import pandas as pd

from ..stats.contingency import mcnemar_test
from ..stats.errors import StatsError
from ..stats.matching import PropensityMatch, match_propensity
from ..stats.results import TestResult
from .design import PSM_COVARIATES, PSM_SETTINGS, TREATMENT


def match_study(data: pd.DataFrame, **overrides) -> PropensityMatch:
    """Propensity model on the Table 1 characteristics and 1:1 caliper matching, the study's way.

    ``overrides`` replace any of the matching settings (caliper, caliper_scale,
    order, seed), e.g. for the sensitivity analyses.
    """
    return match_propensity(data, TREATMENT, PSM_COVARIATES, **(PSM_SETTINGS | overrides))


def paired_balance_test(matched: pd.DataFrame, variable: str) -> TestResult:
    """McNemar's test of one characteristic within the matched pairs (treated vs control member).

    The original study tested its matched groups as if independent (chi-square);
    the pairs make them dependent, and this is the test that respects that.
    """
    if "pair_id" not in matched.columns:
        raise StatsError("matched: no 'pair_id' column; pass the matched cohort of a PropensityMatch")
    by_pair = matched.pivot(index="pair_id", columns=TREATMENT, values=variable)
    return mcnemar_test(by_pair[1], by_pair[0])
