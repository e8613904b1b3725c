"""The fidelity audit: every published number beside the reproduced one.

:func:`fidelity_table` walks the project's copy of the published results and,
for every number the original study reports about its own patients, finds the
value our analysis gives, rounds it as the paper prints it, and judges it
against the tolerance of its class. Compare only: every reproduced value comes
from :class:`helpers.study.pipeline.StudyResults`; nothing is computed here except
rounding and differences.

Tolerance classes
-----------------
``exact``
    Counts, percentages and p-values of the pre-PSM Tables 1–3 and section
    3.2 (treatment), cohort sizes and the study's method settings: equal at the
    printed digits.
``main``
    Before-PSM efficacy: medians ±0.15, median CI bounds ±0.30, landmark rates
    ±3 points, HRs ±0.05, HR CI bounds ±0.08, p on the same side of 0.05 and,
    above 0.01, within 0.02.
``secondary``
    After PSM, strata (Figure 3) and subgroups (Figure 2): medians ±0.30, CI
    bounds ±0.50, rates ±5 points, HRs ±0.10, CI bounds ±0.15, counts ±8,
    percentages ±4 points, p on the same side of 0.05.
``cox``
    Tables 4–5: HRs ±0.15, CI bounds ±0.25, p on the same side of 0.05.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..printed import format_p, round_half_up
from ..study import cohort as C
from ..study.design import ALPHA, COX_ENTRY_P, PSM_SETTINGS
from .published import GROUP_KEYS, REGIMEN_KEYS, TABLE1_KEYS, flatten, published

TOLERANCES = {
    "main": {"median": 0.15, "ci": 0.30, "rate": 3.0, "hr": 0.05, "hr_ci": 0.08, "p": 0.02, "count": 0, "pct": 0},
    "secondary": {
        "median": 0.30,
        "ci": 0.50,
        "rate": 5.0,
        "hr": 0.10,
        "hr_ci": 0.15,
        "p": None,
        "count": 8,
        "pct": 4.0,
    },
    "cox": {"hr": 0.15, "hr_ci": 0.25, "p": None},
}
# Sections of the YAML that are not results about this study's patients.
NOT_RESULTS = (
    "meta.",
    "reporting_conventions.",
    "methods.",
    "cited_literature_values.",
    "verification_notes",
    "inconsistencies",
    "figures",
    "table1.characteristics",
    "table3_safety.text_statements",
    # an eligibility rule about a drug dose the data do not record
    "cohort.eligibility_numbers.max_baseline_corticosteroid",
)

# Numbers the paper makes impossible, with the reason (see the consistency audit).
UNATTAINABLE = {
    "first_line_pfs.pfs.ge6_months.rate_6_month_pct": (
        "A Kaplan–Meier curve cannot be above 50% at 6 months when its median is 4.46 months."
    ),
    "first_line_pfs.os.ge6_months.rate_1_year_pct": (
        "A Kaplan–Meier curve cannot be above 50% at 12 months when its median is 10.43 months."
    ),
    "table5_cox_os.rows.number_of_metastatic_lesions.multivariate.p": (
        "Not attainable together with the lung-metastasis rows of Table 5: a p this high needs the wide "
        "multivariable CI, i.e. a strong correlation with lung metastases, which would push the lung univariate "
        "p below 0.05 (see the consistency check cox_sites_ci_vs_lung)."
    ),
}
GROUP_FROM_KEY = {v: k for k, v in GROUP_KEYS.items()}
STRATUM_LEVEL = {"with_liver_mets": 1, "without_liver_mets": 0, "ge6_months": 1, "lt6_months": 0}
RATE_TIMES = {"rate_6_month_pct": 6, "rate_1_year_pct": 12, "rate_2_year_pct": 24}
COX_KEY_TO_VAR = {TABLE1_KEYS[v][0]: v for v in C.TABLE1_VARIABLES}
SUBGROUP_ROWS = {"no_liver_metastases": ("liver_met", 0), "received_first_line_icis": ("first_line_ici", 1)}


@dataclass(frozen=True)
class Reproduced:
    value: object  # float, int, bool
    kind: str  # count, pct, median, ci, rate, hr, hr_ci, p, flag, setting
    klass: str  # exact, main, secondary, cox
    decimals: int | None = None
    note: str = ""


def _eff(results, pop: str, endpoint: str, group: str | None = None) -> pd.Series:
    eff = results.tables["efficacy"]
    rows = eff[(eff["population"] == pop) & (eff["endpoint"] == endpoint)]
    return rows.iloc[0] if group is None else rows.set_index("group").loc[group]


def _strata(results, variable: str, endpoint: str, level: int | None = None) -> pd.Series:
    st = results.tables["figure3_strata"]
    rows = st[(st["variable"] == variable) & (st["endpoint"] == endpoint)]
    return rows.iloc[0] if level is None else rows.set_index("level").loc[level]


def _resolve(key: str, results) -> Reproduced | None:  # one branch per section of the YAML
    parts = key.split(".")
    head = parts[0]
    t = results.tables

    if head == "table1":
        # table1.n.<pop>.<group> | table1.characteristics... handled by _table1
        if parts[1] == "n":
            pop, grp = parts[2], GROUP_FROM_KEY[parts[3]]
            frame = t[f"table1_{pop}"]
            return Reproduced(
                int(frame[f"total_{grp}"].iloc[0]), "count", "exact" if pop == "before_psm" else "secondary"
            )
        return None

    if head == "cohort":
        sub = ".".join(parts[1:])
        counts = {
            "n_total": len(results.cohort),
            "before_psm.icis": int((results.cohort["group"] == C.GROUP_ICI).sum()),
            "before_psm.non_icis": int((results.cohort["group"] == C.GROUP_NON_ICI).sum()),
            "before_psm.total": len(results.cohort),
        }
        if sub in counts:
            return Reproduced(counts[sub], "count", "exact")
        if sub.startswith("after_psm."):
            matched = results.matched
            value = {
                "icis": int((matched["group"] == C.GROUP_ICI).sum()),
                "non_icis": int((matched["group"] == C.GROUP_NON_ICI).sum()),
                "total": len(matched),
            }[parts[2]]
            return Reproduced(value, "count", "secondary")
        if sub == "median_follow_up_months":
            return Reproduced(results.headline["whole_population"]["median_follow_up"], "median", "main", 1)
        if sub.startswith("age_years."):
            fn = {"median": "median", "range_min": "min", "range_max": "max"}[parts[2]]
            return Reproduced(float(getattr(results.cohort["age"], fn)()), "count", "exact", 0)
        if sub.startswith("whole_cohort_percentages_section_3_1."):
            var = {
                "male_pct": ("male", 1),
                "smoking_history_pct": ("smoker", 1),
                "ecog_ps_lt2_pct": ("ecog_ge2", 0),
                "lung_metastases_pct": ("lung_met", 1),
                "bone_metastases_pct": ("bone_met", 1),
                "brain_metastases_pct": ("brain_met", 1),
                "liver_metastases_pct": ("liver_met", 1),
                "metastatic_sites_ge3_pct": ("sites_ge3", 1),
                "first_line_icis_pct": ("first_line_ici", 1),
            }[parts[2]]
            return Reproduced(100 * float((results.cohort[var[0]] == var[1]).mean()), "pct", "exact", 1)
        settings = _settings()
        if sub in settings:
            return Reproduced(settings[sub], "setting", "exact")
        return None

    if head == "treatment":
        group = C.GROUP_ICI if parts[1] == "icis_group" else C.GROUP_NON_ICI
        sub = results.cohort[results.cohort["group"] == group]
        if parts[2] == "n":
            return Reproduced(len(sub), "count", "exact")
        if parts[2] == "regimen_categories":
            regimen = {v: k for k, v in REGIMEN_KEYS.items()}[parts[3]]
            n = int((sub["regimen"] == regimen).sum())
            return Reproduced(n if parts[4] == "n" else 100 * n / len(sub), parts[4], "exact", 1)
        if parts[2] == "ici_agents":
            n = int((sub["ici_agent"] == parts[3]).sum())
            return Reproduced(n if parts[4] == "n" else 100 * n / len(sub), parts[4], "exact", 1)
        if parts[2] == "cycles":
            fn = {"median": "median", "range_min": "min", "range_max": "max"}[parts[3]]
            return Reproduced(float(getattr(sub["cycles"], fn)()), "count", "exact", 0)
        return None

    if head == "efficacy":
        if parts[1] == "whole_population_before_psm":
            whole = results.headline["whole_population"]
            value = {
                "n": whole["n"],
                "median_follow_up_months": whole["median_follow_up"],
                "median_pfs_months": whole["median_pfs"],
                "median_os_months": whole["median_os"],
            }[parts[2]]
            kind = "count" if parts[2] == "n" else "median"
            return Reproduced(value, kind, "exact" if kind == "count" else "main", 1 if "follow" in parts[2] else 2)
        pop = parts[1]
        klass = "main" if pop == "before_psm" else "secondary"
        if parts[2] == "n":
            return Reproduced(len(results.matched), "count", "secondary")
        if parts[2].startswith("overall_median_"):
            endpoint = parts[2].split("_")[2]
            frame = t["whole_population"].set_index("population")
            return Reproduced(float(frame.loc[pop, f"median_{endpoint}"]), "median", klass, 2)
        endpoint = parts[2]
        row = _eff(results, pop, endpoint)
        if parts[3] in GROUP_FROM_KEY:
            return _survival_field(_eff(results, pop, endpoint, GROUP_FROM_KEY[parts[3]]), parts[4], klass)
        return _comparison_field(row, parts[3], klass, hr_decimals=2)

    if head in ("liver_mets", "first_line_pfs"):
        variable = "liver_met" if head == "liver_mets" else "first_line_pfs_ge6"
        if parts[1] == "threshold_months":
            return Reproduced(C.FIRST_LINE_PFS_CUTOFF, "setting", "exact", 0)
        if parts[1] == "population":
            return None
        endpoint = parts[1]
        if parts[2] == "p":
            return Reproduced(float(_strata(results, variable, endpoint)["logrank_p"]), "p", "secondary", 3)
        row = _strata(results, variable, endpoint, STRATUM_LEVEL[parts[2]])
        out = _survival_field(row, parts[3], "secondary")
        if key in UNATTAINABLE:
            out = Reproduced(out.value, out.kind, out.klass, out.decimals, UNATTAINABLE[key])
        return out

    if head in ("table4_cox_pfs", "table5_cox_os"):
        if parts[1] != "rows":
            return None
        table = t[head].set_index("covariate")
        var = COX_KEY_TO_VAR[parts[2]]
        model = "uni" if parts[3] == "univariate" else "multi"
        field = {"hr": "estimate", "ci_low": "ci_lower", "ci_high": "ci_upper", "p": "p_value"}[parts[4]]
        value = table.loc[var, f"{model}_{field}"]
        kind = {"hr": "hr", "ci_low": "hr_ci", "ci_high": "hr_ci", "p": "p"}[parts[4]]
        return Reproduced(float(value), kind, "cox", 3)

    if head == "table2_response":
        if parts[1] == "whole_cohort_before_psm":
            frame = t["table2_response_before_psm"].set_index("row")
            if parts[2] == "n":
                return Reproduced(len(results.cohort), "count", "exact")
            r = parts[2].split("_")[0]
            n = sum(int(frame.loc[r, f"n_{g}"]) for g in C.GROUPS)
            return Reproduced(100 * n / len(results.cohort), "pct", "exact", 1)
        pop = parts[1]
        klass = "exact" if pop == "before_psm" else "secondary"
        frame = t[f"table2_response_{pop}"].set_index("row")
        if parts[2].startswith("p_"):
            return Reproduced(float(frame.loc[parts[2][2:], "p_value"]), "p", klass, 3)
        group = GROUP_FROM_KEY[parts[2]]
        if parts[3] == "n_total":
            return Reproduced(int(frame[f"total_{group}"].iloc[0]), "count", klass)
        row = frame.loc[parts[3]]
        if parts[4] == "n":
            return Reproduced(int(row[f"n_{group}"]), "count", klass)
        return Reproduced(float(row[f"pct_{group}"]), "pct", klass, 1)

    if head == "table3_safety":
        frame = t["table3_safety"].set_index("row")
        if parts[1] == "n":
            return Reproduced(int(frame[f"total_{GROUP_FROM_KEY[parts[2]]}"].iloc[0]), "count", "exact")
        if parts[1] != "rows":
            return None
        row = frame.loc[parts[2]]
        if parts[3] == "p":
            return Reproduced(float(row["p_value"]), "p", "exact", 3)
        group = GROUP_FROM_KEY[parts[3]]
        if parts[4] == "n":
            return Reproduced(int(row[f"n_{group}"]), "count", "exact")
        if parts[4] == "pct":
            return Reproduced(float(row[f"pct_{group}"]), "pct", "exact", 1)
        return None

    if head == "subgroups":
        var, level = SUBGROUP_ROWS[parts[3]]
        sg = t["subgroups_os"]
        row = sg[(sg["variable"] == var) & (sg["level"] == level)].iloc[0]
        field = {
            "hr": ("estimate", "hr"),
            "ci95_low": ("ci_lower", "hr_ci"),
            "ci95_high": ("ci_upper", "hr_ci"),
            "p": ("p_value", "p"),
        }[parts[4]]
        return Reproduced(float(row[field[0]]), field[1], "secondary", 2 if field[1] != "p" else 3)

    if head == "abstract_key_results":
        alias = {
            "n_total": "cohort.n_total",
            "n_icis": "cohort.before_psm.icis",
            "n_non_icis": "cohort.before_psm.non_icis",
            "median_pfs_before_psm.icis": "efficacy.before_psm.pfs.icis.median",
            "median_pfs_before_psm.non_icis": "efficacy.before_psm.pfs.non_icis.median",
            "median_pfs_before_psm.p": "efficacy.before_psm.pfs.p",
            "median_pfs_after_psm.icis": "efficacy.after_psm.pfs.icis.median",
            "median_pfs_after_psm.non_icis": "efficacy.after_psm.pfs.non_icis.median",
            "median_pfs_after_psm.p": "efficacy.after_psm.pfs.p",
            "orr_pct.icis": "table2_response.before_psm.icis.orr.pct",
            "orr_pct.non_icis": "table2_response.before_psm.non_icis.orr.pct",
            "orr_pct.p": "table2_response.before_psm.p_orr",
            "dcr_pct.icis": "table2_response.before_psm.icis.dcr.pct",
            "dcr_pct.non_icis": "table2_response.before_psm.non_icis.dcr.pct",
            "dcr_pct.p": "table2_response.before_psm.p_dcr",
            "g3_rash_icis_n": "table3_safety.rows.g3_rash.icis.n",
        }[".".join(parts[1:])]
        return _resolve(alias, results)

    if head == "discussion_statements":
        sub = ".".join(parts[1:])
        if sub == "absolute_pfs_difference_months":
            a = (
                _eff(results, "after_psm", "pfs", C.GROUP_ICI)["median"]
                - _eff(results, "after_psm", "pfs", C.GROUP_NON_ICI)["median"]
            )
            return Reproduced(float(a), "median", "secondary", 1, "the paper's figure matches the after-PSM difference")
        if sub == "icis_median_cycles":
            return _resolve("treatment.icis_group.cycles.median", results)
        if parts[1] == "liver_mets_comparison_restated" and parts[2] != "described_as":
            level = "with_liver_mets" if parts[3] == "with" else "without_liver_mets"
            mapping = {
                "median_pfs": ("pfs", "median"),
                "median_os": ("os", "median"),
                "rate_1_year_pfs_pct": ("pfs", "rate_1_year_pct"),
                "rate_2_year_os_pct": ("os", "rate_2_year_pct"),
            }[parts[2]]
            return _resolve(f"liver_mets.{mapping[0]}.{level}.{mapping[1]}", results)
        return None
    return None


def _settings() -> dict:
    return {
        "psm.caliper": PSM_SETTINGS["caliper"],
        "cox_multivariate_entry_threshold_p": COX_ENTRY_P,
        "significance_alpha_two_sided": ALPHA,
        "eligibility_numbers.min_age_years": 18,
        "n_centers": len(C.CENTERS),
    }


def _survival_field(row: pd.Series, field: str, klass: str) -> Reproduced:
    if field == "median":
        return Reproduced(float(row["median"]), "median", klass, 2)
    if field in ("ci95_low", "ci95_high"):
        return Reproduced(float(row["ci_lower" if field == "ci95_low" else "ci_upper"]), "ci", klass, 2)
    if field in RATE_TIMES:
        return Reproduced(float(row[f"rate_{RATE_TIMES[field]}"]), "rate", klass, 1)
    raise KeyError(field)


def _comparison_field(row: pd.Series, field: str, klass: str, hr_decimals: int) -> Reproduced:
    if field == "hr":
        return Reproduced(float(row["hr"]), "hr", klass, hr_decimals)
    if field in ("hr_ci95_low", "hr_ci95_high"):
        return Reproduced(
            float(row["hr_ci_lower" if field.endswith("low") else "hr_ci_upper"]), "hr_ci", klass, hr_decimals
        )
    if field == "p":
        return Reproduced(float(row["logrank_p"]), "p", klass, 3)
    if field == "significant":
        return Reproduced(bool(row["logrank_p"] < ALPHA), "flag", klass)
    raise KeyError(field)


def _table1_rows(results) -> list[tuple[str, Reproduced]]:
    """Table 1 keys (characteristics × levels × populations × groups), built from the table frames."""
    out = []
    for var, (char, level_key) in TABLE1_KEYS.items():
        for pop in ("before_psm", "after_psm"):
            klass = "exact" if pop == "before_psm" else "secondary"
            frame = results.tables[f"table1_{pop}"]
            rows = frame[frame["variable"] == var].set_index("level")
            out.append(
                (f"table1.characteristics.{char}.p_{pop}", Reproduced(float(rows["p_value"].iloc[0]), "p", klass, 3))
            )
            other = _other_level_key(char)
            for level, lk in ((1, level_key), (0, other)):
                for gkey, group in GROUP_FROM_KEY.items():
                    base = f"table1.characteristics.{char}.levels.{lk}.{pop}.{gkey}"
                    out.append((f"{base}.n", Reproduced(int(rows.loc[level, f"n_{group}"]), "count", klass)))
                    out.append((f"{base}.pct", Reproduced(float(rows.loc[level, f"pct_{group}"]), "pct", klass, 1)))
    return out


def _other_level_key(char: str) -> str:
    levels = list(published(f"table1.characteristics.{char}.levels"))
    return levels[1]


# --- judging -------------------------------------------------------------------------


def _rounded(value, decimals):
    if isinstance(value, bool) or decimals is None:
        return value
    if isinstance(value, float) and math.isnan(value):
        return value
    return round_half_up(value, decimals) if decimals else int(round_half_up(value, 0))


def judge(key: str, published_value, rep: Reproduced) -> dict:
    """One audit row: rounded reproduced value, difference, tolerance and status."""
    row = {"key": key, "published": published_value, "class": rep.klass, "note": rep.note}
    if rep.kind == "p":
        p = float(rep.value)
        row["reproduced"] = format_p(p) if not math.isnan(p) else "NaN"
        pub_is_floor = isinstance(published_value, str) and published_value.startswith("<")
        pub = 0.0005 if pub_is_floor else float(published_value)
        same_side = (p < ALPHA) == (pub < ALPHA)
        row["abs_diff"] = np.nan if pub_is_floor else round(abs(round_half_up(p, 3) - pub), 4)
        if rep.klass == "exact":
            ok = p < 0.001 if pub_is_floor else round_half_up(p, 3) == pub
            row.update(tolerance="exact", status="exact" if ok else "outside")
        else:
            within = same_side
            tol = TOLERANCES[rep.klass].get("p")
            if tol is not None and not pub_is_floor and pub > 0.01:
                within = within and abs(p - pub) <= tol + 1e-9
            exact = (p < 0.001) if pub_is_floor else round_half_up(p, 3) == pub
            row.update(
                tolerance="same side of 0.05"
                + (f", ±{tol}" if tol is not None and not pub_is_floor and pub > 0.01 else ""),
                status="exact" if exact else "within" if within else "outside",
            )
        return _finish(row, key)
    if rep.kind == "flag":
        row.update(reproduced=bool(rep.value), abs_diff=np.nan, tolerance="same side of 0.05")
        row["status"] = "exact" if bool(rep.value) == bool(published_value) else "outside"
        return _finish(row, key)
    value = _rounded(rep.value, rep.decimals)
    row["reproduced"] = value
    if isinstance(value, float) and math.isnan(value):
        row.update(abs_diff=np.nan, tolerance="", status="outside", note=(rep.note + " not estimable").strip())
        return _finish(row, key)
    diff = abs(float(value) - float(published_value))
    row["abs_diff"] = round(diff, 4)
    if rep.klass == "exact":
        row.update(tolerance="exact", status="exact" if diff < 1e-9 else "outside")
        return _finish(row, key)
    tol = TOLERANCES[rep.klass][rep.kind]
    row["tolerance"] = f"±{tol:g}"
    row["status"] = "exact" if diff < 1e-9 else "within" if diff <= tol + 1e-9 else "outside"
    return _finish(row, key)


def _finish(row: dict, key: str) -> dict:
    if key in UNATTAINABLE and row["status"] != "exact":
        row["status"] = "unattainable"
        row["note"] = UNATTAINABLE[key]
    return row


def published_keys() -> dict:
    """Every published number about this study's patients, by dotted key."""
    out = {}
    for key, value in flatten().items():
        if key.startswith(NOT_RESULTS) or value is None or isinstance(value, list):
            continue
        if isinstance(value, str) and not value.startswith("<"):
            continue
        out[key] = value
    for key, value in flatten().items():
        if re.match(
            r"table1\.characteristics\.[^.]+\.(p_before_psm|p_after_psm|levels\.[^.]+\.(before|after)_psm\.[^.]+\.(n|pct))$",
            key,
        ):
            out[key] = value
    return out


