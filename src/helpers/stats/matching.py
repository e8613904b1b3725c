"""Propensity scores, 1:1 greedy nearest-neighbour matching and covariate balance.

Compute only: no rounding and no string formatting. Results are frozen
dataclasses with a ``to_frame()`` giving tidy rows.

A study that reports "1:1 matching with a caliper of 0.02" leaves open the
algorithm, the order in which treated units choose and the scale of the
caliper. The defaults here are greedy nearest-neighbour matching without
replacement, treated units from the largest score down, and the caliper on the
probability scale (as R ``MatchIt`` does with ``std.caliper = FALSE``);
:func:`match_nearest` exposes every choice (e.g. 0.2 standard deviations of the
logit of the score), since every after-matching result depends on them.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from . import validate
from .errors import StatsError

CALIPER_SCALES = ("probability", "logit_sd")
MATCH_ORDERS = ("largest", "smallest", "data", "random")
INTERCEPT = "intercept"
SCORE_NAME = "propensity_score"

# Standardized mean difference above which a covariate is usually called imbalanced.
SMD_THRESHOLD = 0.1


# --- propensity model ---------------------------------------------------------


@dataclass(frozen=True)
class PropensityModel:
    """A fitted logistic propensity model.

    ``coefficients`` has one row per term (``intercept`` first, then the
    covariates in the order given): ``term, coef, se, z, p_value`` (Wald).
    ``scores`` is the fitted probability of treatment per patient, a Series
    aligned to the index of the data the model was fitted on.
    """

    coefficients: pd.DataFrame
    scores: pd.Series
    covariates: tuple[str, ...]
    treatment_col: str
    n: int
    n_treated: int
    loglik: float
    model: object = field(repr=False, compare=False, default=None)

    @property
    def linear_predictor(self) -> pd.Series:
        """The logit of the scores, log(e / (1 - e))."""
        e = self.scores.to_numpy(dtype=float)
        return pd.Series(np.log(e) - np.log1p(-e), index=self.scores.index, name="logit_score")

    def odds_ratios(self, alpha: float = 0.05) -> pd.DataFrame:
        """The covariates' odds ratios with Wald intervals: ``term, odds_ratio, ci_lower, ci_upper, p_value``."""
        coef = self.coefficients[self.coefficients["term"] != INTERCEPT]
        z = stats.norm.ppf(1 - alpha / 2)
        b, se = coef["coef"].to_numpy(), coef["se"].to_numpy()
        return pd.DataFrame(
            {
                "term": coef["term"].to_numpy(),
                "odds_ratio": np.exp(b),
                "ci_lower": np.exp(b - z * se),
                "ci_upper": np.exp(b + z * se),
                "p_value": coef["p_value"].to_numpy(),
            }
        )

    def to_frame(self) -> pd.DataFrame:
        return self.coefficients.assign(n=self.n, n_treated=self.n_treated)


def _check_binary(values: pd.Series, name: str) -> None:
    levels = set(pd.unique(values))
    if not levels <= {0, 1}:
        shown = ", ".join(repr(v) for v in sorted(levels - {0, 1}, key=repr)[:5])
        raise StatsError(f"column '{name}' must be coded 0/1 (found {shown})")


