"""Command line: ``python -m helpers <command>``.

Commands
--------
generate   write the synthetic cohort from the stored generator parameters
calibrate  re-run the generator calibration from its documented starting point
validate   check a cohort file against the data contract
targets    print the generator targets beside what a cohort achieves
analyze    run every analysis on a cohort and write tables, figures and results.json
           (with --audit, also compare them with the original study's printed numbers;
           --bootstrap N sets the appraisal's bootstrap replicates, 0 skips it)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .paths import COHORT_CSV
from .study import cohort
from .study.design import BOOTSTRAP_REPLICATES

# Commands import what they need when they run, so that `validate` starts fast.


def _cmd_generate(args) -> int:
    from .synthetic.generator import GeneratorParams, generate_cohort, write_cohort

    out = Path(args.out) if args.out else COHORT_CSV
    if out.exists() and out.resolve() != COHORT_CSV.resolve() and not args.force:
        print(f"error: {out} exists; pass --force to replace it", file=sys.stderr)
        return 2
    frame = generate_cohort(GeneratorParams.from_json(args.params) if args.params else None)
    write_cohort(frame, out)
    print(f"wrote {out} ({len(frame)} patients)")
    return 0


def _cmd_calibrate(args) -> int:
    from .paths import PARAMS_JSON
    from .synthetic.calibration import calibrate
    from .synthetic.generator import initial_params

    params = calibrate(initial_params(), log=lambda m: print(m, file=sys.stderr))
    target = Path(args.out) if args.out else PARAMS_JSON
    params.to_json(target)
    print(f"wrote {target}")
    return 0


def _cmd_validate(args) -> int:
    data = cohort.load_cohort(args.cohort)
    counts = data["group"].value_counts().to_dict()
    print(f"{args.cohort}: valid ({len(data)} patients: " + ", ".join(f"{g} {n}" for g, n in counts.items()) + ")")
    return 0


def _cmd_targets(args) -> int:
    import pandas as pd

    from .synthetic.calibration import check_targets

    report = check_targets(cohort.load_cohort(args.cohort))
    with pd.option_context("display.max_rows", None, "display.width", 200):
        print(report.to_string(index=False))
    missed = int((~report["met"]).sum())
    print(f"{len(report) - missed}/{len(report)} targets met")
    return 0 if missed == 0 else 1


def _cmd_analyze(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from .paper.fidelity import audit
    from .report.outputs import OutputError, write_results
    from .stats.errors import StatsError
    from .study.errors import StudyError
    from .study.pipeline import check_analyzable, run_all

    data = cohort.load_cohort(args.cohort)
    try:
        check_analyzable(data)
        results = run_all(data, bootstrap_replicates=args.bootstrap)
    except (StudyError, StatsError) as err:
        print(f"error: {args.cohort}: the analysis cannot run on this cohort: {err}", file=sys.stderr)
        return 3
    comparison = audit(results) if args.audit else None
    try:
        written = write_results(results, args.out, audit=comparison, figures=args.figures, force=args.force)
    except OutputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 4
    print(f"analysed {args.cohort} ({len(data)} patients); wrote {len(written)} files to {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m helpers", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("generate", help="write the synthetic cohort")
    p.add_argument("--out", help=f"output CSV (default {COHORT_CSV})")
    p.add_argument("--params", help="generator parameter JSON (default: the stored one)")
    p.add_argument("--force", action="store_true", help="replace an existing file other than the default")
    p.set_defaults(func=_cmd_generate)
    p = sub.add_parser("calibrate", help="re-run the generator calibration")
    p.add_argument("--out", help="parameter JSON to write (default: the stored one)")
    p.set_defaults(func=_cmd_calibrate)
    p = sub.add_parser("validate", help="check a cohort CSV against the contract")
    p.add_argument("cohort", nargs="?", default=str(COHORT_CSV))
    p.set_defaults(func=_cmd_validate)
    p = sub.add_parser("targets", help="generator targets vs a cohort")
    p.add_argument("cohort", nargs="?", default=str(COHORT_CSV))
    p.set_defaults(func=_cmd_targets)
    p = sub.add_parser("analyze", help="run every analysis and write the results")
    p.add_argument("cohort", nargs="?", default=str(COHORT_CSV))
    p.add_argument("--out", required=True, help="folder for the CSV tables, figures and results.json")
    p.add_argument("--figures", action="store_true", help="also draw every figure (PNG and SVG)")
    p.add_argument(
        "--audit",
        action="store_true",
        help="also compare the results with the original study's printed numbers (fidelity.csv); "
        "meaningful only for a cohort that stands for the original study's",
    )
    p.add_argument(
        "--bootstrap",
        type=int,
        default=BOOTSTRAP_REPLICATES,
        metavar="N",
        help=f"bootstrap replicates of the appraisal's estimates (default {BOOTSTRAP_REPLICATES}; 0 skips it)",
    )
    p.add_argument("--force", action="store_true", help="write into a non-empty folder not made by analyze")
    p.set_defaults(func=_cmd_analyze)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except cohort.CohortError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