@dataclass(frozen=True)
class Audit:
    """The fidelity audit of one set of results: the table and its headline numbers."""

    table: pd.DataFrame = field(repr=False)
    headline: dict

    def summary(self) -> pd.DataFrame:
        return summary(self.table)

    def to_frame(self) -> pd.DataFrame:
        return self.table


def audit(results) -> Audit:
    """Compare every published number with ``results`` (a :class:`~helpers.study.pipeline.StudyResults`)."""
    table = fidelity_table(results)
    return Audit(table=table, headline=fidelity_headline(table))


def fidelity_headline(table: pd.DataFrame) -> dict:
    """Rows audited, the share exact or within tolerance, and the counts outside and unattainable."""
    ok = table["status"].isin(["exact", "within"])
    exact_class = table[table["class"] == "exact"]
    return {
        "rows": len(table),
        "share_exact_or_within": float(ok.mean()),
        "exact_class_all_exact": bool((exact_class["status"] == "exact").all()),
        "outside": int((table["status"] == "outside").sum()),
        "unattainable": int((table["status"] == "unattainable").sum()),
    }


def fidelity_table(results) -> pd.DataFrame:
    """The audit: one row per published number (see the module docstring for the classes)."""
    resolved: dict[str, Reproduced] = dict(_table1_rows(results))
    rows = []
    for key, value in published_keys().items():
        rep = resolved.get(key) or _resolve(key, results)
        if rep is None:
            continue
        rows.append(judge(key, value, rep))
    frame = pd.DataFrame(rows)
    frame["section"] = frame["key"].map(section_of)
    return frame[["section", "key", "published", "reproduced", "abs_diff", "tolerance", "status", "class", "note"]]