def _check_propensity_design(data: pd.DataFrame, treatment_col: str, covariates: list[str]) -> None:
    missing = [c for c in (treatment_col, *covariates) if c not in data.columns]
    if missing:
        raise StatsError(f"columns not in the data: {', '.join(missing)}")
    if not covariates:
        raise StatsError("at least one covariate is needed for a propensity model")
    for c in (treatment_col, *covariates):
        missing = data[c].isna().to_numpy()
        if missing.any():
            raise StatsError(
                f"column {c!r}: {validate.rows_text(missing)} {'is' if missing.sum() == 1 else 'are'} "
                "missing (NaN): drop or impute them first"
            )
    _check_binary(data[treatment_col], treatment_col)
    t = data[treatment_col].to_numpy(dtype=int)
    if t.min() == t.max():
        raise StatsError(f"treatment column '{treatment_col}' has a single level ({t[0]}) in {len(t)} patients")
    for c in covariates:
        x = data[c]
        if x.nunique() < 2:
            raise StatsError(
                f"covariate '{c}' has a single level ({x.iloc[0]!r}) in these {len(data)} patients: "
                "its coefficient is not estimable"
            )
        levels, codes = np.unique(x.to_numpy(), return_inverse=True)
        if levels.size == 2:
            # a binary covariate with an empty cell in its 2 x 2 table with the
            # treatment separates the groups: its coefficient has no finite MLE
            # (counted with numpy: pandas' crosstab made this check most of the model's time)
            table = np.bincount(codes.ravel() * 2 + t, minlength=4).reshape(2, 2)
            if (table == 0).any():
                level, group = np.argwhere(table == 0)[0]
                raise StatsError(
                    f"covariate '{c}' perfectly separates the groups: no patient with {c} = "
                    f"{levels[level].item()!r} has {treatment_col} = {group} (quasi-complete separation); "
                    "its coefficient has no finite estimate"
                )
    exog = data[covariates].to_numpy(dtype=float)
    design = np.column_stack([np.ones(len(data)), exog])
    rank = 0
    for j in range(design.shape[1]):
        new_rank = np.linalg.matrix_rank(design[:, : j + 1])
        if new_rank == rank:
            raise StatsError(
                f"covariate '{covariates[j - 1]}' is a linear combination of the intercept and the "
                "covariates before it (collinear design): its coefficient is not estimable"
            )
        rank = new_rank


