"""Timing of helpers.matching.match_nearest on a million simulated patients.

Run with ``.venv/bin/python benchmarks/bench_matching.py [n]``. Prints figures
only; there are no assertions (the target is at most about 10 seconds per
matching on a 2-core machine).

Two score patterns are timed, each with 40% treated and caliper 0.02 on the
probability scale, largest score first:

- ``logistic``: scores from a logistic model of 11 random binary covariates,
  as in the cohort, so there are at most 2,048 distinct scores and very many
  ties;
- ``beta``: continuous scores, Beta(3, 2) for the treated and Beta(2, 3) for
  the controls, rounded to 4 decimals (ties, but up to 10,001 distinct values);
  part of the treated find no control within the caliper. This pattern is also
  timed with a 0.2·SD caliper on the logit scale and in random order.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from helpers.stats.matching import match_nearest


def logistic_scores(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    treated = (rng.random(n) < 0.4).astype(int)
    # the first three covariates are more common among the treated, so the score distributions differ
    prevalence = np.where(treated[:, None] == 1, [0.7, 0.6, 0.6, *[0.4] * 8], [0.4] * 11)
    x = (rng.random((n, 11)) < prevalence).astype(float)
    beta = rng.normal(0.0, 0.5, size=11)
    eta = -0.4 + x @ beta
    return 1.0 / (1.0 + np.exp(-eta)), treated


def beta_scores(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    treated = (rng.random(n) < 0.4).astype(int)
    s = np.where(treated == 1, rng.beta(3, 2, size=n), rng.beta(2, 3, size=n))
    return np.round(s, 4), treated


def run(name: str, scores: np.ndarray, treated: np.ndarray, **kwargs) -> None:
    start = time.perf_counter()
    result = match_nearest(scores, treated, **kwargs)
    seconds = time.perf_counter() - start
    counts = result.counts.set_index("group")
    print(
        f"{name:<28} n={len(scores):>9,}  distinct scores={np.unique(scores).size:>7,}  "
        f"treated={counts.loc['treated', 'n_before']:>8,}  controls={counts.loc['control', 'n_before']:>8,}  "
        f"pairs={result.n_pairs:>8,}  seconds={seconds:6.2f}"
    )


def main(n: int = 1_000_000) -> None:
    rng = np.random.default_rng(20240611)
    for label, make in (("logistic", logistic_scores), ("beta", beta_scores)):
        scores, treated = make(n, rng)
        run(f"{label}, probability 0.02", scores, treated, caliper=0.02)
        if label == "beta":
            run(f"{label}, logit_sd 0.2", scores.clip(1e-4, 1 - 1e-4), treated, caliper=0.2, caliper_scale="logit_sd")
            run(f"{label}, random order", scores, treated, caliper=0.02, order="random", seed=1)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
