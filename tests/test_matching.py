"""Propensity score matching: hand examples, a brute-force reference, SMDs, errors, and R (glm + MatchIt).

Every expected value comes from a hand calculation, a deliberately naive
reference written here, or R; none is produced by the functions under test.
"""

from __future__ import annotations

import math
import shutil
import statistics
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.stats.matching import (
    balance_table,
    fit_propensity,
    match_nearest,
    match_propensity,
    matched_cohort,
    standardized_differences,
)
from helpers.study.cohort import TABLE1_VARIABLES, TREATED, derive_categories

R_SCRIPT = Path(__file__).resolve().parent / "r" / "matching.R"


def _pairs(result) -> set[tuple]:
    return set(zip(result.pairs["treated_index"], result.pairs["control_index"], strict=True))


# --- hand example ---------------------------------------------------------------
#
# Four treated (T) and six controls (C); scores chosen so that every comparison
# below is decided by at least 0.005. Caliper 0.02. Rows in data order:
#
#   T1 0.500   T3 0.300   T2 0.480   T4 0.325
#   C1 0.490   C2 0.465   C3 0.310   C4 0.200   C5 0.515   C6 0.850
#
# largest first (T1 0.5, T2 0.48, T4 0.325, T3 0.3):
#   T1: C1 at 0.010 beats C5 at 0.015                      -> T1-C1
#   T2: its nearest, C1 (0.010), is taken; C2 at 0.015
#       beats C5 at 0.035                                  -> T2-C2
#   T4: C3 at 0.015 (above it C2, C1 are taken, C5 0.19)   -> T4-C3
#   T3: C3 taken; nearest free is C4 at 0.100 > 0.02       -> unmatched
# smallest first (T3, T4, T2, T1):
#   T3: C3 at 0.010                                        -> T3-C3
#   T4: C3 taken; C4 at 0.125, C2 at 0.140, both > 0.02    -> unmatched
#   T2: C1 at 0.010 beats C2 at 0.015                      -> T2-C1
#   T1: C1 taken; C5 at 0.015 beats C2 at 0.035            -> T1-C5
# data order (T1, T3, T2, T4):
#   T1-C1, T3-C3, T2-C2 (C1 taken), T4 unmatched (C3 taken)
# C6 (0.85) is never within the caliper of anyone.

HAND = pd.DataFrame(
    {
        "score": [0.500, 0.300, 0.480, 0.325, 0.490, 0.465, 0.310, 0.200, 0.515, 0.850],
        "treated": [1, 1, 1, 1, 0, 0, 0, 0, 0, 0],
    },
    index=["T1", "T3", "T2", "T4", "C1", "C2", "C3", "C4", "C5", "C6"],
)
HAND_EXPECTED = {
    "largest": {("T1", "C1"), ("T2", "C2"), ("T4", "C3")},
    "smallest": {("T3", "C3"), ("T2", "C1"), ("T1", "C5")},
    "data": {("T1", "C1"), ("T3", "C3"), ("T2", "C2")},
}


@pytest.mark.parametrize("order", ["largest", "smallest", "data"])
def test_hand_example(order):
    result = match_nearest(HAND["score"], HAND["treated"], caliper=0.02, order=order)
    assert _pairs(result) == HAND_EXPECTED[order]
    counts = result.counts.set_index("group")
    assert counts.loc["treated"].tolist() == [4, 3, 1]
    assert counts.loc["control"].tolist() == [6, 3, 3]
    assert set(result.matched_index) == {x for pair in HAND_EXPECTED[order] for x in pair}
    # matched labels keep the data order
    assert list(result.matched_index) == [x for x in HAND.index if x in set(result.matched_index)]
    # distances by hand
    expected = {
        ("T1", "C1"): 0.010,
        ("T2", "C2"): 0.015,
        ("T4", "C3"): 0.015,
        ("T3", "C3"): 0.010,
        ("T2", "C1"): 0.010,
        ("T1", "C5"): 0.015,
    }
    for t, c, d in result.pairs[["treated_index", "control_index", "distance"]].itertuples(index=False):
        assert d == pytest.approx(expected[(t, c)], abs=1e-12)


