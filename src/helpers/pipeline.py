"""Every analysis of the original study, run on one cohort.

:func:`run_all` is what ``python -m helpers analyze`` runs and what the
notebooks' numbers must agree with: both call the functions of
:mod:`helpers.analysis`, :mod:`helpers.cox` and :mod:`helpers.matching` with the
settings fixed here (the study's conventions), and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import cohort as C
from .analysis import (
    ENDPOINTS,
    baseline_table,
    columns,
    compare_survival,
    response_table,
    safety_table,
    whole_population,
)
from .cox import cox_table, fit_cox, proportional_hazards_test, subgroup_effects
from .fidelity import fidelity_table
from .matching import PropensityMatch, match_propensity

# The study's conventions (see the methods chapter): 1:1 greedy nearest-neighbour
# matching on the probability scale, caliper 0.02, highest scores first.
PSM_SETTINGS = {"caliper": 0.02, "caliper_scale": "probability", "order": "largest"}
COX_ENTRY_P = 0.15
STRATA = {"liver_met": "Liver metastases", "first_line_pfs_ge6": "1L-PFS ≥6 months"}
POPULATIONS = ("before_psm", "after_psm")


@dataclass(frozen=True)
class StudyResults:
    """All tables (tidy, unrounded) plus the matched cohort and headline numbers."""

    tables: dict[str, pd.DataFrame]
    headline: dict
    cohort: pd.DataFrame = field(repr=False)
    matched: pd.DataFrame = field(repr=False)
    psm: PropensityMatch = field(repr=False)
    comparisons: dict = field(repr=False, default_factory=dict)


def populations(data: pd.DataFrame, psm: PropensityMatch) -> dict[str, pd.DataFrame]:
    return {"before_psm": data, "after_psm": psm.cohort}


def efficacy(pops: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, dict]:
    """Figure 1: PFS and OS by group before and after matching."""
    frames, comparisons = [], {}
    for pop, data in pops.items():
        for endpoint in ENDPOINTS:
            comp = compare_survival(data, endpoint)
            comparisons[(pop, endpoint)] = comp
            frames.append(comp.to_frame().assign(population=pop))
    return pd.concat(frames, ignore_index=True), comparisons


def strata(ici: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Figure 3: within 2L-ICIs, by liver metastases and by first-line PFS."""
    frames, comparisons = [], {}
    for var in STRATA:
        for endpoint in ENDPOINTS:
            comp = compare_survival(ici, endpoint, var, exposure=1)
            comparisons[(var, endpoint)] = comp
            frames.append(comp.to_frame().rename(columns={var: "level"}).assign(variable=var))
    return pd.concat(frames, ignore_index=True), comparisons


