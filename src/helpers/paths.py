"""Where the project's files live: the project root and the data files.

The bottom of the package: nothing here imports from the project. Every other
module asks this one for a path instead of building it from ``__file__``.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
COHORT_CSV = DATA_DIR / "synthetic" / "cohort.csv"
PARAMS_JSON = DATA_DIR / "synthetic" / "generator_params.json"
PUBLISHED_YAML = DATA_DIR / "published" / "published_results.yaml"
RESULTS_DIR = PROJECT_ROOT / "results"
# Cached analyses of a cohort (see helpers.manuscript); inside the build folder, never committed.
CACHE_DIR = PROJECT_ROOT / "_build" / ".study_cache"
# The simulation study's results (make simulate), which the simulation chapter reads.
SIMULATION_DIR = RESULTS_DIR / "simulation"