def test_hand_example_pair_ids_follow_the_order_of_matching():
    result = match_nearest(HAND["score"], HAND["treated"], order="largest")
    assert result.pairs["pair_id"].tolist() == [1, 2, 3]
    assert result.pairs["treated_index"].tolist() == ["T1", "T2", "T4"]
    settings = (result.caliper, result.caliper_scale, result.caliper_width, result.order)
    assert settings == (0.02, "probability", 0.02, "largest")
    frame = result.to_frame()
    assert {"pair_id", "treated_index", "control_index", "distance", "caliper", "order"} <= set(frame.columns)


def test_hand_example_random_order():
    # the two contests (T1 vs T2 for C1, T3 vs T4 for C3) do not interact, so any
    # order gives one of four matchings, decided by who comes first in each contest
    t1_first = {("T1", "C1"), ("T2", "C2")}
    t2_first = {("T2", "C1"), ("T1", "C5")}
    t3_first = {("T3", "C3")}
    t4_first = {("T4", "C3")}
    allowed = [a | b for a in (t1_first, t2_first) for b in (t3_first, t4_first)]
    seen = []
    for seed in range(30):
        result = match_nearest(HAND["score"], HAND["treated"], order="random", seed=seed)
        assert _pairs(result) in allowed
        again = match_nearest(HAND["score"], HAND["treated"], order="random", seed=seed)
        assert _pairs(again) == _pairs(result), "the same seed gives the same matching"
        assert result.seed == seed
        seen.append(frozenset(_pairs(result)))
    assert len(set(seen)) > 1, "different seeds should give different orders"


def test_without_caliper_everyone_finds_a_control():
    # largest first, no caliper: T1-C1, T2-C2, T4-C3 as above; T3 (0.30) then takes
    # the nearest control left: C4 (0.100) beats C5 (0.215)
    result = match_nearest(HAND["score"], HAND["treated"], caliper=None)
    assert _pairs(result) == HAND_EXPECTED["largest"] | {("T3", "C4")}
    assert result.caliper_width is None


def test_caliper_is_inclusive():
    # dyadic numbers: the difference 0.03125 is exact
    scores = pd.Series([0.5, 0.53125], index=["t", "c"])
    assert _pairs(match_nearest(scores, [1, 0], caliper=0.03125)) == {("t", "c")}
    assert _pairs(match_nearest(scores, [1, 0], caliper=0.03)) == set()


# --- ties -------------------------------------------------------------------------
#
# MatchIt's rule (see match_nearest Notes): sort all units by score, ties in data
# order; the nearest free control to the left (lower or equal score, earlier in
# that order) wins against the one to the right when equally distant.
# Dyadic scores (exact differences), caliper 0.1; no treated unit has another
# control as close as the one it takes, whatever the order.
#
#   a C 0.25 | b T 0.25 | c C 0.25      b takes a (tied controls on both sides: the left one)
#   d C 0.625 | e C 0.625 | f T 0.625   f takes e (the nearer of the two on its left)
#   g T 0.875 | h C 0.875 | i C 0.875   g takes h (no tied control before it)
#   j T 0.5 | l C 0.5625 | k C 0.4375   j takes k: both 0.0625 away, lower score wins
#   m T 0.0625 | n C 0.0625 | o T 0.0625 | p C 0.0625
#       m takes n (first control after it); then o: n used, takes p
# The order of treated units does not matter here (ties are broken in data order
# for largest/smallest alike).

TIES = pd.DataFrame(
    [
        ("a", 0, 0.25),
        ("b", 1, 0.25),
        ("c", 0, 0.25),
        ("d", 0, 0.625),
        ("e", 0, 0.625),
        ("f", 1, 0.625),
        ("g", 1, 0.875),
        ("h", 0, 0.875),
        ("i", 0, 0.875),
        ("j", 1, 0.5),
        ("l", 0, 0.5625),
        ("k", 0, 0.4375),
        ("m", 1, 0.0625),
        ("n", 0, 0.0625),
        ("o", 1, 0.0625),
        ("p", 0, 0.0625),
    ],
    columns=["label", "treated", "score"],
).set_index("label")
TIES_EXPECTED = {("b", "a"), ("f", "e"), ("g", "h"), ("j", "k"), ("m", "n"), ("o", "p")}


@pytest.mark.parametrize("order", ["largest", "smallest", "data"])
def test_tie_breaking(order):
    result = match_nearest(TIES["score"], TIES["treated"], caliper=0.1, order=order)
    assert _pairs(result) == TIES_EXPECTED