SECTIONS: dict[str, Callable[[str], bool]] = {
    "Cohort and treatment": lambda k: k.startswith(("cohort.", "treatment.", "discussion_statements.icis")),
    "Table 1 before PSM": lambda k: k.startswith("table1.") and "before_psm" in k,
    "Table 1 after PSM": lambda k: k.startswith("table1.") and "after_psm" in k,
    "Efficacy before PSM": lambda k: k.startswith(
        ("efficacy.before_psm", "efficacy.whole_population", "abstract_key_results.median_pfs_before")
    ),
    "Efficacy after PSM": lambda k: k.startswith(
        ("efficacy.after_psm", "abstract_key_results.median_pfs_after", "discussion_statements.absolute")
    ),
    "Response (Table 2)": lambda k: k.startswith(
        ("table2_response", "abstract_key_results.orr", "abstract_key_results.dcr")
    ),
    "Safety (Table 3)": lambda k: k.startswith(("table3_safety", "abstract_key_results.g3")),
    "Cox (Tables 4-5)": lambda k: k.startswith(("table4", "table5")),
    "Subgroups (Figure 2)": lambda k: k.startswith("subgroups"),
    "Strata (Figure 3)": lambda k: k.startswith(("liver_mets", "first_line_pfs", "discussion_statements.liver")),
    "Abstract": lambda k: k.startswith("abstract_key_results."),
}


def section_of(key: str) -> str:
    for name, test in SECTIONS.items():
        if test(key):
            return name
    return "Other"


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Counts of each status per section, with the share exact or within."""
    counts = table.pivot_table(index="section", columns="status", values="key", aggfunc="count", fill_value=0)
    for status in ("exact", "within", "outside", "unattainable"):
        if status not in counts:
            counts[status] = 0
    counts = counts[["exact", "within", "outside", "unattainable"]]
    counts["total"] = counts.sum(axis=1)
    counts["share_ok"] = (counts["exact"] + counts["within"]) / counts["total"]
    return counts.reset_index()


def section_view(table: pd.DataFrame, sections) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For a chapter: the status counts of its sections and its rows that miss.

    Returns ``(counts, misses)``: counts by status per section (as
    :func:`summary`) and the rows neither exact nor within tolerance.
    """
    sections = [sections] if isinstance(sections, str) else list(sections)
    rows = table[table["section"].isin(sections)]
    misses = rows[~rows["status"].isin(["exact", "within"])]
    cols = ["key", "published", "reproduced", "abs_diff", "tolerance", "status", "note"]
    return summary(rows), misses[cols].reset_index(drop=True)
