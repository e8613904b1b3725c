"""The study's propensity score matching, and the checks of the matched cohort.

:func:`match_study` runs the statistics layer's matching with the study's
settings (:data:`.design.PSM_SETTINGS` on the Table 1 characteristics).
:func:`caliper_example`, :func:`score_summary` and :func:`balance_summary`
condense a matching into the few facts the baseline chapter tells.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..stats.contingency import mcnemar_test
from ..stats.errors import StatsError
from ..stats.matching import INTERCEPT, SMD_THRESHOLD, PropensityMatch, match_propensity
from ..stats.results import TestResult
from .cohort import GROUP_ICI, GROUP_NON_ICI
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


@dataclass(frozen=True)
class CaliperExample:
    """The caliper at work on two patients of a matching.

    ``first_*``: the first pair formed (the highest-scoring treated patient who
    found a partner): both scores and their distance. ``left_out_score``: the
    highest score among the treated patients left without a partner, and
    ``left_out_nearest`` the distance from it to the nearest control of the
    whole cohort, taken or not (both None when every treated patient was
    matched). ``caliper`` is the width applied on the matching scale.
    """

    first_treated_score: float
    first_control_score: float
    first_distance: float
    left_out_score: float | None
    left_out_nearest: float | None
    caliper: float | None

    def to_frame(self) -> pd.DataFrame:
        """One row per field: ``value`` (None printed as an empty cell)."""
        return pd.DataFrame({"value": list(vars(self).values())}, index=list(vars(self)))

    @property
    def nearest_was_taken(self) -> bool | None:
        """Whether a control within the caliper existed but had been taken by an earlier pair."""
        if self.left_out_nearest is None or self.caliper is None:
            return None
        return self.left_out_nearest <= self.caliper


def caliper_example(data: pd.DataFrame, psm: PropensityMatch) -> CaliperExample:
    """The first pair of ``psm`` and its highest-scoring unmatched treated patient (probability scale)."""
    scores = psm.model.scores
    treated = data[TREATMENT] == 1
    pairs = psm.match.pairs
    if pairs.empty:
        raise StatsError("the matching formed no pair: there is no caliper to illustrate")
    first = pairs.iloc[0]
    left_out = scores[treated].drop(index=pairs["treated_index"]).sort_values(ascending=False)
    if left_out.empty:
        out_score, nearest = None, None
    else:
        out_score = float(left_out.iloc[0])
        nearest = float((scores[~treated] - out_score).abs().min())
    return CaliperExample(
        first_treated_score=float(scores[first["treated_index"]]),
        first_control_score=float(scores[first["control_index"]]),
        first_distance=float(first["distance"]),
        left_out_score=out_score,
        left_out_nearest=nearest,
        caliper=psm.match.caliper_width,
    )


def score_summary(data: pd.DataFrame, psm: PropensityMatch) -> pd.DataFrame:
    """Propensity scores per group: ``group, n, median_score, n_unmatched, median_unmatched``.

    ``median_unmatched`` is the median score of the group's patients left out
    of the matching (NaN when all were matched).
    """
    scores = psm.model.scores
    matched = scores.index.isin(psm.cohort.index)
    rows = []
    for group, level in ((GROUP_ICI, 1), (GROUP_NON_ICI, 0)):
        mask = (data[TREATMENT] == level).to_numpy()
        out = scores[mask & ~matched]
        rows.append(
            {
                "group": group,
                "n": int(mask.sum()),
                "median_score": float(scores[mask].median()),
                "n_unmatched": len(out),
                "median_unmatched": float(out.median()) if len(out) else float("nan"),
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class BalanceSummary:
    """What a balance table says, in the terms of a threshold on the absolute SMD.

    Tuples of characteristics (in the table's order): ``above_before`` and
    ``above_after`` exceed ``threshold``; ``worse_after`` have a larger
    absolute SMD after matching than before. ``worst_before`` and
    ``worst_after`` are the characteristics with the largest absolute SMD.
    """

    threshold: float
    above_before: tuple[str, ...]
    above_after: tuple[str, ...]
    worse_after: tuple[str, ...]
    worst_before: str
    worst_after: str


def balance_summary(balance: pd.DataFrame, threshold: float = SMD_THRESHOLD) -> BalanceSummary:
    """Summarise a table of :func:`helpers.stats.matching.balance_table` against ``threshold``."""
    b = balance.set_index("covariate")
    return BalanceSummary(
        threshold=threshold,
        above_before=tuple(b.index[b["abs_smd_before"] > threshold]),
        above_after=tuple(b.index[b["abs_smd_after"] > threshold]),
        worse_after=tuple(b.index[b["abs_smd_after"] > b["abs_smd_before"]]),
        worst_before=str(b["abs_smd_before"].idxmax()),
        worst_after=str(b["abs_smd_after"].idxmax()),
    )


def strongest_predictor(psm: PropensityMatch) -> str:
    """The characteristic with the largest absolute coefficient (log odds ratio) in the propensity model."""
    coef = psm.model.coefficients.set_index("term").drop(index=INTERCEPT)["coef"]
    return str(coef.abs().idxmax())