def test_largest_first_keeps_data_order_among_tied_treated():
    # three treated tied at 0.5, two controls tied at 0.5 placed after them:
    # largest first visits x, y, z (data order); x takes the first control after
    # it (u), y the next free one (v), z finds none
    scores = pd.Series([0.5, 0.5, 0.5, 0.5, 0.5, 0.1], index=["x", "y", "z", "u", "v", "w"])
    treated = [1, 1, 1, 0, 0, 0]
    result = match_nearest(scores, treated, caliper=0.02)
    assert _pairs(result) == {("x", "u"), ("y", "v")}


# --- brute-force reference ----------------------------------------------------------


def _greedy_reference(x, treated, width, visit):
    """Plain greedy matching: for each treated unit, scan every control (O(n^2))."""
    used = set()
    pairs = []
    for i in visit:
        best, best_d = None, math.inf
        for j in range(len(x)):
            if treated[j] == 1 or j in used:
                continue
            d = abs(x[i] - x[j])
            if d > width:
                continue
            if d < best_d or (d == best_d and x[j] < x[best]):
                best, best_d = j, d
        if best is not None:
            used.add(best)
            pairs.append((i, best))
    return pairs


def _visit(x, treated, order):
    positions = [i for i in range(len(x)) if treated[i] == 1]
    if order == "largest":
        return sorted(positions, key=lambda i: -x[i])
    if order == "smallest":
        return sorted(positions, key=lambda i: x[i])
    return positions


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("n", [12, 80, 400])
@pytest.mark.parametrize("order", ["largest", "smallest", "data"])
def test_matches_brute_force_probability_scale(seed, n, order):
    rng = np.random.default_rng(seed * 1000 + n)
    treated = (rng.random(n) < 0.4).astype(int)
    scores = np.where(treated == 1, rng.beta(3, 2, n), rng.beta(2, 3, n))
    assert np.unique(scores).size == n
    for caliper in (0.002, 0.02, None):
        width = math.inf if caliper is None else caliper
        expected = _greedy_reference(scores.tolist(), treated.tolist(), width, _visit(scores, treated, order))
        result = match_nearest(scores, treated, caliper=caliper, order=order)
        got = list(zip(result.pairs["treated_index"], result.pairs["control_index"], strict=True))
        assert got == expected, f"caliper {caliper}: pairs (in order of matching) differ"
        dist = [abs(scores[t] - scores[c]) for t, c in expected]
        np.testing.assert_allclose(result.pairs["distance"], dist, rtol=0, atol=1e-15)


@pytest.mark.parametrize("seed", [5, 6, 7])
@pytest.mark.parametrize("n", [15, 120, 500])
@pytest.mark.parametrize("order", ["largest", "data"])
def test_matches_brute_force_logit_sd_scale(seed, n, order):
    rng = np.random.default_rng(seed * 1000 + n)
    treated = (rng.random(n) < 0.4).astype(int)
    scores = np.where(treated == 1, rng.beta(3, 2, n), rng.beta(2, 3, n))
    logits = [math.log(p) - math.log1p(-p) for p in scores]
    sd = statistics.stdev(logits)  # n - 1 denominator, all units
    for caliper in (0.05, 0.2):
        expected = _greedy_reference(logits, treated.tolist(), caliper * sd, _visit(logits, treated, order))
        result = match_nearest(scores, treated, caliper=caliper, caliper_scale="logit_sd", order=order)
        assert result.caliper_width == pytest.approx(caliper * sd, rel=1e-12)
        got = list(zip(result.pairs["treated_index"], result.pairs["control_index"], strict=True))
        assert got == expected


def test_scales_to_large_inputs_with_ties():
    # many tied scores; every matching property that does not depend on the order
    rng = np.random.default_rng(11)
    n = 50_000
    treated = (rng.random(n) < 0.4).astype(int)
    scores = np.round(rng.random(n), 3)
    result = match_nearest(scores, treated, caliper=0.0005)
    p = result.pairs
    assert p["treated_index"].is_unique and p["control_index"].is_unique
    assert (treated[p["treated_index"]] == 1).all() and (treated[p["control_index"]] == 0).all()
    assert (np.abs(scores[p["treated_index"]] - scores[p["control_index"]]) <= 0.0005).all()
    # with 1000 bins of ~50 units, each bin has more controls than treated almost surely:
    # the expected number of pairs is then the number of treated
    bins = pd.crosstab(scores, treated)
    assert result.n_pairs >= int(np.minimum(bins[0], bins[1]).sum())


# --- matched cohort and balance -----------------------------------------------------


