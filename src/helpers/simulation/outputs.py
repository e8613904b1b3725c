"""The simulation's files: the truth, the calibration check and the performance tables.

Everything the book's simulation chapter reads lives in one folder
(``results/simulation/`` for the project): ``truth.csv`` and
``noncollapsibility.csv`` (:func:`write_truth`), ``calibration_check.csv`` and
its per-draw values (:func:`write_check`), one sub-folder per scenario written
by the engine, and ``performance.csv`` / ``failures.csv`` over all scenarios
(:func:`write_performance`). CSVs are written with a fixed float format, each
to a temporary name first, so a re-run gives the same bytes and a failure
leaves the old file in place.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from .check import calibration_check, summarise_check
from .engine import MANIFEST, REPLICATES, ExperimentError, read_replicates
from .performance import failures, summarise
from .scenarios import SCENARIOS, scenario, truth_params
from .truth import compute_truth, noncollapsibility

TRUTH = "truth.csv"
NONCOLLAPSIBILITY = "noncollapsibility.csv"
CHECK = "calibration_check.csv"
CHECK_DRAWS = "calibration_check_draws.csv"
PERFORMANCE = "performance.csv"
FAILURES = "failures.csv"
MECHANISMS = ("base", "null", "strong_confounding")


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    frame.to_csv(tmp, index=False, float_format="%.10g", lineterminator="\n")
    os.replace(tmp, path)
    return path


def write_truth(folder: str | Path, *, populations: int = 10, size: int = 100_000) -> list[Path]:
    """The estimands of every data-generating mechanism, and the non-collapsibility table of the base model."""
    folder = Path(folder)
    frames = [
        compute_truth(truth_params(m), populations=populations, size=size).assign(mechanism=m) for m in MECHANISMS
    ]
    truth = pd.concat(frames, ignore_index=True)
    truth = truth[["mechanism", *[c for c in truth.columns if c != "mechanism"]]]
    return [
        write_csv(truth, folder / TRUTH),
        write_csv(noncollapsibility(truth_params("base"), size=size), folder / NONCOLLAPSIBILITY),
    ]


def write_check(folder: str | Path, *, draws: int = 200) -> list[Path]:
    folder = Path(folder)
    values = calibration_check(draws=draws)
    return [write_csv(summarise_check(values), folder / CHECK), write_csv(values, folder / CHECK_DRAWS)]


def read_csv(path: str | Path) -> pd.DataFrame:
    """A simulation CSV: only empty cells are missing (a scenario is called "null")."""
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def read_truth(folder: str | Path) -> pd.DataFrame:
    path = Path(folder) / TRUTH
    if not path.exists():
        raise ExperimentError(f"{path} is missing: run `python -m helpers simulate-truth --out {folder}` first")
    return read_csv(path)


def scenario_folders(folder: str | Path) -> dict[str, Path]:
    """The scenario sub-folders that hold a finished experiment, in the scenarios' order."""
    folder = Path(folder)
    out = {}
    for name in SCENARIOS:
        sub = folder / name
        if (sub / MANIFEST).exists() and (sub / REPLICATES).exists():
            out[name] = sub
    return out


def load_replicates(folder: str | Path) -> dict[str, pd.DataFrame]:
    return {name: read_replicates(sub / REPLICATES) for name, sub in scenario_folders(folder).items()}


def manifests(folder: str | Path) -> dict[str, dict]:
    return {
        name: json.loads((sub / MANIFEST).read_text(encoding="utf-8")) for name, sub in scenario_folders(folder).items()
    }


def performance(folder: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Performance measures and failures of every finished scenario in ``folder``."""
    truth = read_truth(folder)
    perf, fails = [], []
    for name, reps in load_replicates(folder).items():
        mechanism = scenario(name).truth
        true = truth[truth["mechanism"] == mechanism]
        perf.append(summarise(reps, true).assign(scenario=name, replicates=int(reps["replicate"].nunique())))
        fails.append(failures(reps).assign(scenario=name))
    if not perf:
        raise ExperimentError(f"{folder} holds no finished scenario (sub-folders with {MANIFEST} and {REPLICATES})")
    perf_frame = pd.concat(perf, ignore_index=True)
    perf_frame = perf_frame[["scenario", *[c for c in perf_frame.columns if c != "scenario"]]]
    fail_frame = pd.concat(fails, ignore_index=True)
    fail_frame = fail_frame[["scenario", *[c for c in fail_frame.columns if c != "scenario"]]]
    return perf_frame, fail_frame


def write_performance(folder: str | Path) -> list[Path]:
    folder = Path(folder)
    perf, fails = performance(folder)
    return [write_csv(perf, folder / PERFORMANCE), write_csv(fails, folder / FAILURES)]
