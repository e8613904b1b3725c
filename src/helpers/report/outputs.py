"""Writing results to disk: CSV per table, results.json, PNG and SVG per figure.

Files are byte-identical across runs (fixed float format, sorted JSON keys,
SVG without dates or random ids). A run writes into a fresh temporary folder
beside the target and moves the files in only when everything has been
written, so a failure never leaves half a result set behind.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt

from ..paper.fidelity import Audit
from ..study.pipeline import StudyResults
from .figures import all_figures

MARKER = "results.json"  # a folder holding this file was written by us


class OutputError(RuntimeError):
    """The output folder cannot be written safely."""


def _clean(value):
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float):
        return None if math.isnan(value) else float(f"{value:.10g}")
    return value


def headline_json(headline: dict) -> str:
    return json.dumps(_clean(headline), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def save_figure(fig, folder: Path, stem: str) -> list[Path]:
    """PNG (150 dpi) and SVG with fixed metadata; closes the figure."""
    paths = [folder / f"{stem}.png", folder / f"{stem}.svg"]
    with matplotlib.rc_context({"svg.hashsalt": "esclc-reproduction", "svg.fonttype": "path"}):
        fig.savefig(paths[0], dpi=150, bbox_inches="tight", metadata={"Software": None})
        fig.savefig(paths[1], bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return paths


def write_results(
    results: StudyResults, out: str | Path, *, audit: Audit | None = None, figures: bool = True, force: bool = False
) -> list[Path]:
    """Write every table, the headline JSON and (optionally) every figure into ``out``.

    With ``audit`` (the comparison with the original study), its table is
    written as ``fidelity.csv`` and its headline under ``"fidelity"`` in
    ``results.json``.

    Refuses to write into an existing non-empty folder that was not written by
    this function (no ``results.json``) unless ``force``; files of ours are
    replaced, anything else in the folder is left alone.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists() and not force:
        raise OutputError(f"{out} is not empty and holds no {MARKER}: refusing to write into it (use --force)")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        written = []
        tables = dict(results.tables)
        headline = dict(results.headline)
        if audit is not None:
            tables["fidelity"] = audit.table
            headline["fidelity"] = audit.headline
        for name, table in tables.items():
            path = staging / f"{name}.csv"
            table.to_csv(path, index=False, float_format="%.10g", lineterminator="\n")
            written.append(path)
        if figures:
            for stem, fig in all_figures(results, audit).items():
                written += save_figure(fig, staging, stem)
        (staging / MARKER).write_text(headline_json(headline), encoding="utf-8")
        written.append(staging / MARKER)
        out.mkdir(exist_ok=True)
        final = []
        for path in written:
            target = out / path.name
            path.replace(target)
            final.append(target)
        return final
    finally:
        shutil.rmtree(staging, ignore_errors=True)