def fit_propensity(
    data: pd.DataFrame,
    treatment_col: str,
    covariates,
) -> PropensityModel:
    """Fit a logistic regression of treatment on baseline covariates.

    Parameters
    ----------
    data : DataFrame
        One row per patient; the covariates and the treatment column must be
        numeric without missing values.
    treatment_col : str
        The 0/1 treatment indicator (1 = treated).
    covariates : sequence of str
        Numeric columns, each entering as one term.

    Returns
    -------
    PropensityModel

    Raises
    ------
    StatsError
        Naming the column: a covariate or treatment with a single level, a
        binary covariate that perfectly separates the groups, a collinear
        covariate, missing values; or, naming the covariates with diverging
        estimates, separation by a combination of covariates.

    Notes
    -----
    Binomial GLM with logit link and an intercept, fitted by iteratively
    reweighted least squares (statsmodels ``GLM``); this is the model of R
    ``glm(treated ~ ..., family = binomial)``. The score is the fitted
    probability e(x) = 1 / (1 + exp(-x'b)). Standard errors are from the
    inverse Fisher information, z = coef / se, two-sided normal p-values.

    Separation is checked before fitting for each binary covariate (an empty
    cell in its table against the treatment) and after fitting through
    statsmodels' perfect-separation warning, raised as an error because the
    scores would then be 0 or 1 and unusable for matching.
    """
    covariates = list(covariates)
    _check_propensity_design(data, treatment_col, covariates)
    endog = data[treatment_col].to_numpy(dtype=float)
    exog = np.column_stack([np.ones(len(data)), data[covariates].to_numpy(dtype=float)])
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        try:
            fit = sm.GLM(endog, exog, family=sm.families.Binomial()).fit()
        except PerfectSeparationWarning:
            fit = None
    if fit is None or not fit.converged or not np.all(np.isfinite(fit.bse)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loose = sm.GLM(endog, exog, family=sm.families.Binomial()).fit(maxiter=25)
        big = [c for c, b in zip(covariates, np.asarray(loose.params)[1:], strict=True) if abs(b) > 8]
        named = ", ".join(big) if big else ", ".join(covariates)
        raise StatsError(
            f"the treatment '{treatment_col}' is perfectly predicted by a combination of covariates "
            f"(separation; diverging estimates for: {named}); the propensity model has no finite estimate"
        )
    coef = np.asarray(fit.params, dtype=float)
    se = np.asarray(fit.bse, dtype=float)
    zval = coef / se
    coefficients = pd.DataFrame(
        {
            "term": [INTERCEPT, *covariates],
            "coef": coef,
            "se": se,
            "z": zval,
            "p_value": 2 * stats.norm.sf(np.abs(zval)),
        }
    )
    scores = pd.Series(np.asarray(fit.fittedvalues, dtype=float), index=data.index, name=SCORE_NAME)
    return PropensityModel(
        coefficients=coefficients,
        scores=scores,
        covariates=tuple(covariates),
        treatment_col=treatment_col,
        n=len(data),
        n_treated=int(endog.sum()),
        loglik=float(fit.llf),
        model=fit,
    )


# --- greedy nearest-neighbour matching ----------------------------------------


@dataclass(frozen=True)
class MatchResult:
    """A 1:1 matching without replacement.

    ``pairs`` has one row per matched pair: ``pair_id`` (1, 2, ... in the order
    the pairs were formed), ``treated_index`` and ``control_index`` (row labels
    of the input) and ``distance`` (absolute score difference on the matching
    scale: probability, or logit for ``caliper_scale="logit_sd"``).
    ``matched_index`` holds the labels of all matched rows in input order.
    ``counts`` has one row per group (``treated``, ``control``):
    ``group, n_before, n_matched, n_unmatched``. ``caliper_width`` is the
    caliper actually applied on the matching scale (``caliper`` itself on the
    probability scale, ``caliper`` × SD of the logit score otherwise; None
    without caliper).
    """

    pairs: pd.DataFrame
    matched_index: pd.Index
    counts: pd.DataFrame
    caliper: float | None
    caliper_scale: str
    caliper_width: float | None
    order: str
    seed: int | None = None

    @property
    def n_pairs(self) -> int:
        return len(self.pairs)

    def settings(self) -> dict:
        """The matching settings, as columns to attach to a tidy frame."""
        return {
            "caliper": self.caliper,
            "caliper_scale": self.caliper_scale,
            "caliper_width": self.caliper_width,
            "order": self.order,
            "seed": self.seed,
        }

    def to_frame(self) -> pd.DataFrame:
        return self.pairs.assign(**self.settings())


def _as_arrays(scores, treated) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    if isinstance(scores, pd.Series):
        labels = scores.index
        if isinstance(treated, pd.Series) and not treated.index.equals(labels):
            raise StatsError("scores and treated must share the same index")
    elif isinstance(treated, pd.Series):
        labels = treated.index
    else:
        labels = pd.RangeIndex(len(np.asarray(scores)))
    s = np.asarray(scores, dtype=float)
    t = np.asarray(treated)
    if s.ndim != 1 or t.shape != s.shape:
        raise StatsError(f"scores and treated must be 1-D and of equal length (got {s.shape} and {t.shape})")
    if not labels.is_unique:
        raise StatsError("the row labels (index) must be unique to identify matched patients")
    if not np.all(np.isfinite(s)):
        bad = ~np.isfinite(s)
        raise StatsError(f"scores: {validate.rows_text(bad)} not finite; scores must be finite numbers")
    t = validate.binary(t, "treated")
    return labels, s, t.astype(np.int8)


def _treated_order(x: np.ndarray, treated_pos: np.ndarray, order: str, seed: int | None) -> np.ndarray:
    if order == "largest":
        return treated_pos[np.argsort(-x[treated_pos], kind="stable")]
    if order == "smallest":
        return treated_pos[np.argsort(x[treated_pos], kind="stable")]
    if order == "data":
        return treated_pos
    return np.random.default_rng(seed).permutation(treated_pos)


def match_nearest(
    scores,
    treated,
    *,
    caliper: float | None = 0.02,
    caliper_scale: str = "probability",
    order: str = "largest",
    seed: int | None = None,
) -> MatchResult:
    """Greedy 1:1 nearest-neighbour matching without replacement, with a caliper.

    Parameters
    ----------
    scores : Series or array-like
        Propensity scores (probabilities). A Series supplies the row labels
        used in the result; otherwise the labels of ``treated`` if it is a
        Series, else 0, 1, ...
    treated : array-like
        0/1 treatment indicator aligned with ``scores``.
    caliper : float or None
        Maximum allowed distance within a pair (inclusive: a distance equal to
        the caliper is accepted). None matches without caliper.
    caliper_scale : {"probability", "logit_sd"}
        ``probability``: distances are |e_t - e_c| and the caliper is used as
        given (R MatchIt ``std.caliper = FALSE``). ``logit_sd``: distances are
        between logits of the scores and the caliper is ``caliper`` times the
        sample SD (n - 1) of the logit over all units, treated and control
        (MatchIt with ``link = "linear.logit"`` and ``std.caliper = TRUE``;
        Austin's 0.2·SD rule uses ``caliper=0.2``).
    order : {"largest", "smallest", "data", "random"}
        Order in which treated units choose (MatchIt ``m.order``): descending
        or ascending score (ties in input order), input order, or a random
        permutation drawn from ``numpy.random.default_rng(seed)``.
    seed : int, optional
        Required with ``order="random"``; ignored otherwise.

    Returns
    -------
    MatchResult

    Notes
    -----
    Greedy algorithm: treated units are visited once, in ``order``; each takes
    the closest control not yet used if it lies within the caliper, and is
    left unmatched otherwise (later treated units never displace it). The
    result is not an optimal matching, and it depends on the order.

    Implementation, O(n log n): all units are sorted once by score with a
    stable sort (ties keep input order); each treated unit's insertion point
    among the sorted controls is its position in that joint order. Two
    "next available control" pointer arrays, one looking right and one looking
    left, are kept as disjoint-set forests with path compression: a used
    control is linked to its neighbour, so the nearest unused control on either
    side is found in amortised near-constant time. No treated × control
    distance matrix is formed. The per-unit loop is plain Python.

    Tie-breaking (deterministic, the rule of R MatchIt 4.x ``nn_matchC_vec``):
    the candidates are the nearest unused control on the left (lower or equal
    score, before the treated unit in the joint order) and on the right. When
    the two are equally distant the left one, i.e. the lower score, wins. For
    controls whose scores equal the treated unit's score, the joint order is
    the input order, so the treated unit takes the nearest such control that
    precedes it in the input (the latest one before it); only if none
    precedes it does it take the earliest one after it. Treated units with
    equal scores are visited in input order by "largest" and "smallest" alike
    (R's ``order()`` is stable too). With tied scores a different row order
    can therefore give a different, equally close, matching.

    Agreement with R (``tests/test_matching.py``, ``tests/r/matching.R``): on
    the synthetic cohort (200 treated, 296 controls, only about 300 distinct
    covariate patterns, hence many tied scores) MatchIt 4.5.1 gives exactly
    the same pairs for orders "largest", "smallest" and "data", on our scores
    and on R's own ``glm`` scores, and it reproduces the hand-worked tie cases.
    One caveat found on the way: the installed MatchIt 4.5.1 build computes
    ``abs()`` of a double difference with the integer ``abs``, so any distance
    below 1 counts as 0 and a 0.02 caliper on probabilities is silently not
    applied (all 200 treated get matched), and the nearer of the two candidate
    controls is not chosen either (the lower one always wins). MatchIt's NEWS
    records the fix in a later release ("calipers would not work properly on
    some systems", #163). The R script therefore passes scores and caliper
    multiplied by 2^30, which is exact and leaves the ordering and ties
    unchanged; results from an affected MatchIt run directly would differ.
    """
    if caliper_scale not in CALIPER_SCALES:
        raise StatsError(f"caliper_scale must be one of {CALIPER_SCALES}, got {caliper_scale!r}")
    if order not in MATCH_ORDERS:
        raise StatsError(f"order must be one of {MATCH_ORDERS}, got {order!r}")
    if order == "random" and seed is None:
        raise StatsError('order="random" needs a seed so that the matching can be reproduced')
    if caliper is not None and not (np.isfinite(caliper) and caliper >= 0):
        raise StatsError(f"caliper must be a non-negative number or None, got {caliper!r}")
    labels, s, t = _as_arrays(scores, treated)

    if caliper_scale == "logit_sd":
        if np.any((s <= 0) | (s >= 1)):
            raise StatsError('caliper_scale="logit_sd" needs scores strictly between 0 and 1')
        x = np.log(s) - np.log1p(-s)
        spread = float(np.std(x, ddof=1)) if len(x) > 1 else 0.0
        width = None if caliper is None else float(caliper) * spread
    else:
        x = s
        width = None if caliper is None else float(caliper)
    limit = math.inf if width is None else width

    # joint stable sort; controls in score order and each unit's count of controls before it
    joint = np.argsort(x, kind="stable")
    is_control = t[joint] == 0
    control_pos = joint[is_control]
    controls_before = np.empty(len(x), dtype=np.int64)
    controls_before[joint] = np.cumsum(is_control) - is_control
    treated_pos = np.flatnonzero(t == 1)
    visit = _treated_order(x, treated_pos, order, seed)

    n0 = len(control_pos)
    cx = x[control_pos].tolist()
    xs = x[visit].tolist()
    insert_at = controls_before[visit].tolist()
    # right[j]: next unused control at sorted position >= j (n0 = none);
    # left[j]: j - 1 shifted, i.e. left[j] = 1 + previous unused control at position <= j - 1 (0 = none)
    right = list(range(n0 + 1))
    left = list(range(n0 + 1))
    out_t: list[int] = []
    out_c: list[int] = []
    out_d: list[float] = []
    for k, (xt, q) in enumerate(zip(xs, insert_at, strict=True)):
        if len(out_c) == n0:
            break
        # nearest unused control on the right: root of q in `right`, compressing the path
        r = q
        while right[r] != r:
            r = right[r]
        while right[q] != r:
            right[q], q = r, right[q]
        # nearest unused control on the left
        q = insert_at[k]
        ll = q
        while left[ll] != ll:
            ll = left[ll]
        while left[q] != ll:
            left[q], q = ll, left[q]
        dl = xt - cx[ll - 1] if ll > 0 else math.inf
        dr = cx[r] - xt if r < n0 else math.inf
        # the left candidate wins ties; a candidate beyond the caliper (or none: inf) is refused
        if dl <= dr:
            c, d = ll - 1, dl
        else:
            c, d = r, dr
        if d > limit or d == math.inf:
            continue
        right[c] = c + 1
        left[c + 1] = c
        out_t.append(k)
        out_c.append(c)
        out_d.append(d)

    t_rows = visit[np.asarray(out_t, dtype=np.int64)]
    c_rows = control_pos[np.asarray(out_c, dtype=np.int64)]
    pairs = pd.DataFrame(
        {
            "pair_id": np.arange(1, len(out_t) + 1, dtype=np.int64),
            "treated_index": labels[t_rows],
            "control_index": labels[c_rows],
            "distance": np.asarray(out_d, dtype=float),
        }
    )
    matched = np.zeros(len(x), dtype=bool)
    matched[t_rows] = True
    matched[c_rows] = True
    n1 = len(treated_pos)
    counts = pd.DataFrame(
        {
            "group": ["treated", "control"],
            "n_before": [n1, n0],
            "n_matched": [len(out_t), len(out_t)],
            "n_unmatched": [n1 - len(out_t), n0 - len(out_t)],
        }
    )
    return MatchResult(
        pairs=pairs,
        matched_index=labels[matched],
        counts=counts,
        caliper=caliper,
        caliper_scale=caliper_scale,
        caliper_width=width,
        order=order,
        seed=seed,
    )


def matched_cohort(data: pd.DataFrame, result: MatchResult) -> pd.DataFrame:
    """The matched patients of ``data`` with a ``pair_id`` column.

    Rows keep their order and labels in ``data``; the treated patient and the
    control of a pair share the same ``pair_id``.
    """
    if "pair_id" in data.columns:
        raise StatsError("data already has a 'pair_id' column")
    pair_of = pd.concat(
        [
            pd.Series(result.pairs["pair_id"].to_numpy(), index=pd.Index(result.pairs["treated_index"])),
            pd.Series(result.pairs["pair_id"].to_numpy(), index=pd.Index(result.pairs["control_index"])),
        ]
    )
    absent = pair_of.index.difference(data.index)
    if len(absent):
        shown = ", ".join(map(str, absent[:5]))
        raise StatsError(f"{len(absent)} matched row label(s) are not in the data (e.g. {shown})")
    rows = data.index.isin(pair_of.index)
    out = data.loc[rows].copy()
    out["pair_id"] = pair_of.reindex(out.index).to_numpy()
    return out


# --- balance ------------------------------------------------------------------


def standardized_differences(
    data: pd.DataFrame,
    covariates,
    treatment_col: str,
    *,
    weights=None,
) -> pd.DataFrame:
    """Standardised mean differences (treated minus control) of binary covariates.

    Parameters
    ----------
    covariates : sequence of str
        0/1 columns.
    weights : str or array-like, optional
        A column name or one non-negative weight per row (e.g. matching
        weights); proportions are then weighted means. Select rows (e.g. a
        matched cohort) by passing that subset as ``data``.

    Returns
    -------
    DataFrame
        One row per covariate: ``covariate, p_treated, p_control, smd, abs_smd``.

    Notes
    -----
    SMD = (p1 - p0) / sqrt((p1 (1 - p1) + p0 (1 - p0)) / 2), with the
    proportions p1 (treated) and p0 (control) and the pooled variance of the
    sample passed in (Austin 2009), so the "after" SMD of a matched cohort
    uses the matched cohort's own variances. When both groups are constant
    the SMD is 0 if the proportions are equal and ±inf otherwise.
    """
    covariates = list(covariates)
    missing = [c for c in (treatment_col, *covariates) if c not in data.columns]
    if missing:
        raise StatsError(f"columns not in the data: {', '.join(missing)}")
    t = validate.binary(data[treatment_col], f"column {treatment_col!r}")
    w = validate.weights_of(data, weights)
    w1, w0 = w * (t == 1), w * (t == 0)
    if w1.sum() == 0 or w0.sum() == 0:
        raise StatsError(f"both groups of '{treatment_col}' need rows (with positive weight) to compare")
    rows = []
    for c in covariates:
        x = validate.binary(data[c], f"column {c!r}").astype(float)
        p1 = float(np.dot(w1, x) / w1.sum())
        p0 = float(np.dot(w0, x) / w0.sum())
        pooled = math.sqrt((p1 * (1 - p1) + p0 * (1 - p0)) / 2)
        if pooled > 0:
            smd = (p1 - p0) / pooled
        else:
            smd = 0.0 if p1 == p0 else math.copysign(math.inf, p1 - p0)
        rows.append({"covariate": c, "p_treated": p1, "p_control": p0, "smd": smd, "abs_smd": abs(smd)})
    return pd.DataFrame(rows)


def balance_table(
    before: pd.DataFrame,
    after: pd.DataFrame,
    covariates,
    treatment_col: str,
) -> pd.DataFrame:
    """SMDs before and after matching, one row per covariate.

    Columns: ``covariate, smd_before, smd_after, abs_smd_before, abs_smd_after``
    (signed: treated minus control). See :func:`standardized_differences`.
    """
    b = standardized_differences(before, covariates, treatment_col)
    a = standardized_differences(after, covariates, treatment_col)
    return pd.DataFrame(
        {
            "covariate": b["covariate"],
            "smd_before": b["smd"],
            "smd_after": a["smd"],
            "abs_smd_before": b["abs_smd"],
            "abs_smd_after": a["abs_smd"],
        }
    )


# --- everything in one call ---------------------------------------------------


@dataclass(frozen=True)
class PropensityMatch:
    """Propensity model, matching and balance of one matched analysis.

    ``cohort`` is the matched rows of the data with ``pair_id``
    (:func:`matched_cohort`); ``balance`` is :func:`balance_table` of the
    full data against the matched cohort. ``to_frame()`` gives the per-group
    counts with the matching settings.
    """

    model: PropensityModel
    match: MatchResult
    balance: pd.DataFrame
    cohort: pd.DataFrame = field(repr=False, compare=False)

    def to_frame(self) -> pd.DataFrame:
        return self.match.counts.assign(**self.match.settings())


def match_propensity(
    data: pd.DataFrame,
    treatment_col: str,
    covariates,
    *,
    caliper: float | None = 0.02,
    caliper_scale: str = "probability",
    order: str = "largest",
    seed: int | None = None,
) -> PropensityMatch:
    """Fit the propensity model, match 1:1 and measure balance.

    A logistic model of ``treatment_col`` on ``covariates``
    (:func:`fit_propensity`), greedy nearest-neighbour matching without
    replacement (:func:`match_nearest`, with its caliper, scale and order) and
    the standardised differences before and after (:func:`balance_table`).
    """
    model = fit_propensity(data, treatment_col=treatment_col, covariates=covariates)
    match = match_nearest(
        model.scores,
        data[treatment_col],
        caliper=caliper,
        caliper_scale=caliper_scale,
        order=order,
        seed=seed,
    )
    cohort = matched_cohort(data, match)
    balance = balance_table(data, cohort, covariates, treatment_col)
    return PropensityMatch(model=model, match=match, balance=balance, cohort=cohort)
