"""The appraisal's tables (helpers.study.appraisal): target trial, dropped patients, weights, E-values, bad cases."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from helpers.stats.errors import StatsError
from helpers.study import cohort as C
from helpers.study.appraisal import appraise
from helpers.study.design import PSM_SETTINGS
from helpers.study.pipeline import paper_hazard_ratios, run_all
from helpers.study.target_trial import COMPONENTS, target_trial_table
from helpers.study.weights import study_weights


@pytest.fixture(scope="module")
def results(cohort):
    return run_all(cohort)


def test_target_trial_has_every_component_and_the_study_facts():
    table = target_trial_table()
    assert tuple(table["component"]) == COMPONENTS
    assert table.notna().all().all() and (table.map(len) > 0).all().all()
    assignment = table.set_index("component").loc["Assignment", "this_study"]
    assert f"caliper of {PSM_SETTINGS['caliper']:g}" in assignment


def test_dropped_treated_patients_add_up(results):
    pop = results.appraisal.tables["appraisal_population"]
    n_treated = int(results.cohort[C.TREATED].sum())
    assert int(pop["n_matched"].iloc[0]) == results.psm.match.n_pairs
    assert int(pop["n_matched"].iloc[0] + pop["n_unmatched"].iloc[0]) == n_treated


def test_evalues_use_the_common_outcome_conversion_here(results):
    ev = results.appraisal.tables["appraisal_evalues"]
    assert (~ev["rare"]).all() and ev["conversion"].str.startswith("common outcome").all()
    assert (ev["evalue_estimate"] >= 1).all() and (ev["evalue_ci"] <= ev["evalue_estimate"]).all()


def test_arms_without_overlap_give_a_note_not_a_crash(results):
    data, psm = results.cohort, results.psm
    treated = data[C.TREATED].to_numpy()
    # scores that separate the arms completely: no control resembles any treated patient
    fake = pd.Series(np.where(treated == 1, 0.9, 0.1), index=data.index)
    with pytest.raises(StatsError, match=r"scores: the arms do not overlap"):
        study_weights(data, "iptw_ate", fake)
    broken = dataclasses.replace(psm, model=dataclasses.replace(psm.model, scores=fake))
    appraisal = appraise(data, broken, paper_hazard_ratios(results.tables["efficacy"]))
    assert set(appraisal.notes) == {"iptw_ate", "iptw_att", "overlap"}
    assert all("do not overlap" in note for note in appraisal.notes.values())
    assert set(appraisal.tables["appraisal_weights"]["method"]) == {"unadjusted", "psm"}
