"""`make bench`: wall-clock figures for the book build, the analysis, the matching and the statistics.

Prints one line per measurement, with the target from the quality-gates issue, then the
statistics layer side by side with R, lifelines and statsmodels (benchmarks/bench_stats.py).
Run from the project root with the project's virtual environment. The book
measurements build into a scratch copy of the project so the working tree's
_build is left alone.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def timed(label: str, target: float, func) -> float:
    start = time.perf_counter()
    func()
    seconds = time.perf_counter() - start
    verdict = "ok" if seconds <= target else "SLOWER than target"
    print(f"{label:<48} {seconds:8.1f} s   (target ≤ {target:g} s: {verdict})", flush=True)
    return seconds


def big_cohort(n: int, seed: int = 1) -> pd.DataFrame:
    """A cohort of n patients in the contract: rows of the synthetic cohort drawn with replacement."""
    from helpers.paths import COHORT_CSV

    base = pd.read_csv(COHORT_CSV, dtype=str, keep_default_na=False)
    rng = np.random.default_rng(seed)
    out = base.iloc[rng.integers(0, len(base), n)].reset_index(drop=True)
    out["patient_id"] = [f"B{i:07d}" for i in range(n)]
    return out


def book_copy(workdir: Path) -> Path:
    copy = workdir / "project"
    ignore = shutil.ignore_patterns(".venv", ".venv-*", "_build", ".git", "artifacts", "__pycache__", ".pytest_cache")
    shutil.copytree(ROOT, copy, ignore=ignore)
    return copy


def build_book(project: Path) -> None:
    """`make book` in the copy, reusing this project's virtual environment (dependencies installed)."""
    venv = ROOT / ".venv"
    (project / ".venv").symlink_to(venv) if not (project / ".venv").exists() else None
    subprocess.run(["make", "-C", str(project), "book"], check=True, capture_output=True)


PARTS = ("simulation", "book", "analysis", "stats")


def main(parts=PARTS) -> int:
    """Run the named parts (all by default: ``python benchmarks/run.py [part ...]``)."""
    unknown = set(parts) - set(PARTS)
    if unknown:
        print(f"unknown part(s) {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}", file=sys.stderr)
        return 2
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if "simulation" in parts:  # the simulation study on Dask: benchmarks/bench_simulation.py
        import bench_simulation

        bench_simulation.main()

    from helpers.stats.matching import match_nearest

    print(f"benchmarks on {ROOT}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if "book" in parts:
            project = book_copy(tmp)
            timed("cold book build (dependencies installed)", 60, lambda: build_book(project))
            timed("rebuild with no change", 10, lambda: build_book(project))
            page = project / "notebooks" / "response.py"
            page.write_text(page.read_text(encoding="utf-8") + "\n# %%\nedited = True\n", encoding="utf-8")
            timed("rebuild after changing one notebook", 60, lambda: build_book(project))
        if "analysis" not in parts:
            return _stats(parts)
        cohort = big_cohort(100_000)
        path = tmp / "cohort_100k.csv"
        cohort.to_csv(path, index=False)
        out = tmp / "out"
        timed(
            "analyze on 100,000 patients (tables, no figures, no bootstrap)",
            30,
            lambda: subprocess.run(
                [PY, "-m", "helpers", "analyze", str(path), "--out", str(out), "--bootstrap", "0"], check=True
            ),
        )

    rng = np.random.default_rng(2)
    n = 1_000_000
    treated = (rng.random(n) < 0.4).astype(int)
    scores = np.round(rng.beta(2 + 2 * treated, 4, n), 4)
    timed("propensity matching, 1,000,000 patients", 10, lambda: match_nearest(scores, treated, caliper=0.02))

    return _stats(parts)


def _stats(parts) -> int:
    """The statistics layer side by side with R, lifelines and statsmodels (benchmarks/bench_stats.py)."""
    if "stats" not in parts:
        return 0
    import bench_stats

    print(flush=True)
    return bench_stats.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or PARTS))
