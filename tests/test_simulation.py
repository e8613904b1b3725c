"""The structural simulation model, its truth, the performance measures and the Dask engine."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from helpers.__main__ import main
from helpers.simulation import engine
from helpers.simulation.calibration import patterns, solve_propensity
from helpers.simulation.engine import ExperimentError, run_chunk, run_experiment
from helpers.simulation.methods import Method, as_method, crude_cox, prepared, shared
from helpers.simulation.performance import measures
from helpers.simulation.scenarios import SCENARIOS, scenario
from helpers.simulation.structural import (
    STRUCTURAL_JSON,
    OutcomeNoise,
    PiecewiseHazard,
    StructuralParams,
    draw,
    draw_cohort,
    load_params,
    outcomes,
    write_cohort,
)
from helpers.study.cohort import load_cohort

from .conftest import ROOT, sha256

SIM_RESULTS = ROOT / "results" / "simulation"


# --- the structural model ---------------------------------------------------------------


@pytest.mark.parametrize(("n", "seed"), [(496, 0), (60, 7), (496, 123)])
def test_a_drawn_cohort_satisfies_the_data_contract(tmp_path, n, seed):
    frame = draw_cohort(n=n, seed=seed)
    loaded = load_cohort(write_cohort(frame, tmp_path / "sim.csv"))
    assert len(loaded) == n
    # the typed frame the engine analyses is what the contract's loader returns
    pd.testing.assert_frame_equal(loaded.reset_index(drop=True), frame.reset_index(drop=True), check_dtype=False)


def test_one_seed_gives_one_cohort_byte_for_byte(tmp_path):
    a = write_cohort(draw_cohort(seed=5), tmp_path / "a.csv")
    b = write_cohort(draw_cohort(seed=5), tmp_path / "b.csv")
    c = write_cohort(draw_cohort(seed=6), tmp_path / "c.csv")
    assert sha256(a) == sha256(b)
    assert sha256(a) != sha256(c)


def test_simulate_cohort_command_is_deterministic(tmp_path):
    for name in ("a.csv", "b.csv"):
        assert main(["simulate-cohort", "--seed", "3", "--out", str(tmp_path / name)]) == 0
    assert sha256(tmp_path / "a.csv") == sha256(tmp_path / "b.csv")


def test_pfs_never_exceeds_os_and_potential_outcomes_share_their_noise():
    params = load_params()
    d = draw(params, 2000, 11)
    assert (d.cohort["pfs_months"] <= d.cohort["os_months"]).all()
    rng = np.random.default_rng(1)
    noise = OutcomeNoise.draw(rng, rng, 5000)
    x = d.x[:1].repeat(5000, axis=0)
    treated, untreated = outcomes(x, 1, noise, params), outcomes(x, 0, noise, params)
    assert (treated.pfs <= treated.os).all() and (untreated.pfs <= untreated.os).all()
    # a protective conditional log-HR lengthens every patient's PFS; the same patients die without progression
    assert params.pfs_treatment_log_hr < 0 and (treated.pfs > untreated.pfs).all()
    assert (treated.death_at_pfs == untreated.death_at_pfs).all()
    null = params.with_treatment_effect(0.0, 0.0)
    same = outcomes(x, 1, noise, null), outcomes(x, 0, noise, null)
    assert np.array_equal(same[0].os, same[1].os)


def test_piecewise_hazard_inverts_its_cumulative_hazard():
    h = PiecewiseHazard([0.0, 2.0, 6.0], [0.2, 0.1, 0.3])
    t = np.array([0.0, 1.0, 2.0, 4.5, 6.0, 30.0])
    assert np.allclose(h.inverse(h.cumulative(t)), t)
    assert h.cumulative([2.0])[0] == pytest.approx(0.4)
    with pytest.raises(ValueError, match="breaks must start at 0"):
        PiecewiseHazard([1.0], [0.1])


def test_propensity_moments_reproduce_the_targets():
    rng = np.random.default_rng(3)
    x = (rng.random((20_000, 11)) < rng.uniform(0.2, 0.7, 11)).astype(np.int8)
    prevalence = dict(zip(load_params().propensity, x.mean(axis=0) + 0.03, strict=True))
    a, coef = solve_propensity(x, 0.4, prevalence)
    e = 1 / (1 + np.exp(-(a + x @ np.array(list(coef.values())))))
    assert e.mean() == pytest.approx(0.4, abs=1e-10)
    assert np.allclose((x * e[:, None]).mean(axis=0) / e.mean(), list(prevalence.values()), atol=1e-10)
    px, w = patterns(x)
    assert w.sum() == len(x) and len(px) <= 2**11


def test_parameter_file_round_trips_byte_for_byte(tmp_path):
    params = StructuralParams.from_json(STRUCTURAL_JSON)
    assert params.version >= 1
    assert sha256(params.to_json(tmp_path / "p.json")) == sha256(STRUCTURAL_JSON)


@pytest.mark.slow
def test_calibration_rewrites_the_parameter_file_exactly(tmp_path):
    out = tmp_path / "params.json"
    assert main(["simulate-calibrate", "--out", str(out)]) == 0
    assert sha256(out) == sha256(STRUCTURAL_JSON), "run `python -m helpers simulate-calibrate` and commit"


# --- methods and performance ---------------------------------------------------------------


def test_work_shared_between_methods_is_computed_once_per_cohort():
    data = prepared(draw_cohort(n=200, seed=1))
    calls = []
    first = shared(data, "k", lambda: calls.append(1) or "value")
    again = shared(data, "k", lambda: calls.append(1) or "other")
    assert first == again == "value" and len(calls) == 1
    other = data.copy()
    assert shared(other, "k", lambda: "fresh") == "fresh"


def test_foreign_estimators_are_adapted():
    class Estimator:
        name, estimand = "mine", "ATE"

        def estimate(self, data, endpoint):
            return {"log_hr": -0.1, "log_hr_se": 0.05}

    m = as_method(Estimator())
    assert m.name == "mine" and m(None, "pfs") == {"log_hr": -0.1, "log_hr_se": 0.05}
    assert as_method(("t", "ATT", crude_cox)).estimand == "ATT"
    bad = Method("bad", "ATE", lambda d, e: {"hazard": 1.0})
    with pytest.raises(ValueError, match="unknown entries: hazard"):
        bad(None, "pfs")


def test_performance_measures_by_hand():
    est = np.array([0.1, 0.3, -0.1, 0.3])
    se = np.array([0.2, 0.2, 0.2, 0.2])
    out = measures(est, se, est - 0.25, est + 0.25, [0.01, 0.2, 0.04, 0.5], truth=0.0)
    assert out["bias"] == pytest.approx(0.15)
    emp = np.std(est, ddof=1)
    assert out["emp_se"] == pytest.approx(emp)
    assert out["bias_mcse"] == pytest.approx(emp / 2)
    assert out["emp_se_mcse"] == pytest.approx(emp / np.sqrt(6))
    assert out["mod_se"] == pytest.approx(0.2) and out["mod_se_mcse"] == pytest.approx(0.0)
    assert out["coverage"] == pytest.approx(0.5)  # both intervals around 0.3 start above 0
    assert out["coverage_mcse"] == pytest.approx(np.sqrt(0.5 * 0.5 / 4))
    assert out["power"] == pytest.approx(0.5)
    assert out["mse"] == pytest.approx(np.mean(est**2))


# --- the engine ------------------------------------------------------------------------------


def test_a_failing_method_is_recorded_not_dropped():
    def broken(data, endpoint):
        raise RuntimeError("no convergence\nat all")

    scen = scenario("base")
    seeds = engine.replicate_seeds(1, 2)
    from dataclasses import replace

    import helpers.simulation.engine as E

    original = E.resolve
    E.resolve = lambda names: [Method("broken", "ATE", broken), *original(["crude_cox"])]
    try:
        text = run_chunk(replace(scen, n=120), [0, 1], seeds)
    finally:
        E.resolve = original
    rows = pd.read_csv(pd.io.common.StringIO(text), keep_default_na=False)
    assert len(rows) == 2 * 2 * 2
    broken_rows = rows[rows["method"] == "broken"]
    assert (broken_rows["error"] == "RuntimeError: no convergence at all").all()
    assert (rows.loc[rows["method"] == "crude_cox", "error"] == "").all()


def test_bad_input_is_refused_with_a_clear_message(tmp_path, capsys):
    assert main(["simulate", "--scenario", "nope", "--replicates", "2", "--out", str(tmp_path / "x")]) == 2
    assert "unknown scenario 'nope'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["simulate", "--scenario", "base", "--replicates", "0", "--out", str(tmp_path / "x")])
    assert "must be at least 1" in capsys.readouterr().err
    with pytest.raises(ExperimentError, match="replicates must be a whole number >= 1"):
        run_experiment(scenario("base"), 0, tmp_path / "y")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    assert main(["simulate", "--scenario", "base", "--replicates", "2", "--out", str(foreign)]) == 2
    assert "not empty and holds no experiment.json" in capsys.readouterr().err
    other = tmp_path / "other"
    engine.prepare_folder(other, engine.manifest(scenario("null"), 1, engine.CHUNK_SIZE))
    assert main(["simulate", "--scenario", "base", "--replicates", "2", "--seed", "1", "--out", str(other)]) == 2
    assert "holds the files of another experiment (scenario: 'null' there, 'base' here" in capsys.readouterr().err


def test_every_scenario_is_defined():
    for name in SCENARIOS:
        s = scenario(name)
        assert s.n > 0 and s.methods
    assert scenario("small").n < scenario("base").n
    assert scenario("null").params.pfs_treatment_log_hr == 0.0
    strong, base = scenario("strong_confounding").params, scenario("base").params
    assert abs(strong.propensity["first_line_ici"]) > abs(base.propensity["first_line_ici"])


@pytest.mark.slow
def test_results_do_not_depend_on_the_number_of_workers_and_runs_resume(tmp_path):
    from distributed import Client, LocalCluster

    scen = scenario("base", ("crude_cox", "psm_cox"))
    kw = {"seed": 7, "chunk_size": 3, "progress": False}
    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0") as cluster, Client(cluster) as c1:
        one = run_experiment(scen, 7, tmp_path / "one", client=c1, **kw)
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster, Client(cluster) as c2:
        two = run_experiment(scen, 7, tmp_path / "two", client=c2, **kw)
        assert one.read_bytes() == two.read_bytes()
        # an existing cluster, by its scheduler's address (python -m helpers simulate --scheduler ADDRESS)
        three = run_experiment(scen, 7, tmp_path / "three", scheduler=cluster.scheduler_address, **kw)
        assert three.read_bytes() == one.read_bytes()
        # an interrupted run: one chunk lost, one chunk of ours kept as it is; the rerun fills in only the gap
        chunks = tmp_path / "two" / "chunks"
        (chunks / engine.chunk_name(3, 5)).unlink()
        marked = chunks / engine.chunk_name(0, 2)
        marked.write_text(marked.read_text() + "0,kept,ATE,pfs" + "," * (len(engine.ROW_COLUMNS) - 4) + "\n")
        again = run_experiment(scen, 7, tmp_path / "two", client=c2, **kw)
        text = again.read_text()
        assert "kept" in text and text.replace("0,kept,ATE,pfs" + "," * (len(engine.ROW_COLUMNS) - 4) + "\n", "") == (
            one.read_text()
        )
    assert json.loads((tmp_path / "two" / "experiment.json").read_text())["replicates"] == 7


@pytest.mark.parametrize("name", SCENARIOS)
def test_committed_replicates_are_reproduced(name):
    folder = SIM_RESULTS / name
    if not (folder / "replicates.csv").exists():
        pytest.skip(f"no committed results for {name} (run `make simulate`)")
    manifest = json.loads((folder / "experiment.json").read_text())
    scen = scenario(name)
    assert manifest["scenario"] == name and manifest["methods"] == list(scen.methods)
    seeds = engine.replicate_seeds(manifest["seed"], manifest["replicates"])
    picks = [0, manifest["replicates"] - 1]
    committed = (folder / "replicates.csv").read_text().splitlines()
    header, body = committed[0], committed[1:]
    for i in picks:
        fresh = run_chunk(scen, [i], [seeds[i]]).splitlines()
        assert fresh[0] == header
        stored = [line for line in body if line.split(",", 1)[0] == str(i)]
        assert fresh[1:] == stored, f"{name}: replicate {i} differs from the committed rows"


def test_python_m_helpers_lists_the_simulation_commands():
    out = subprocess.run([sys.executable, "-m", "helpers", "--help"], capture_output=True, text=True, check=True)
    for command in ("simulate", "simulate-truth", "simulate-calibrate", "simulate-check", "simulate-report"):
        assert command in out.stdout


def test_a_fresh_clone_resumes_from_the_assembled_rows(tmp_path):
    # the committed folder holds replicates.csv but no chunks: they are restored, nothing is recomputed
    scen = scenario("base", ("crude_cox",))
    out = tmp_path / "run"
    engine.prepare_folder(out, engine.manifest(scen, 3, 2))
    seeds = engine.replicate_seeds(3, 4)
    ranges = engine.chunk_ranges(4, 2)
    for a, b in ranges:
        (out / "chunks" / engine.chunk_name(a, b)).write_text(run_chunk(scen, range(a, b + 1), seeds[a : b + 1]))
    first = engine.assemble(out, ranges).read_bytes()
    for path in (out / "chunks").iterdir():
        path.unlink()
    again = run_experiment(scen, 4, out, seed=3, chunk_size=2, progress=False, scheduler="tcp://127.0.0.1:1")
    assert again.read_bytes() == first
    assert len(list((out / "chunks").iterdir())) == len(ranges)


def test_the_chapter_look_ups_read_the_right_rows():
    from helpers.report.simulation import Experiment

    perf = pd.DataFrame(
        {
            "scenario": ["base", "base"],
            "method": ["psm_cox", "psm_robust"],
            "endpoint": ["pfs", "pfs"],
            "quantity": ["log_hr", "log_hr"],
            "mod_se": [0.123, 0.120],
            "emp_se": [0.116, 0.116],
        }
    )
    reps = pd.DataFrame(
        {
            "replicate": [0, 0, 1, 1],
            "method": ["a", "b", "a", "b"],
            "endpoint": ["pfs"] * 4,
            "log_hr": [-0.5, -0.5, -0.4, -0.3],
            "n_used": [300, 300, 320, 320],
        }
    )
    exp = Experiment(pd.DataFrame(), perf, {"base": reps})
    assert exp.measure("base", "psm_robust", "pfs", "mod_se") == 0.120
    assert exp.se_verdict("base", "psm_cox") == "too wide"  # 0.123 / 0.116 = 1.06
    assert exp.se_verdict("base", "psm_robust") == "about right"  # 1.03
    assert exp.mean_pairs("base", "a") == 155.0  # (300 + 320) / 2 patients / 2
    assert exp.same_estimates("base", "a", "b") == 0.5
    with pytest.raises(KeyError, match="psm_stratified"):
        exp.measure("base", "psm_stratified", "pfs", "bias")
