"""The statistics layer side by side with R, lifelines and statsmodels, measured in one run.

Run with ``.venv/bin/python benchmarks/bench_stats.py [divisor]`` (``make bench`` runs it
too; a divisor, e.g. 100, divides every n for a quick check that every line runs). Prints
one line per measurement: the task, who ran it, the number of patients, wall-clock seconds
and the ratio of that time to the project's on the same data (above 1: the project is
faster). Competitors that are not installed are skipped with a note. R is timed inside
Rscript around the call only (``system.time``); its data are handed over as raw doubles,
so reading them is not timed either. The project's times include its input checks.

Tasks (n on each line; slow competitors get fewer patients, and the project is timed on
those same patients for the ratio):

- Kaplan–Meier on 1,000,000 patients: ``fit_km`` vs R ``survfit``, lifelines
  ``KaplanMeierFitter``, statsmodels ``SurvfuncRight``;
- Cox, 11 binary covariates, 1,000,000 patients with continuous times, Breslow and Efron
  ties: ``fit_cox`` vs R ``coxph``, statsmodels ``PHReg`` (20,000 / 5,000 patients),
  lifelines ``CoxPHFitter`` (Efron, 20,000 patients);
- Cox, Efron ties, 100,000 patients with daily ties (follow-up in whole days); statsmodels
  on 20,000 of them;
- greedy 1:1 caliper matching: ``match_nearest`` vs MatchIt ``matchit(method = "nearest")``.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

N_BIG = 1_000_000
N_TIES = 100_000
# lifelines and statsmodels loop in Python over the distinct event times: on continuous
# times (about 600,000 distinct ones at 1,000,000 patients) they get fewer patients; on the
# daily-ties data (a few thousand distinct times) lifelines runs on all of them.
N_LIFELINES = 20_000
N_STATSMODELS = {"breslow": 20_000, "efron": 5_000, "tied": 20_000}
N_MATCHIT = 10_000  # MatchIt's nearest-neighbour matching grows about quadratically
P = 11


def cox_data(n: int, seed: int, daily: bool = False) -> pd.DataFrame:
    """n patients, 11 binary covariates, exponential times with censoring (in days)."""
    rng = np.random.default_rng(seed)
    x = (rng.random((n, P)) < np.linspace(0.1, 0.6, P)).astype(float)
    beta = np.linspace(-0.5, 0.5, P)
    t = rng.exponential(365 / np.exp(x @ beta))
    c = rng.exponential(730, n)
    time_ = np.minimum(t, c)
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(P)])
    frame["time"] = np.ceil(time_) if daily else time_
    frame["event"] = (t <= c).astype(int)
    return frame


def match_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    treated = (rng.random(n) < 0.4).astype(int)
    return np.round(rng.beta(2 + 2 * treated, 4, n), 4), treated


def clock(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def line(task: str, who: str, n: int, seconds: float, project: float | None = None) -> None:
    ratio = "" if project is None else f"   ×{seconds / project:6.2f} the project's time"
    print(f"{task:<34} {who:<34} n={n:>9,}  {seconds:7.2f} s{ratio}", flush=True)


def skipped(task: str, who: str, why: str) -> None:
    print(f"{task:<34} {who:<34} skipped: {why}", flush=True)


R_SCRIPT = r"""
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[[1]]
rd <- function(name, n) readBin(file.path(dir, paste0(name, ".bin")), "double", n)
out <- function(key, seconds) cat(key, sprintf("%.6f", seconds), "\n")
read_cox <- function(prefix, n, p) {
  x <- matrix(rd(paste0(prefix, "_x"), n * p), nrow = n, byrow = TRUE)
  d <- as.data.frame(x)
  names(d) <- paste0("x", seq_len(p) - 1)
  d$time <- rd(paste0(prefix, "_time"), n)
  d$event <- rd(paste0(prefix, "_event"), n)
  d
}
spec <- read.table(file.path(dir, "spec.txt"), header = TRUE, stringsAsFactors = FALSE)
for (i in seq_len(nrow(spec))) {
  s <- spec[i, ]
  if (s$task == "km") {
    tt <- rd("big_time", s$n); ev <- rd("big_event", s$n)
    out("km", system.time(survfit(Surv(tt, ev) ~ 1))[["elapsed"]])
  } else if (s$task == "cox") {
    d <- read_cox(s$data, s$n, 11)
    form <- as.formula(paste("Surv(time, event) ~", paste(paste0("x", 0:10), collapse = " + ")))
    el <- system.time(fit <- coxph(form, data = d, ties = s$ties))[["elapsed"]]
    out(paste("cox", s$data, s$ties, sep = "."), el)
  } else if (s$task == "matchit") {
    if (!requireNamespace("MatchIt", quietly = TRUE)) next
    score <- rd("match_score", s$n); tr <- rd("match_treated", s$n)
    d <- data.frame(treated = tr, z = 1)
    # scaled by 2^30 as in tests/r/matching.R: MatchIt 4.5.1 truncates distances below 1
    el <- system.time(MatchIt::matchit(treated ~ z, data = d, method = "nearest", distance = score * 2^30,
                                       caliper = 0.02 * 2^30, std.caliper = FALSE, m.order = "largest"))[["elapsed"]]
    out("matchit", el)
  }
}
"""


def run_r(workdir: Path, spec: list[tuple[str, str, str, int]]) -> dict[str, float]:
    """R timings, keyed as the script prints them; empty when Rscript is missing or fails."""
    if shutil.which("Rscript") is None:
        return {}
    pd.DataFrame(spec, columns=["task", "data", "ties", "n"]).to_csv(workdir / "spec.txt", sep=" ", index=False)
    script = workdir / "bench.R"
    script.write_text(R_SCRIPT, encoding="utf-8")
    done = subprocess.run(["Rscript", str(script), str(workdir)], capture_output=True, text=True)
    if done.returncode != 0:
        print(f"R failed: {done.stderr.strip()[-300:]}", flush=True)
    times = {}
    for row in done.stdout.splitlines():
        key, _, value = row.strip().partition(" ")
        if value:
            times[key] = float(value)
    return times


def write_bin(workdir: Path, name: str, values: np.ndarray) -> None:
    np.ascontiguousarray(values, dtype=np.float64).tofile(workdir / f"{name}.bin")


def has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def main(divisor: int = 1) -> int:
    global N_BIG, N_TIES, N_LIFELINES, N_MATCHIT
    if divisor > 1:
        N_BIG, N_TIES, N_LIFELINES, N_MATCHIT = (
            max(n // divisor, 200) for n in (N_BIG, N_TIES, N_LIFELINES, N_MATCHIT)
        )
        for ties in N_STATSMODELS:
            N_STATSMODELS[ties] = max(N_STATSMODELS[ties] // divisor, 200)
    from helpers.stats.cox import fit_cox
    from helpers.stats.matching import match_nearest
    from helpers.stats.survival import fit_km

    warnings.simplefilter("ignore")
    covs = [f"x{i}" for i in range(P)]
    big = cox_data(N_BIG, seed=1)
    tied = cox_data(N_TIES, seed=2, daily=True)
    scores, treated = match_data(N_BIG, seed=3)
    print(f"statistics benchmarks ({P} binary covariates; times in seconds, wall clock)", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        write_bin(workdir, "big_time", big["time"].to_numpy())
        write_bin(workdir, "big_event", big["event"].to_numpy())
        write_bin(workdir, "big_x", big[covs].to_numpy())
        write_bin(workdir, "tied_time", tied["time"].to_numpy())
        write_bin(workdir, "tied_event", tied["event"].to_numpy())
        write_bin(workdir, "tied_x", tied[covs].to_numpy())
        write_bin(workdir, "match_score", scores[:N_MATCHIT])
        write_bin(workdir, "match_treated", treated[:N_MATCHIT])
        spec = [
            ("km", "big", "-", N_BIG),
            ("cox", "big", "breslow", N_BIG),
            ("cox", "big", "efron", N_BIG),
            ("cox", "tied", "efron", N_TIES),
            ("matchit", "match", "-", N_MATCHIT),
        ]
        r_times = run_r(workdir, spec)
    r_label = "R survival 3.x" if r_times else None

    # --- Kaplan–Meier
    task = "Kaplan–Meier"
    ours = clock(lambda: fit_km(big["time"], big["event"]))
    line(task, "project fit_km", N_BIG, ours)
    if "km" in r_times:
        line(task, "R survfit", N_BIG, r_times["km"], ours)
    else:
        skipped(task, "R survfit", "Rscript not available")
    if has("lifelines"):
        from lifelines import KaplanMeierFitter

        line(
            task,
            "lifelines KaplanMeierFitter",
            N_BIG,
            clock(lambda: KaplanMeierFitter().fit(big["time"], big["event"])),
            ours,
        )
    else:
        skipped(task, "lifelines KaplanMeierFitter", "not installed")
    if has("statsmodels"):
        from statsmodels.duration.survfunc import SurvfuncRight

        line(task, "statsmodels SurvfuncRight", N_BIG, clock(lambda: SurvfuncRight(big["time"], big["event"])), ours)
    else:
        skipped(task, "statsmodels SurvfuncRight", "not installed")

    # --- Cox
    def project_cox(data, ties):
        return clock(lambda: fit_cox(data, "time", "event", covs, ties=ties))

    for ties, data, name, n in (
        ("breslow", big, "big", N_BIG),
        ("efron", big, "big", N_BIG),
        ("efron", tied, "tied", N_TIES),
    ):
        task = f"Cox {ties}" + (" (daily ties)" if name == "tied" else "")
        ours = project_cox(data, ties)
        line(task, "project fit_cox", n, ours)
        key = f"cox.{name}.{ties}"
        if key in r_times:
            line(task, "R coxph", n, r_times[key], ours)
        else:
            skipped(task, "R coxph", "Rscript not available" if not r_label else "R did not report")
        if has("statsmodels"):
            from statsmodels.duration.hazard_regression import PHReg

            m = min(n, N_STATSMODELS[ties] if name == "big" else N_STATSMODELS["tied"])
            sub = data.iloc[:m]
            base = ours if m == n else project_cox(sub, ties)
            seconds = clock(
                lambda sub=sub, ties=ties: PHReg(sub["time"], sub[covs], status=sub["event"], ties=ties).fit()
            )
            line(task, "statsmodels PHReg", m, seconds, base)
        else:
            skipped(task, "statsmodels PHReg", "not installed")
        if ties == "efron" and has("lifelines"):
            from lifelines import CoxPHFitter

            m = n if name == "tied" else min(n, N_LIFELINES)
            sub = data.iloc[:m][[*covs, "time", "event"]]
            base = ours if m == n else project_cox(sub, ties)
            line(task, "lifelines CoxPHFitter", m, clock(lambda sub=sub: CoxPHFitter().fit(sub, "time", "event")), base)
        elif ties == "efron":
            skipped(task, "lifelines CoxPHFitter", "not installed")

    # --- matching
    task = "1:1 caliper matching"
    line(task, "project match_nearest", N_BIG, clock(lambda: match_nearest(scores, treated, caliper=0.02)))
    ours = clock(lambda: match_nearest(scores[:N_MATCHIT], treated[:N_MATCHIT], caliper=0.02))
    line(task, "project match_nearest", N_MATCHIT, ours)
    if "matchit" in r_times:
        line(task, "R MatchIt nearest", N_MATCHIT, r_times["matchit"], ours)
    else:
        skipped(task, "R MatchIt nearest", "Rscript or MatchIt not available")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1))
