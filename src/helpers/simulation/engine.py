"""Running the experiment: replicates on Dask, kept on disk as they finish, resumable.

Replicate ``i`` of an experiment draws its cohort from the ``i``-th child of
``numpy.random.SeedSequence(seed).spawn(R)``, so its rows depend on nothing
but the scenario, the seed and ``i``: not on the number of workers, nor on the
order in which they finish, nor on ``R`` itself.

Replicates are computed in chunks of :data:`CHUNK_SIZE`; each finished chunk is
written at once (to a temporary name, then renamed) as
``OUT/chunks/chunk-<first>-<last>.csv``, so an interrupted run loses at most the
chunks in flight, and the next run with the same folder computes only the
chunks that are missing (chunks missing from a folder that holds an assembled
``replicates.csv``, as a fresh clone of the project does, are restored from it). When every chunk is there, ``OUT/replicates.csv``
holds all rows in replicate order (the chunks' bytes, concatenated).
``OUT/experiment.json`` names the experiment; a folder holding another
experiment's files is refused.

A method that fails on a cohort gets a row with its error message; a cohort
that cannot be drawn gets one row (method ``(data)``) with its error; a chunk
whose task dies is reported and left missing, so the next run retries it.
Nothing is dropped silently.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path

import numpy as np
import pandas as pd

from ..study.design import ENDPOINTS
from .methods import ESTIMATE_FIELDS, prepared, resolve
from .scenarios import DEFAULT_SEED, Scenario
from .structural import draw

FORMAT_VERSION = 1
CHUNK_SIZE = 10
MANIFEST = "experiment.json"
CHUNK_DIR = "chunks"
REPLICATES = "replicates.csv"
ROW_COLUMNS = ("replicate", "method", "estimand", "endpoint", *ESTIMATE_FIELDS, "error")
DATA_FAILURE = "(data)"


class ExperimentError(RuntimeError):
    """The experiment cannot run as asked (bad input, a foreign output folder, chunks that failed)."""


# --- one replicate, one chunk (what the workers run) -----------------------------------------


def _message(err: BaseException) -> str:
    return " ".join(f"{type(err).__name__}: {err}".split())


def run_replicate(scenario: Scenario, index: int, seed: np.random.SeedSequence) -> list[dict]:
    """Every method on both endpoints of one drawn cohort: one row each, with the error if it failed."""
    try:
        data = prepared(draw(scenario.params, scenario.n, seed).cohort)
        methods = resolve(scenario.methods)
    except Exception as err:  # the cohort itself: one row says why
        return [{"replicate": index, "method": DATA_FAILURE, "estimand": "", "endpoint": "", "error": _message(err)}]
    rows = []
    for method in methods:
        for endpoint in ENDPOINTS:
            row = {"replicate": index, "method": method.name, "estimand": method.estimand, "endpoint": endpoint}
            try:
                row |= method(data, endpoint)
                row["error"] = ""
            except Exception as err:
                row["error"] = _message(err)
            rows.append(row)
    return rows


def rows_to_csv(rows: list[dict]) -> str:
    """Rows as CSV text in the fixed column order and float format (the bytes of a chunk file)."""
    frame = pd.DataFrame(rows).reindex(columns=list(ROW_COLUMNS))
    frame["error"] = frame["error"].fillna("")
    return frame.to_csv(index=False, float_format="%.10g", lineterminator="\n")


def run_chunk(scenario: Scenario, indices: Sequence[int], seeds: Sequence[np.random.SeedSequence]) -> str:
    """A chunk of replicates as CSV text."""
    rows = []
    for index, seed in zip(indices, seeds, strict=True):
        rows += run_replicate(scenario, int(index), seed)
    return rows_to_csv(rows)


def replicate_seeds(seed: int, replicates: int) -> list[np.random.SeedSequence]:
    return np.random.SeedSequence(seed).spawn(replicates)


def chunk_ranges(replicates: int, chunk_size: int = CHUNK_SIZE) -> list[tuple[int, int]]:
    """(first, last) replicate of every chunk, last inclusive."""
    return [(a, min(a + chunk_size, replicates) - 1) for a in range(0, replicates, chunk_size)]


def chunk_name(first: int, last: int) -> str:
    return f"chunk-{first:06d}-{last:06d}.csv"


# --- the output folder ---------------------------------------------------------------------


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def manifest(scenario: Scenario, seed: int, chunk_size: int) -> dict:
    return {"format": FORMAT_VERSION, **scenario.identity(), "seed": seed, "chunk_size": chunk_size}


def prepare_folder(out: Path, expected: dict) -> None:
    """Create the folder or check that it holds this experiment (and nothing foreign)."""
    if out.exists() and not out.is_dir():
        raise ExperimentError(f"{out} exists and is not a folder")
    stored = out / MANIFEST
    if stored.exists():
        try:
            found = json.loads(stored.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise ExperimentError(f"{stored} cannot be read ({err}); remove the folder or choose another") from None
        found = {k: v for k, v in found.items() if k in expected}
        if found != expected:
            diff = ", ".join(
                f"{k}: {found.get(k)!r} there, {v!r} here" for k, v in expected.items() if found.get(k) != v
            )
            raise ExperimentError(
                f"{out} holds the files of another experiment ({diff}); choose another --out folder or remove it"
            )
        return
    if out.exists() and any(out.iterdir()):
        raise ExperimentError(f"{out} is not empty and holds no {MANIFEST}: refusing to write an experiment into it")
    (out / CHUNK_DIR).mkdir(parents=True, exist_ok=True)
    _atomic_write(stored, json.dumps(expected, indent=2, sort_keys=True) + "\n")


def assemble(out: Path, ranges: list[tuple[int, int]]) -> Path:
    """``replicates.csv``: the chunks' rows in replicate order (their bytes; one header)."""
    parts = []
    for i, (a, b) in enumerate(ranges):
        text = (out / CHUNK_DIR / chunk_name(a, b)).read_text(encoding="utf-8")
        parts.append(text if i == 0 else text.split("\n", 1)[1])
    target = out / REPLICATES
    _atomic_write(target, "".join(parts))
    return target


