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

The simulation study (helpers.simulation; the structural model is the book's assumption):

simulate-calibrate  fit the structural model to the paper's numbers (data/simulation/structural_params.json)
simulate-cohort     write one cohort drawn from the structural model (one seed, one cohort)
simulate-truth      the true estimands, from both potential outcomes of large simulated populations
simulate-check      many draws of the model beside the paper's printed numbers
simulate            run (or resume) a scenario's replicates on Dask
simulate-report     performance measures and figures of every scenario in a results folder
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


def _cmd_simulate_calibrate(args) -> int:
    from .simulation.calibration import calibrate
    from .simulation.structural import STRUCTURAL_JSON

    params = calibrate(log=lambda m: print(m, file=sys.stderr))
    print(f"wrote {params.to_json(Path(args.out) if args.out else STRUCTURAL_JSON)}")
    return 0


def _scenario_or_error(name: str):
    from .simulation.scenarios import SCENARIOS, scenario

    if name not in SCENARIOS:
        raise cohort.CohortError("--scenario", [f"unknown scenario {name!r}; choose one of: {', '.join(SCENARIOS)}"])
    return scenario(name)


def _cmd_simulate_cohort(args) -> int:
    from .simulation.structural import draw_cohort, write_cohort

    scen = _scenario_or_error(args.scenario)
    n = args.n or scen.n
    if n < 20:
        print(f"error: --n must be at least 20 patients, got {n}", file=sys.stderr)
        return 2
    out = Path(args.out)
    if out.exists() and not args.force:
        print(f"error: {out} exists; pass --force to replace it", file=sys.stderr)
        return 2
    frame = draw_cohort(scen.params, n, args.seed)
    write_cohort(frame, out)
    print(
        f"wrote {out} ({len(frame)} patients drawn from the structural model, scenario {scen.name}, seed {args.seed})"
    )
    return 0


def _cmd_simulate_truth(args) -> int:
    from .simulation.outputs import write_truth

    for path in write_truth(args.out, populations=args.populations, size=args.size):
        print(f"wrote {path}")
    return 0


def _cmd_simulate_check(args) -> int:
    from .simulation.outputs import write_check

    if args.draws < 2:
        print(f"error: --draws must be at least 2, got {args.draws}", file=sys.stderr)
        return 2
    for path in write_check(args.out, draws=args.draws):
        print(f"wrote {path}")
    return 0


def _cmd_simulate(args) -> int:
    from .simulation.engine import ExperimentError, run_experiment

    scen = _scenario_or_error(args.scenario)
    try:
        path = run_experiment(
            scen,
            args.replicates,
            args.out,
            seed=args.seed,
            workers=args.workers,
            scheduler=args.scheduler,
            progress=not args.quiet,
        )
    except ExperimentError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0


def _cmd_simulate_report(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from .report.simulation import write_report
    from .simulation.engine import ExperimentError

    try:
        written = write_report(args.folder)
    except ExperimentError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} files to {args.folder}")
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


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
    _simulation_parsers(sub)
    return parser


def _simulation_parsers(sub) -> None:
    from .simulation.scenarios import DEFAULT_SEED, SCENARIOS

    p = sub.add_parser("simulate-calibrate", help="fit the structural model to the paper's numbers")
    p.add_argument("--out", help="parameter JSON to write (default: data/simulation/structural_params.json)")
    p.set_defaults(func=_cmd_simulate_calibrate)
    p = sub.add_parser("simulate-cohort", help="write one cohort drawn from the structural model")
    p.add_argument("--seed", type=int, default=0, help="one seed, one cohort (default 0)")
    p.add_argument("--scenario", default="base", help=f"data-generating mechanism: {', '.join(SCENARIOS)}")
    p.add_argument("--n", type=int, help="number of patients (default: the scenario's)")
    p.add_argument("--out", required=True, help="cohort CSV to write")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.set_defaults(func=_cmd_simulate_cohort)
    p = sub.add_parser("simulate-truth", help="the true estimands of every data-generating mechanism")
    p.add_argument("--out", required=True, help="folder for truth.csv and noncollapsibility.csv")
    p.add_argument("--populations", type=_positive_int, default=10, help="independent populations (default 10)")
    p.add_argument("--size", type=_positive_int, default=100_000, help="patients per population (default 100000)")
    p.set_defaults(func=_cmd_simulate_truth)
    p = sub.add_parser("simulate-check", help="many draws of the model beside the paper's numbers")
    p.add_argument("--out", required=True, help="folder for calibration_check.csv")
    p.add_argument("--draws", type=int, default=200, help="number of draws (default 200)")
    p.set_defaults(func=_cmd_simulate_check)
    p = sub.add_parser("simulate", help="run (or resume) the replicates of a scenario on Dask")
    p.add_argument("--scenario", required=True, help=f"one of: {', '.join(SCENARIOS)}")
    p.add_argument("--replicates", type=_positive_int, default=1000, help="number of replicates R (default 1000)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_positive_int, help="worker processes of a local cluster (default: cores)")
    where.add_argument("--scheduler", help="address of an existing Dask scheduler (tcp://host:port)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"experiment seed (default {DEFAULT_SEED})")
    p.add_argument("--out", required=True, help="folder of this experiment (created; resumed if it holds its files)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_simulate)
    p = sub.add_parser("simulate-report", help="performance measures and figures of every scenario folder")
    p.add_argument("folder", help="the folder holding truth.csv and one sub-folder per scenario")
    p.set_defaults(func=_cmd_simulate_report)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except cohort.CohortError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