def test_matched_cohort_shares_pair_ids():
    data = HAND.assign(age=range(10))
    result = match_nearest(data["score"], data["treated"])
    cohort = matched_cohort(data, result)
    assert list(cohort.index) == ["T1", "T2", "T4", "C1", "C2", "C3"]
    pair_of = cohort["pair_id"].to_dict()
    assert pair_of["T1"] == pair_of["C1"] and pair_of["T2"] == pair_of["C2"] and pair_of["T4"] == pair_of["C3"]
    assert cohort.groupby("pair_id")["treated"].sum().eq(1).all()
    assert (cohort["age"] == data.loc[cohort.index, "age"]).all()


def test_smd_hand_example():
    # x: treated 3/4, control 1/4 -> (0.75 - 0.25) / sqrt((0.1875 + 0.1875) / 2) = 0.5 / (sqrt(3) / 4) = 2 / sqrt(3)
    # y: treated 1/4, control 1/4 -> 0
    # z: treated 1/2, control 0 -> 0.5 / sqrt(0.25 / 2) = sqrt(2)
    data = pd.DataFrame(
        {
            "treated": [1, 1, 1, 1, 0, 0, 0, 0],
            "x": [1, 1, 1, 0, 1, 0, 0, 0],
            "y": [0, 0, 1, 0, 0, 1, 0, 0],
            "z": [1, 0, 1, 0, 0, 0, 0, 0],
        }
    )
    smd = standardized_differences(data, ["x", "y", "z"], "treated").set_index("covariate")
    assert smd.loc["x", "smd"] == pytest.approx(2 / math.sqrt(3), rel=1e-12)
    assert smd.loc["y", "smd"] == pytest.approx(0.0, abs=1e-15)
    assert smd.loc["z", "smd"] == pytest.approx(math.sqrt(2), rel=1e-12)
    assert smd.loc["x", "p_treated"] == 0.75 and smd.loc["x", "p_control"] == 0.25
    # control minus treated flips the sign; abs_smd does not
    flipped = standardized_differences(data.assign(treated=1 - data["treated"]), ["x"], "treated").iloc[0]
    assert flipped["smd"] == pytest.approx(-2 / math.sqrt(3)) and flipped["abs_smd"] == pytest.approx(2 / math.sqrt(3))
    # weights: giving the treated row with x = 0 weight 3 makes p1 = 3/6 = 0.5,
    # SMD = 0.25 / sqrt((0.25 + 0.1875) / 2)
    w = [1, 1, 1, 3, 1, 1, 1, 1]
    weighted = standardized_differences(data, ["x"], "treated", weights=w).iloc[0]
    assert weighted["smd"] == pytest.approx(0.25 / math.sqrt((0.25 + 0.1875) / 2), rel=1e-12)
    # balance table: "after" = the first 3 treated and the first 3 controls
    after = data.iloc[[0, 1, 2, 4, 5, 6]]
    # after, x: p1 = 1, p0 = 1/3 -> (2/3) / sqrt((0 + 2/9) / 2) = (2/3) / (1/3) = 2
    table = balance_table(data, after, ["x"], "treated").iloc[0]
    assert table["smd_before"] == pytest.approx(2 / math.sqrt(3))
    assert table["smd_after"] == pytest.approx(2.0)
    assert table["abs_smd_after"] == pytest.approx(2.0)


def test_smd_of_constant_covariates():
    data = pd.DataFrame({"treated": [1, 1, 0, 0], "same": [1, 1, 1, 1], "apart": [1, 1, 0, 0]})
    smd = standardized_differences(data, ["same", "apart"], "treated").set_index("covariate")["smd"]
    assert smd["same"] == 0.0 and smd["apart"] == math.inf


# --- propensity model ---------------------------------------------------------------