def restore_chunks(out: Path, ranges: list[tuple[int, int]]) -> int:
    """Rebuild missing chunk files from an assembled ``replicates.csv`` (e.g. in a fresh clone).

    A chunk file is the header plus its replicates' rows, which ``replicates.csv``
    holds verbatim and in order, so the split is exact. Returns the number of
    chunks restored; chunks whose replicates are not all there stay missing.
    """
    assembled = out / REPLICATES
    if not assembled.exists():
        return 0
    header, *lines = assembled.read_text(encoding="utf-8").splitlines(keepends=True)
    by_replicate: dict[int, list[str]] = {}
    for line in lines:
        by_replicate.setdefault(int(line.split(",", 1)[0]), []).append(line)
    restored = 0
    for a, b in ranges:
        path = out / CHUNK_DIR / chunk_name(a, b)
        if path.exists() or any(i not in by_replicate for i in range(a, b + 1)):
            continue
        _atomic_write(path, header + "".join(line for i in range(a, b + 1) for line in by_replicate[i]))
        restored += 1
    return restored


def read_replicates(path: str | Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[""], dtype={"error": str, "estimand": str}).assign(
        error=lambda d: d["error"].fillna(""), estimand=lambda d: d["estimand"].fillna("")
    )


# --- progress --------------------------------------------------------------------------------


class Progress:
    """A one-line progress bar on stderr (a line per tenth when stderr is not a terminal)."""

    def __init__(self, label: str, total: int, done: int = 0, stream=None, width: int = 30):
        self.label, self.total, self.done, self.width = label, total, done, width
        self.stream = stream or sys.stderr
        self.tty = getattr(self.stream, "isatty", lambda: False)()
        self.start = time.perf_counter()
        self.first = done
        self.errors = 0
        self._shown_tenth = -1
        self.show()

    def update(self, replicates: int, errors: int = 0) -> None:
        self.done += replicates
        self.errors += errors
        self.show()

    def show(self, final: bool = False) -> None:
        frac = self.done / self.total if self.total else 1.0
        tenth = int(frac * 10)
        if not self.tty and not final and tenth == self._shown_tenth:
            return
        self._shown_tenth = tenth
        elapsed = time.perf_counter() - self.start
        rate = (self.done - self.first) / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else float("nan")
        bar = "#" * int(frac * self.width) + "." * (self.width - int(frac * self.width))
        text = (
            f"{self.label}: [{bar}] {self.done}/{self.total} replicates, {rate:.1f}/s"
            + (f", ETA {eta:.0f} s" if np.isfinite(eta) and self.done < self.total else "")
            + (f", {self.errors} failed rows" if self.errors else "")
        )
        self.stream.write(("\r" + text) if self.tty else (text + "\n"))
        self.stream.flush()

    def close(self) -> None:
        if self.tty or self._shown_tenth != 10:
            self.show(final=True)
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


