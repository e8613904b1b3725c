"""Every analysis of the original study, run once on one cohort.

:func:`run_all` is what ``python -m helpers analyze`` runs and what the book's
chapters read (through :func:`helpers.manuscript.load_study`): it calls the
builders of :mod:`.description`, :mod:`.counts`, :mod:`.efficacy`, :mod:`.models` and
:mod:`.propensity` with the settings of :mod:`.design`, and nothing else. The
comparison with the original study's printed numbers is not part of it (see
:mod:`helpers.paper.fidelity`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..stats.matching import PropensityMatch
from . import cohort as C
from .appraisal import Appraisal, appraise
from .counts import baseline_table, response_table, safety_table
from .description import cohort_description, treatment_details
from .design import (
    BOOTSTRAP_REPLICATES,
    COX_TABLES,
    ENDPOINTS,
    MIN_PER_GROUP,
    POPULATIONS,
    SOURCE_COLUMNS,
    characteristic,
    columns,
    level_label,
)
from .efficacy import SurvivalComparison, efficacy, strata, whole_population
from .errors import StudyError
from .estimators import ABSOLUTE_EFFECTS
from .models import cox_tables, subgroups, treatment_ph_tests
from .propensity import match_study


@dataclass(frozen=True)
class StudyResults:
    """All tables (tidy, unrounded) plus the matched cohort and headline numbers.

    ``tables`` maps a file stem to its table (what ``analyze`` writes); the
    accessors below read the same tables by meaning rather than by name.
    """

    tables: dict[str, pd.DataFrame]
    headline: dict
    cohort: pd.DataFrame = field(repr=False)
    matched: pd.DataFrame = field(repr=False)
    psm: PropensityMatch = field(repr=False)
    comparisons: dict = field(repr=False, default_factory=dict)
    appraisal: Appraisal | None = field(repr=False, default=None)

    # --- Tables 1-3 ------------------------------------------------------------
    def table1(self, population: str) -> pd.DataFrame:
        return self.tables[f"table1_{_population(population)}"]

    def response(self, population: str) -> pd.DataFrame:
        return self.tables[f"table2_response_{_population(population)}"]

    def safety(self) -> pd.DataFrame:
        return self.tables["table3_safety"]

    def cohort_description(self) -> pd.DataFrame:
        """Section 3.1: age and the shares of all patients with each characteristic, before matching."""
        return self.tables["cohort_description"]

    def treatment_details(self, group: str | None = None) -> pd.DataFrame:
        """Section 3.2: regimens, ICI agents and cycles per group (all groups, or the rows of ``group``)."""
        table = self.tables["treatment_details"]
        return table if group is None else table[table["group"] == group].reset_index(drop=True)

    def population(self, population: str) -> pd.DataFrame:
        """The patients of a population: everyone before matching, the pairs after."""
        return self.cohort if _population(population) == "before_psm" else self.matched

    # --- Figure 1 and 3 --------------------------------------------------------
    def comparison(self, population: str, endpoint: str) -> SurvivalComparison:
        """Figure 1: the two groups' curves, log-rank test and HR in a population."""
        return self.comparisons[(_population(population), _endpoint(endpoint))]

    def survival(self, population: str, endpoint: str, group: str | None = None) -> pd.DataFrame | pd.Series:
        """Figure 1's numbers: one row per group, or the row of ``group``."""
        eff = self.tables["efficacy"]
        rows = eff[(eff["population"] == _population(population)) & (eff["endpoint"] == _endpoint(endpoint))]
        return rows.reset_index(drop=True) if group is None else rows.set_index("group").loc[group]

    def stratum_comparison(self, variable: str, endpoint: str) -> SurvivalComparison:
        """Figure 3: within 2L-ICIs, the curves of the two levels of ``variable``."""
        return self.comparisons[(variable, _endpoint(endpoint))]

    def strata(self, variable: str, endpoint: str, level: int | None = None) -> pd.DataFrame | pd.Series:
        """Figure 3's numbers: one row per level of ``variable``, or the row of ``level``."""
        st = self.tables["figure3_strata"]
        rows = st[(st["variable"] == variable) & (st["endpoint"] == _endpoint(endpoint))]
        return rows.reset_index(drop=True) if level is None else rows.set_index("level").loc[level]

    def whole(self, population: str) -> pd.Series:
        """Medians of PFS and OS in all patients of a population, and the follow-up."""
        return self.tables["whole_population"].set_index("population").loc[_population(population)]

    def treatment_ph_p(self, population: str, endpoint: str) -> float:
        """p-value of the proportional-hazards test of the treatment model behind a Figure 1 panel."""
        ph = self.tables["ph_tests_treatment"]
        row = ph[
            (ph["population"] == _population(population))
            & (ph["endpoint"] == _endpoint(endpoint))
            & (ph["covariate"] != "GLOBAL")
        ]
        return float(row["p_value"].iloc[0])

    # --- Tables 4-5 and Figure 2 ----------------------------------------------
    def cox(self, endpoint: str) -> pd.DataFrame:
        """Table 4 (PFS) or 5 (OS): univariate and multivariable Cox models within 2L-ICIs."""
        return self.tables[COX_TABLES[_endpoint(endpoint)]]

    def subgroups(self, endpoint: str) -> pd.DataFrame:
        """Figure 2: the treatment HR within each level of each characteristic."""
        return self.tables[f"subgroups_{_endpoint(endpoint)}"]