def cox_tables(ici: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Tables 4-5 and the proportional-hazards checks of every model fitted for them."""
    out, ph = {}, []
    for endpoint, name in (("pfs", "table4_cox_pfs"), ("os", "table5_cox_os")):
        duration, event = columns(endpoint)
        table = cox_table(ici, duration, event, C.TABLE1_VARIABLES, entry_p=COX_ENTRY_P)
        out[name] = table
        selected = table.loc[table["in_multivariable"], "covariate"].tolist()
        models = {f"univariate {v}": [v] for v in C.TABLE1_VARIABLES}
        if selected:
            models["multivariable"] = selected
        for model, covs in models.items():
            test = proportional_hazards_test(fit_cox(ici, duration, event, covs))
            ph.append(test.assign(endpoint=endpoint, model=model))
    out["ph_tests"] = pd.concat(ph, ignore_index=True)[["endpoint", "model", "covariate", "statistic", "df", "p_value"]]
    return out


def treatment_ph_tests(pops: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Proportional-hazards checks of the treatment models behind Figure 1 (before and after PSM)."""
    rows = []
    for pop, data in pops.items():
        for endpoint in ENDPOINTS:
            duration, event = columns(endpoint)
            test = proportional_hazards_test(fit_cox(data, duration, event, [C.TREATED]))
            rows.append(test.assign(population=pop, endpoint=endpoint))
    return pd.concat(rows, ignore_index=True)[["population", "endpoint", "covariate", "statistic", "df", "p_value"]]


def subgroups(data: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Figure 2: treatment HR within each level of each Table 1 characteristic."""
    out = {}
    for endpoint in ENDPOINTS:
        duration, event = columns(endpoint)
        frame = subgroup_effects(data, duration, event, C.TREATED, C.TABLE1_VARIABLES)
        frame.insert(1, "characteristic", frame["variable"].map(lambda v: C.TABLE1_LABELS[v][0]))
        frame.insert(
            3,
            "level_label",
            [C.TABLE1_LABELS[v][1 if lv == 1 else 2] for v, lv in zip(frame["variable"], frame["level"], strict=True)],
        )
        out[f"subgroups_{endpoint}"] = frame
    return out


MIN_PER_GROUP = 10


def check_analyzable(cohort: pd.DataFrame) -> None:
    """Fail early, with the column and the reason, when a cohort cannot support the analyses.

    Checks: both groups present with at least ``MIN_PER_GROUP`` patients; PFS
    and OS events in each group; both levels of every Table 1 characteristic
    present (the propensity model and Table 1 need them).
    """
    data = C.derive_categories(cohort)
    problems = []
    counts = data["group"].value_counts()
    for group in C.GROUPS:
        n = int(counts.get(group, 0))
        if n < MIN_PER_GROUP:
            problems.append(
                f"column group: {n} patients in {group}; at least {MIN_PER_GROUP} are needed for the models"
            )
            continue
        sub = data[data["group"] == group]
        for endpoint in ENDPOINTS:
            _, event = columns(endpoint)
            if int(sub[event].sum()) == 0:
                problems.append(f"column {event}: no events in {group}; survival cannot be compared")
    for var in C.TABLE1_VARIABLES:
        if data[var].nunique() < 2:
            source = {
                "male": "sex",
                "age_ge65": "age",
                "ecog_ge2": "ecog",
                "sites_ge3": "n_metastatic_sites",
                "first_line_pfs_ge6": "first_line_pfs_months",
            }.get(var, var)
            problems.append(
                f"column {source}: every patient has the same {C.TABLE1_LABELS[var][0]} level "
                f"({C.TABLE1_LABELS[var][1] if data[var].iloc[0] == 1 else C.TABLE1_LABELS[var][2]}); "
                "the propensity model and Table 1 need both levels"
            )
    if problems:
        raise ValueError("; ".join(problems))


def run_all(cohort: pd.DataFrame) -> StudyResults:
    """Run every analysis of the original study on a validated cohort."""
    data = C.derive_categories(cohort)
    psm = match_propensity(data, **PSM_SETTINGS)
    pops = populations(data, psm)
    tables: dict[str, pd.DataFrame] = {}
    for pop, frame in pops.items():
        tables[f"table1_{pop}"] = baseline_table(frame)
        tables[f"table2_response_{pop}"] = response_table(frame)
    tables["table3_safety"] = safety_table(data)
    tables["psm_model"] = psm.model.coefficients
    tables["psm_balance"] = psm.balance
    tables["psm_counts"] = psm.match.counts
    tables["efficacy"], comparisons = efficacy(pops)
    tables["ph_tests_treatment"] = treatment_ph_tests(pops)
    ici = data[data["group"] == C.GROUP_ICI]
    tables["figure3_strata"], strata_comparisons = strata(ici)
    comparisons.update(strata_comparisons)
    tables.update(cox_tables(ici))
    tables.update(subgroups(data))
    whole = {pop: whole_population(frame) for pop, frame in pops.items()}
    tables["whole_population"] = pd.DataFrame([{"population": p, **v} for p, v in whole.items()])
    headline = headline_numbers(tables, whole)
    results = StudyResults(
        tables=tables, headline=headline, cohort=data, matched=psm.cohort, psm=psm, comparisons=comparisons
    )
    # the audit compares with the original study's printed numbers (data/published)
    tables["fidelity"] = fidelity_table(results)
    headline["fidelity"] = fidelity_headline(tables["fidelity"])
    return results


def fidelity_headline(table: pd.DataFrame) -> dict:
    ok = table["status"].isin(["exact", "within"])
    exact_class = table[table["class"] == "exact"]
    return {
        "rows": len(table),
        "share_exact_or_within": float(ok.mean()),
        "exact_class_all_exact": bool((exact_class["status"] == "exact").all()),
        "outside": int((table["status"] == "outside").sum()),
        "unattainable": int((table["status"] == "unattainable").sum()),
    }


def load_study(path=None) -> StudyResults:
    """Load a cohort file (the synthetic one by default), validate it and run every analysis."""
    from .synthetic import COHORT_CSV

    return run_all(C.load_cohort(path or COHORT_CSV))


def headline_numbers(tables: dict[str, pd.DataFrame], whole: dict) -> dict:
    """The numbers an abstract quotes, as plain floats (unrounded)."""
    eff = tables["efficacy"]
    out: dict = {"n": {"before_psm": int(whole["before_psm"]["n"]), "after_psm": int(whole["after_psm"]["n"])}}
    for pop in POPULATIONS:
        for endpoint in ENDPOINTS:
            rows = eff[(eff["population"] == pop) & (eff["endpoint"] == endpoint)].set_index("group")
            entry = {
                "hr": float(rows["hr"].iloc[0]),
                "hr_ci_lower": float(rows["hr_ci_lower"].iloc[0]),
                "hr_ci_upper": float(rows["hr_ci_upper"].iloc[0]),
                "logrank_p": float(rows["logrank_p"].iloc[0]),
            }
            for group in C.GROUPS:
                entry[f"median_{group}"] = float(rows.loc[group, "median"])
            out[f"{endpoint}_{pop}"] = entry
        resp = tables[f"table2_response_{pop}"].set_index("row")
        out[f"response_{pop}"] = {
            f"{r}_{g}": float(resp.loc[r, f"pct_{g}"]) for r in ("orr", "dcr") for g in C.GROUPS
        } | {f"p_{r}": float(resp.loc[r, "p_value"]) for r in ("orr", "dcr")}
    out["whole_population"] = {k: _plain(v) for k, v in whole["before_psm"].items()}
    counts = tables["psm_counts"].set_index("group")
    out["matched"] = {g: int(counts.loc[g, "n_matched"]) for g in counts.index}
    return out


def _plain(value):
    if isinstance(value, np.integer | int):
        return int(value)
    return float(value)