# --- the cluster ----------------------------------------------------------------------------


@contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None):
    """A Dask client: on an existing scheduler, or on a new LocalCluster of single-threaded worker processes."""
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler, timeout="30s") as client:
            yield client
        return
    n = workers or os.cpu_count() or 1
    with (
        LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def run_experiment(
    scenario: Scenario,
    replicates: int,
    out: str | Path,
    *,
    seed: int = DEFAULT_SEED,
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int = CHUNK_SIZE,
    progress: bool = True,
    stream=None,
    client=None,
) -> Path:
    """Run (or resume) ``replicates`` replicates of ``scenario`` into ``out``; returns ``replicates.csv``.

    ``client`` runs the chunks on an existing Dask client (tests, benchmarks)
    instead of a cluster made for this run. Raises :class:`ExperimentError` for
    bad input, a folder holding another experiment, or chunks whose tasks
    failed (the finished ones are kept).
    """
    if not isinstance(replicates, int | np.integer) or replicates < 1:
        raise ExperimentError(f"the number of replicates must be a whole number >= 1, got {replicates!r}")
    if workers is not None and (not isinstance(workers, int | np.integer) or workers < 1):
        raise ExperimentError(f"the number of workers must be >= 1, got {workers!r}")
    if workers is not None and scheduler:
        raise ExperimentError("give either a number of workers (a local cluster) or a scheduler address, not both")
    if chunk_size < 1:
        raise ExperimentError(f"chunk_size must be >= 1, got {chunk_size!r}")
    resolve(scenario.methods)  # unknown methods fail here, before any work
    out = Path(out)
    expected = manifest(scenario, seed, chunk_size)
    prepare_folder(out, expected)
    token = hashlib.sha256(json.dumps(expected, sort_keys=True).encode()).hexdigest()[:12]
    ranges = chunk_ranges(int(replicates), chunk_size)
    chunk_dir = out / CHUNK_DIR
    chunk_dir.mkdir(exist_ok=True)
    restore_chunks(out, ranges)
    todo = [(a, b) for a, b in ranges if not (chunk_dir / chunk_name(a, b)).exists()]
    done = sum(b - a + 1 for a, b in ranges) - sum(b - a + 1 for a, b in todo)
    bar = Progress(scenario.name, int(replicates), done, stream) if progress else None
    failures = []
    if todo:
        seeds = replicate_seeds(seed, int(replicates))
        from distributed import as_completed

        with nullcontext(client) if client is not None else dask_client(workers, scheduler) as client:
            futures = {
                client.submit(
                    run_chunk,
                    scenario,
                    list(range(a, b + 1)),
                    seeds[a : b + 1],
                    key=f"sim-{scenario.name}-{token}-{a}-{b}",
                ): (a, b)
                for a, b in todo
            }
            for future in as_completed(futures):
                a, b = futures[future]
                try:
                    text = future.result()
                except Exception as err:
                    failures.append(f"replicates {a}-{b}: {_message(err)}")
                    continue
                finally:
                    future.release()
                _atomic_write(chunk_dir / chunk_name(a, b), text)
                if bar:
                    bar.update(b - a + 1, errors=sum(1 for line in text.splitlines()[1:] if not line.endswith(",")))
    if bar:
        bar.close()
    if failures:
        raise ExperimentError(
            f"{len(failures)} chunk(s) failed and were not written (rerun the same command to retry them): "
            + "; ".join(failures)
        )
    data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    _atomic_write(out / MANIFEST, json.dumps(data | {"replicates": int(replicates)}, indent=2, sort_keys=True) + "\n")
    return assemble(out, ranges)