def _population(name: str) -> str:
    if name not in POPULATIONS:
        raise StudyError(f"population must be one of {POPULATIONS}, got {name!r}")
    return name


def _endpoint(name: str) -> str:
    if name not in ENDPOINTS:
        raise StudyError(f"endpoint must be one of {ENDPOINTS}, got {name!r}")
    return name


def populations(data: pd.DataFrame, psm: PropensityMatch) -> dict[str, pd.DataFrame]:
    return {"before_psm": data, "after_psm": psm.cohort}


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
            problems.append(
                f"column {SOURCE_COLUMNS.get(var, var)}: every patient has the same {characteristic(var)} level "
                f"({level_label(var, int(data[var].iloc[0]))}); "
                "the propensity model and Table 1 need both levels"
            )
    if problems:
        raise StudyError("; ".join(problems))


def run_all(cohort: pd.DataFrame, *, bootstrap_replicates: int = BOOTSTRAP_REPLICATES) -> StudyResults:
    """Run every analysis of the original study, and the appraisal, on a validated cohort.

    ``bootstrap_replicates`` sets the appraisal's bootstrap (0 skips it; the
    default is the design's).
    """
    data = C.derive_categories(cohort)
    psm = match_study(data)
    pops = populations(data, psm)
    tables: dict[str, pd.DataFrame] = {
        "cohort_description": cohort_description(data),
        "treatment_details": treatment_details(data),
    }
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
    appraisal = appraise(data, psm, paper_hazard_ratios(tables["efficacy"]), replicates=bootstrap_replicates)
    tables.update(appraisal.tables)
    headline = headline_numbers(tables, whole)
    return StudyResults(
        tables=tables,
        headline=headline,
        cohort=data,
        matched=psm.cohort,
        psm=psm,
        comparisons=comparisons,
        appraisal=appraisal,
    )


def paper_hazard_ratios(efficacy_table: pd.DataFrame) -> pd.DataFrame:
    """The paper's two hazard ratios per endpoint: crude (all patients) and after matching, for the E-values."""
    rows = []
    for pop, method, label in (
        ("before_psm", "crude", "Crude (all patients)"),
        ("after_psm", "psm", "PSM, as in the paper"),
    ):
        for endpoint in ENDPOINTS:
            r = efficacy_table[(efficacy_table["population"] == pop) & (efficacy_table["endpoint"] == endpoint)].iloc[0]
            rows.append(
                {"endpoint": endpoint, "method": method, "label": label}
                | {k: float(r[c]) for k, c in (("hr", "hr"), ("ci_lower", "hr_ci_lower"), ("ci_upper", "hr_ci_upper"))}
            )
    return pd.DataFrame(rows)


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
    out["appraisal"] = appraisal_headline(tables)
    return out


def appraisal_headline(tables: dict[str, pd.DataFrame]) -> dict:
    """The appraisal's headline numbers: treated left unmatched, effective sample sizes, E-values, and
    every method's hazard ratio and absolute effects (analytic and bootstrap 95% limits)."""
    pop = tables["appraisal_population"]
    weights = tables["appraisal_weights"]
    out: dict = {"n_unmatched_treated": int(pop["n_unmatched"].iloc[0])}
    ev = tables["appraisal_evalues"]
    out["evalues"] = {
        f"{r['endpoint']}_{r['method']}": {"estimate": float(r["evalue_estimate"]), "ci": float(r["evalue_ci"])}
        for _, r in ev.iterrows()
        if "evalue_estimate" in ev and pd.notna(r["evalue_estimate"])
    }
    out["ess"] = {
        m: {a: float(v) for a, v in zip(sub["arm"], sub["ess"], strict=True)} for m, sub in weights.groupby("method")
    }
    keys = ["hr", "ci_lower", "ci_upper", "p", "ph_p"]
    for q in ABSOLUTE_EFFECTS:
        if q.startswith("rmst_ratio"):
            continue
        keys += [q, f"{q}_lower", f"{q}_upper", f"{q}_boot_lower", f"{q}_boot_upper"]
    est = tables["appraisal_estimates"]
    out["estimates"] = {
        f"{r['endpoint']}_{r['method']}": {k: float(r[k]) for k in keys} | {"estimand": r["estimand"]}
        for r in est.to_dict("records")
    }
    return out


def _plain(value):
    if isinstance(value, np.integer | int):
        return int(value)
    return float(value)