def test_propensity_model_single_binary_covariate_by_hand():
    # x = 0: 1 treated of 4; x = 1: 3 treated of 4. With one binary covariate the
    # MLE reproduces the observed proportions:
    #   intercept = logit(1/4) = -log 3, slope = log odds ratio = log(3 * 3 / (1 * 1)) = 2 log 3
    #   se(intercept) = sqrt(1/1 + 1/3), se(slope) = sqrt(1/1 + 1/3 + 1/3 + 1/1) (Woolf)
    data = pd.DataFrame({"x": [0, 0, 0, 0, 1, 1, 1, 1], "treated": [1, 0, 0, 0, 1, 1, 1, 0]}, index=list("abcdefgh"))
    model = fit_propensity(data, "treated", ["x"])
    coef = model.coefficients.set_index("term")
    assert list(coef.index) == ["intercept", "x"]
    assert coef.loc["intercept", "coef"] == pytest.approx(-math.log(3), abs=1e-8)
    assert coef.loc["x", "coef"] == pytest.approx(2 * math.log(3), abs=1e-8)
    assert coef.loc["intercept", "se"] == pytest.approx(math.sqrt(4 / 3), rel=1e-6)
    assert coef.loc["x", "se"] == pytest.approx(math.sqrt(8 / 3), rel=1e-6)
    assert coef.loc["x", "z"] == pytest.approx(2 * math.log(3) / math.sqrt(8 / 3), rel=1e-6)
    assert list(model.scores.index) == list("abcdefgh")
    np.testing.assert_allclose(model.scores, [0.25] * 4 + [0.75] * 4, atol=1e-9)
    np.testing.assert_allclose(model.linear_predictor, [-math.log(3)] * 4 + [math.log(3)] * 4, atol=1e-8)


def test_single_level_covariate_is_named(cohort):
    data = derive_categories(cohort).assign(male=1)
    with pytest.raises(ValueError, match=r"covariate 'male' has a single level"):
        fit_propensity(data, TREATED, TABLE1_VARIABLES)


def test_perfect_separation_is_named(cohort):
    data = derive_categories(cohort)
    data["brain_met"] = data[TREATED]
    with pytest.raises(ValueError, match=r"covariate 'brain_met' perfectly separates"):
        fit_propensity(data, TREATED, TABLE1_VARIABLES)
    # quasi-complete: every patient with liver metastases is treated, but not the reverse
    data = derive_categories(cohort)
    data.loc[data[TREATED] == 0, "liver_met"] = 0
    with pytest.raises(ValueError, match=r"'liver_met' perfectly separates"):
        fit_propensity(data, TREATED, TABLE1_VARIABLES)


def test_separation_by_a_combination_is_reported():
    # all 8 patterns of three binary covariates, treated exactly when x1 + x2 - x3 >= 1:
    # every covariate has both treatment groups at both levels (no empty cell), yet
    # the linear rule separates the groups, so the MLE does not exist
    patterns = pd.DataFrame([(a, b, c) for a in (0, 1) for b in (0, 1) for c in (0, 1)], columns=["x1", "x2", "x3"])
    data = patterns.assign(treated=(patterns["x1"] + patterns["x2"] - patterns["x3"] >= 1).astype(int))
    for c in ("x1", "x2", "x3"):
        assert (pd.crosstab(data[c], data["treated"]).to_numpy() > 0).all()
    with pytest.raises(ValueError, match=r"perfectly predicted by a combination of covariates"):
        fit_propensity(data, "treated", ["x1", "x2", "x3"])


def test_other_errors():
    with pytest.raises(ValueError, match=r"order=\"random\" needs a seed"):
        match_nearest(HAND["score"], HAND["treated"], order="random")
    with pytest.raises(ValueError, match=r"order must be one of"):
        match_nearest(HAND["score"], HAND["treated"], order="closest")
    with pytest.raises(ValueError, match=r"caliper_scale must be one of"):
        match_nearest(HAND["score"], HAND["treated"], caliper_scale="sd")
    with pytest.raises(ValueError, match=r"strictly between 0 and 1"):
        match_nearest([0.0, 0.5, 0.7], [1, 0, 0], caliper_scale="logit_sd")
    with pytest.raises(ValueError, match=r"coded 0/1"):
        match_nearest([0.1, 0.5, 0.7], [1, 2, 0])
    with pytest.raises(ValueError, match=r"finite"):
        match_nearest([np.nan, 0.5], [1, 0])
    data = pd.DataFrame({"x": [0, 1, 0, 1], "y": [0, 1, 0, 1], "treated": [1, 1, 0, 0]})
    with pytest.raises(ValueError, match=r"covariate 'y' is a linear combination"):
        fit_propensity(data, "treated", ["x", "y"])
    with pytest.raises(ValueError, match=r"columns not in the data: nope"):
        fit_propensity(data, "treated", ["x", "nope"])


# --- the synthetic cohort -----------------------------------------------------------


