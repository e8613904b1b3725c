"""Timing of the simulation study's engine (helpers.simulation) on Dask.

Run with ``.venv/bin/python benchmarks/bench_simulation.py [replicates]``, or
through ``make bench`` (benchmarks/run.py). Prints:

- replicates per second of the base scenario on a local cluster of 1 and of 2
  single-threaded worker processes (workers started and warmed first, so the
  rate is the engine's, not the start-up's), and the speed-up of 2 workers over
  1 (target >= 1.8 on 2 cores);
- the wall time of ``python -m helpers simulate --scenario base --replicates
  1000 --workers 2``, start-up included (target <= 300 s on 2 cores).

Figures only, no assertions: on a shared machine they measure the machine too.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RATE_REPLICATES = 60
FULL_REPLICATES = 1000


def _line(label: str, value: str, target: str, ok: bool) -> None:
    print(f"{label:<48} {value:>10}   (target {target}: {'ok' if ok else 'SLOWER than target'})", flush=True)


def rate(workers: int, replicates: int = RATE_REPLICATES) -> float:
    """Replicates per second of the base scenario on a warmed local cluster of ``workers`` processes."""
    from distributed import Client, LocalCluster

    from helpers.simulation.engine import replicate_seeds, run_chunk, run_experiment
    from helpers.simulation.scenarios import scenario

    scen = scenario("base")
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, dashboard_address=":0", silence_logs=logging.ERROR
        ) as cluster,
        Client(cluster) as client,
        tempfile.TemporaryDirectory() as tmp,
    ):
        client.run(run_chunk, scen, [0], replicate_seeds(1, 1))  # imports and one replicate on every worker
        start = time.perf_counter()
        run_experiment(scen, replicates, Path(tmp) / "run", client=client, progress=False, chunk_size=5)
        return replicates / (time.perf_counter() - start)


def full_run(replicates: int = FULL_REPLICATES) -> float:
    """Wall time of the command line's run of the base scenario on 2 workers (cluster start-up included)."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "helpers", "simulate", "--scenario", "base", "--replicates", str(replicates)]
        start = time.perf_counter()
        subprocess.run([*command, "--workers", "2", "--out", str(Path(tmp) / "base"), "--quiet"], check=True)
        return time.perf_counter() - start


def main(full: int = FULL_REPLICATES) -> dict[str, float]:
    one = rate(1)
    two = rate(2)
    speedup = two / one
    print(f"simulation engine (base scenario, {RATE_REPLICATES} replicates per rate)", flush=True)
    _line("replicates per second, 1 worker", f"{one:.2f}/s", "—", True)
    _line("replicates per second, 2 workers", f"{two:.2f}/s", "—", True)
    _line("speed-up, 2 workers over 1", f"{speedup:.2f}×", "≥ 1.8×", speedup >= 1.8)
    seconds = full_run(full)
    _line(f"{full:,} replicates of the base scenario, 2 workers", f"{seconds:.1f} s", "≤ 300 s", seconds <= 300)
    return {"rate_1": one, "rate_2": two, "speedup": speedup, "full_seconds": seconds}


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else FULL_REPLICATES)
