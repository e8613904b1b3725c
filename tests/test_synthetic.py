"""The synthetic cohort: exact counts, calibration tolerances, determinism, internal logic."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from helpers.paths import PARAMS_JSON
from helpers.study import cohort as C
from helpers.study.cohort import validate_cohort
from helpers.synthetic.calibration import DROPPED_TARGETS, calibrate, check_targets
from helpers.synthetic.generator import (
    GeneratorParams,
    PiecewiseExponential,
    constrained_assignment,
    exact_binary,
    generate_cohort,
    initial_params,
    orthogonal_noise,
    write_cohort,
)

from .conftest import sha256


@pytest.fixture(scope="module")
def report(cohort):
    return check_targets(cohort)


def test_committed_file_is_what_the_generator_writes(tmp_path, cohort_path):
    fresh = write_cohort(generate_cohort(), tmp_path / "cohort.csv")
    assert sha256(fresh) == sha256(cohort_path), "run `make data` and commit the cohort"


def test_generation_is_byte_identical(tmp_path):
    a = write_cohort(generate_cohort(), tmp_path / "a.csv")
    b = write_cohort(generate_cohort(), tmp_path / "b.csv")
    assert sha256(a) == sha256(b)


def test_every_printed_count_is_exact(report):
    exact = report[report["kind"] == "exact"]
    # Table 1: 11 x 2, Table 2: 4 x 2, Table 3: 12 x 2, regimens 6, agents 5, cycles 6, age 3
    assert len(exact) == 22 + 8 + 24 + 6 + 5 + 6 + 3
    bad = exact[~exact["met"]]
    assert bad.empty, bad.to_string()


def test_group_sizes(cohort):
    assert cohort["group"].value_counts().to_dict() == {"2L-non-ICIs": 296, "2L-ICIs": 200}


@pytest.mark.parametrize("kind", ["within", "same side of 0.05", "qualitative"])
def test_calibration_targets_are_met(report, kind):
    rows = report[report["kind"] == kind]
    assert not rows.empty
    bad = rows[~rows["met"]]
    assert bad.empty, bad.to_string()


def test_survival_targets_cover_the_issue(report):
    targets = set(report["target"])
    for key in (
        "efficacy.before_psm.pfs.icis.median",
        "efficacy.before_psm.os.non_icis.rate_2_year_pct",
        "efficacy.before_psm.pfs.hr",
        "efficacy.before_psm.os.p",
        "cohort.median_follow_up_months",
        "table5_cox_os.rows.liver_metastases.univariate.hr",
        "liver_mets.os.without_liver_mets.median",
    ):
        assert key in targets
    for key in ("first_line_pfs.pfs.ge6_months.rate_6_month_pct", "first_line_pfs.os.ge6_months.rate_1_year_pct"):
        assert key not in targets and "median" in DROPPED_TARGETS[key]


def test_the_generator_writes_a_valid_cohort():
    # the generator's own frame, before any loading, passes the data contract
    # (PFS <= OS, sites >= organ flags, agents and regimens by group, ...)
    validate_cohort(generate_cohort().astype({"second_line_start": str}), source="generator")


def test_a_death_ends_pfs(cohort):
    # death is a PFS event: nobody who died has a censored PFS (the contract does not check this)
    died = cohort["os_event"] == 1
    assert (cohort.loc[died, "pfs_event"] == 1).all()
    ended_together = died & np.isclose(cohort["pfs_months"], cohort["os_months"])
    assert ended_together.any()  # some patients progress only by dying


def test_censoring_is_administrative(cohort):
    potential = C.months_between(cohort["second_line_start"])
    censored = cohort["os_event"] == 0
    assert np.allclose(cohort.loc[censored, "os_months"], potential[censored], atol=1e-4)
    assert (cohort.loc[~censored, "os_months"] <= potential[~censored] + 1e-4).all()
    pfs_censored = cohort["pfs_event"] == 0
    assert np.allclose(cohort.loc[pfs_censored, "pfs_months"], potential[pfs_censored], atol=1e-4)


@pytest.mark.slow
def test_calibration_reproduces_the_stored_parameters():
    """`python -m helpers calibrate` from the documented start gives the committed file."""
    params = calibrate(initial_params(), log=lambda _: None)
    assert params == GeneratorParams.from_json(PARAMS_JSON)


# --- building blocks -----------------------------------------------------------------


def test_exact_binary_takes_the_top_k():
    out = exact_binary(np.array([0.1, 3.0, -1.0, 2.0]), 2)
    assert out.tolist() == [0, 1, 0, 1]


def test_piecewise_exponential_passes_through_its_knots():
    curve = PiecewiseExponential.from_knots([[2.0, 0.5], [6.0, 0.2]])
    assert curve([2.0, 6.0]) == pytest.approx([0.5, 0.2])
    assert curve.inverse([0.5, 0.2]) == pytest.approx([2.0, 6.0])
    # constant hazard on [0, 2]: S(1) = 0.5 ** 0.5
    assert float(curve(1.0)) == pytest.approx(0.5**0.5)


def test_quantile_times_put_the_median_on_the_knot():
    times = PiecewiseExponential.from_knots([[4.13, 0.5], [12.0, 0.1]]).quantile_times(200)
    assert times[99] == pytest.approx(4.13)  # the 100th of 200 events takes S to 0.5
    assert np.all(np.diff(times) > 0)


def test_piecewise_exponential_rejects_rising_survival():
    with pytest.raises(ValueError, match="decrease"):
        PiecewiseExponential.from_knots([[2.0, 0.5], [3.0, 0.6]])


def test_constrained_assignment_respects_caps_and_keeps_values():
    rng = np.random.default_rng(0)
    caps = np.sort(rng.uniform(5, 10, 50))
    values = caps - rng.uniform(0, 4, 50)
    pref = rng.standard_normal(50)
    out = constrained_assignment(values, caps, pref)
    assert np.all(out <= caps)
    assert sorted(out) == sorted(values)


def test_constrained_assignment_follows_preference_when_unconstrained():
    out = constrained_assignment(np.array([1.0, 2.0, 3.0]), np.full(3, 10.0), np.array([0.5, 2.0, -1.0]))
    assert out.tolist() == [2.0, 3.0, 1.0]


def test_constrained_assignment_reports_impossible_caps():
    with pytest.raises(ValueError, match="no assignment"):
        constrained_assignment(np.array([5.0, 6.0]), np.array([1.0, 10.0]), np.zeros(2))


def test_orthogonal_noise_is_uncorrelated_with_covariates():
    rng = np.random.default_rng(1)
    x = np.column_stack([np.ones(100), rng.integers(0, 2, (100, 3))])
    z = orthogonal_noise(rng.standard_normal(100), x)
    assert np.abs(x.T @ z).max() < 1e-8
    assert z.std() == pytest.approx(1.0)


def test_a_different_seed_gives_a_different_cohort_with_the_same_counts():
    params = dataclasses.replace(GeneratorParams.from_json(), seed=7)
    other = generate_cohort(params)
    base = generate_cohort()
    assert not other["pfs_months"].equals(base["pfs_months"])
    exact = check_targets(other).query("kind == 'exact'")
    assert exact["met"].all()
    assert len(other) == len(base) and list(other.columns) == list(base.columns)