def test_match_propensity_on_the_cohort(cohort):
    data = derive_categories(cohort)
    result = match_propensity(data, TREATED, TABLE1_VARIABLES)
    counts = result.match.counts.set_index("group")
    assert counts.loc["treated", "n_before"] == 200 and counts.loc["control", "n_before"] == 296
    assert counts.loc["treated", "n_matched"] == counts.loc["control", "n_matched"] == result.match.n_pairs
    assert len(result.cohort) == 2 * result.match.n_pairs
    assert (result.match.pairs["distance"] <= 0.02).all()
    assert list(result.balance["covariate"]) == list(TABLE1_VARIABLES)
    # matching on the score removes most of the imbalance of the strongest predictor
    first_line = result.balance.set_index("covariate").loc["first_line_ici"]
    assert first_line["abs_smd_after"] < first_line["abs_smd_before"] / 4
    assert set(result.to_frame()["group"]) == {"treated", "control"}


# --- R: glm and MatchIt ------------------------------------------------------------


def _r_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    probe = subprocess.run(["Rscript", "-e", "library(MatchIt)"], capture_output=True, text=True)
    return probe.returncode == 0


def _run_r(out: Path, frame: pd.DataFrame, caliper, order: str) -> dict[str, pd.DataFrame]:
    """Run tests/r/matching.R in directory ``out``; ``frame`` has row_id, treated, score and covariates."""
    if not _r_available():
        pytest.skip("the R package MatchIt is not installed")
    out.mkdir(parents=True)
    frame = frame.assign(score=[float(v).hex() for v in frame["score"]])
    frame.to_csv(out / "input.csv", index=False)
    cal = "Inf" if caliper is None else repr(float(caliper))
    run = subprocess.run(
        ["Rscript", str(R_SCRIPT), str(out / "input.csv"), str(out), cal, order],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    return {p.stem: pd.read_csv(p, dtype=str) for p in out.glob("*.csv") if p.stem != "input"}


def _r_pairs(frame: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(frame["treated_id"], frame["control_id"], strict=True))


@pytest.mark.r
@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript is not installed")
@pytest.mark.parametrize("order", ["largest", "smallest", "data"])
def test_r_hand_examples(tmp_path, order):
    # MatchIt reproduces the hand-worked matchings, including the tie cases
    hand = HAND.rename_axis("row_id").reset_index()[["row_id", "treated", "score"]]
    assert _r_pairs(_run_r(tmp_path / "hand", hand, 0.02, order)["pairs_given"]) == HAND_EXPECTED[order]
    ties = TIES.rename_axis("row_id").reset_index()[["row_id", "treated", "score"]]
    assert _r_pairs(_run_r(tmp_path / "ties", ties, 0.1, order)["pairs_given"]) == TIES_EXPECTED


@pytest.mark.r
@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript is not installed")
@pytest.mark.parametrize("order", ["largest", "smallest", "data"])
def test_r_agreement_on_the_cohort(cohort, tmp_path, order):
    data = derive_categories(cohort)
    model = fit_propensity(data, TREATED, TABLE1_VARIABLES)
    frame = data[[TREATED, *TABLE1_VARIABLES]].assign(score=model.scores)
    frame.insert(0, "row_id", data.index.astype(str))
    r = _run_r(tmp_path / "cohort", frame, 0.02, order)

    # propensity model: glm coefficients and standard errors
    r_coef = r["coefficients"].astype({"estimate": float, "std_error": float})
    r_coef["term"] = r_coef["term"].replace({"(Intercept)": "intercept"})
    merged = model.coefficients.merge(r_coef, on="term", validate="one_to_one")
    assert len(merged) == 1 + len(TABLE1_VARIABLES)
    np.testing.assert_allclose(merged["coef"], merged["estimate"], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(merged["se"], merged["std_error"], rtol=1e-6, atol=1e-6)
    r_scores = np.array([float.fromhex(v) for v in r["scores_glm"]["score"]])
    np.testing.assert_allclose(model.scores.to_numpy(), r_scores, rtol=0, atol=1e-9)

    # matching: the very same pairs as MatchIt, although the cohort has many tied scores
    assert model.scores.nunique() < len(data) * 0.7, "the cohort is expected to have tied scores"
    ours = match_nearest(model.scores, data[TREATED], caliper=0.02, order=order)
    ours_pairs = {(str(t), str(c)) for t, c in _pairs(ours)}
    assert ours_pairs == _r_pairs(r["pairs_given"])
    # and R end to end (its own glm scores) gives the same matching
    assert ours_pairs == _r_pairs(r["pairs_glm"])
