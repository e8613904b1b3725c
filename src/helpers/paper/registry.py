"""The registry of published quantities: one entry per number the original study printed about its patients.

Each :class:`Quantity` says what a published key is (its kind, its tolerance
class and the decimals the paper prints it with), how a reader would name it
("Table 1 · Gender: Male · before PSM · 2L-ICIs · n") and where the reproduced
value comes from in :class:`~helpers.study.pipeline.StudyResults`. This is the
one place that maps a key to its reproduced value: the fidelity audit, the
generator's calibration targets and the chapters all read it.

The entries are generated from the study's design (populations, endpoints,
groups, characteristics, rows of Tables 2 and 3) and the layout of the
published numbers, section by section; :func:`registry` collects them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pandas as pd

from ..printed import round_half_up
from ..study import cohort as C
from ..study.design import (
    ALPHA,
    COX_ENTRY_P,
    COX_TABLES,
    ENDPOINT_SHORT,
    ENDPOINTS,
    POPULATION_LABELS,
    POPULATIONS,
    PSM_SETTINGS,
    RESPONSE_ROWS,
    SAFETY_ROWS,
    STRATUM_LABELS,
    TABLE1_LABELS,
    exposure_label,
    level_label,
)
from ..study.pipeline import StudyResults
from .published import GROUP_KEYS, REGIMEN_KEYS, TABLE1_KEYS, published, published_keys

KINDS = ("count", "pct", "median", "ci", "rate", "hr", "hr_ci", "p", "flag", "setting")
CLASSES = ("exact", "main", "secondary", "cox")

Getter = Callable[[StudyResults], Any]


@dataclass(frozen=True)
class Quantity:
    """One published number: what it is, how the paper prints it, and where ours comes from.

    ``kind`` is one of :data:`KINDS`, ``klass`` the tolerance class of the
    audit (:data:`CLASSES`), ``decimals`` the printed decimals (None for
    counts, flags and settings). ``unattainable`` explains why no cohort can
    reproduce the number (the paper contradicts itself), ``note`` anything else
    a reader should know about the comparison.
    """

    key: str
    label: str
    kind: str
    klass: str
    decimals: int | None
    get: Getter = field(repr=False, compare=False)
    note: str = ""
    unattainable: str = ""

    @property
    def published(self) -> Any:
        return published(self.key)

    def reproduce(self, results: StudyResults) -> Any:
        """The reproduced value, unrounded."""
        return self.get(results)

    def printed(self, results: StudyResults) -> Any:
        """The reproduced value rounded as the paper prints it (halves up).

        A p-value is left unrounded: it prints through :func:`helpers.printed.format_p`,
        which also applies the floor ('<0.001'); rounding it first would turn 0.0008
        into '0.001'.
        """
        value = self.reproduce(results)
        return value if self.kind == "p" else rounded(value, self.decimals)


def rounded(value, decimals: int | None):
    """``value`` rounded half up to ``decimals`` (counts to integers); flags, settings and NaN unchanged."""
    if isinstance(value, bool) or decimals is None or value is None:
        return value
    if isinstance(value, float) and value != value:
        return value
    return round_half_up(value, decimals) if decimals else int(round_half_up(value, 0))


# --- names ---------------------------------------------------------------------------------

GROUP_FROM_KEY = {v: k for k, v in GROUP_KEYS.items()}
VARIABLE_FROM_KEY = {char: var for var, (char, _) in TABLE1_KEYS.items()}
RATE_TIMES = {"rate_6_month_pct": 6, "rate_1_year_pct": 12, "rate_2_year_pct": 24}
STRATUM_KEYS = {
    "liver_met": ("liver_mets", {1: "with_liver_mets", 0: "without_liver_mets"}),
    "first_line_pfs_ge6": ("first_line_pfs", {1: "ge6_months", 0: "lt6_months"}),
}
SUBGROUP_KEYS = {"no_liver_metastases": ("liver_met", 0), "received_first_line_icis": ("first_line_ici", 1)}
FIGURE_1 = {
    ("before_psm", "pfs"): "1A",
    ("before_psm", "os"): "1B",
    ("after_psm", "pfs"): "1C",
    ("after_psm", "os"): "1D",
}
FIGURE_3 = {("liver_met", "pfs"): "3A", ("liver_met", "os"): "3B", ("first_line_pfs_ge6", "pfs"): "3C"}
FIGURE_3[("first_line_pfs_ge6", "os")] = "3D"
FIELD_LABELS = {
    "median": "median (months)",
    "ci95_low": "median, 95% CI lower",
    "ci95_high": "median, 95% CI upper",
    "rate_6_month_pct": "6-month rate (%)",
    "rate_1_year_pct": "1-year rate (%)",
    "rate_2_year_pct": "2-year rate (%)",
    "hr": "HR",
    "hr_ci95_low": "HR, 95% CI lower",
    "hr_ci95_high": "HR, 95% CI upper",
    "p": "log-rank p",
    "significant": "significant at 0.05",
}

# Published numbers no cohort can reproduce, with the reason (see the consistency audit).
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


def _where(population: str) -> str:
    """'before PSM' / 'after PSM', for use inside a label."""
    label = POPULATION_LABELS[population]
    return label[0].lower() + label[1:]


def _klass(population: str, first: str = "exact") -> str:
    return first if population == "before_psm" else "secondary"


def _q(key, label, kind, klass, decimals, get, note="") -> Quantity:
    return Quantity(key, label, kind, klass, decimals, get, note, UNATTAINABLE.get(key, ""))


# --- sections ------------------------------------------------------------------------------


def _table1() -> Iterator[Quantity]:
    for pop in POPULATIONS:
        klass, where = _klass(pop), _where(pop)
        for group, gkey in GROUP_KEYS.items():
            yield _q(
                f"table1.n.{pop}.{gkey}",
                f"Table 1 · patients · {where} · {group}",
                "count",
                klass,
                None,
                lambda r, pop=pop, group=group: int(r.table1(pop)[f"total_{group}"].iloc[0]),
            )
    for var, (char, first_key) in TABLE1_KEYS.items():
        level_keys = list(published(f"table1.characteristics.{char}.levels"))
        other_key = next(k for k in level_keys if k != first_key)
        for pop in POPULATIONS:
            klass, where = _klass(pop), _where(pop)
            yield _q(
                f"table1.characteristics.{char}.p_{pop}",
                f"Table 1 · {TABLE1_LABELS[var][0]} · {where} · p",
                "p",
                klass,
                3,
                lambda r, pop=pop, var=var: float(_rows(r.table1(pop), variable=var)["p_value"].iloc[0]),
            )
            for level, lkey in ((1, first_key), (0, other_key)):
                for group, gkey in GROUP_KEYS.items():
                    base = f"table1.characteristics.{char}.levels.{lkey}.{pop}.{gkey}"
                    name = f"Table 1 · {TABLE1_LABELS[var][0]}: {level_label(var, level)} · {where} · {group}"

                    def cell(r, column, pop=pop, var=var, level=level, group=group):
                        return _rows(r.table1(pop), variable=var, level=level)[f"{column}_{group}"].iloc[0]

                    yield _q(f"{base}.n", f"{name} · n", "count", klass, None, lambda r, c=cell: int(c(r, "n")))
                    yield _q(f"{base}.pct", f"{name} · %", "pct", klass, 1, lambda r, c=cell: float(c(r, "pct")))


WHOLE_COHORT_SHARES = {
    "male_pct": "male",
    "smoking_history_pct": "smoker",
    "ecog_ps_lt2_pct": ("ecog_ge2", 0),
    "lung_metastases_pct": "lung_met",
    "bone_metastases_pct": "bone_met",
    "brain_metastases_pct": "brain_met",
    "liver_metastases_pct": "liver_met",
    "metastatic_sites_ge3_pct": "sites_ge3",
    "first_line_icis_pct": "first_line_ici",
}
SUMMARY_STATS = {"median": "median", "range_min": "min", "range_max": "max"}


def _cohort() -> Iterator[Quantity]:
    def n_group(r, group=None, matched=False):
        data = r.matched if matched else r.cohort
        return len(data) if group is None else int((data["group"] == group).sum())

    yield _q("cohort.n_total", "Cohort · patients", "count", "exact", None, lambda r: n_group(r))
    for pop, matched in (("before_psm", False), ("after_psm", True)):
        klass, where = _klass(pop), _where(pop)
        for group, gkey in GROUP_KEYS.items():
            yield _q(
                f"cohort.{pop}.{gkey}",
                f"Cohort · {where} · {group} · patients",
                "count",
                klass,
                None,
                lambda r, g=group, m=matched: n_group(r, g, m),
            )
        yield _q(
            f"cohort.{pop}.total",
            f"Cohort · {where} · patients",
            "count",
            klass,
            None,
            lambda r, m=matched: n_group(r, None, m),
        )
    yield _q(
        "cohort.median_follow_up_months",
        "Cohort · median follow-up (months, reverse Kaplan–Meier)",
        "median",
        "main",
        1,
        lambda r: float(r.whole("before_psm")["median_follow_up"]),
    )
    for stat, column in SUMMARY_STATS.items():
        yield _q(
            f"cohort.age_years.{stat}",
            f"Section 3.1 · all patients · age (years) · {stat.replace('_', ' ')}",
            "count",
            "exact",
            0,
            lambda r, column=column: float(_rows(r.cohort_description(), item="age")[column].iloc[0]),
        )
    for key, spec in WHOLE_COHORT_SHARES.items():
        var, level = spec if isinstance(spec, tuple) else (spec, 1)
        yield _q(
            f"cohort.whole_cohort_percentages_section_3_1.{key}",
            f"Section 3.1 · all patients · {TABLE1_LABELS[var][0]}: {level_label(var, level)} (%)",
            "pct",
            "exact",
            1,
            lambda r, var=var, level=level: float(_rows(r.cohort_description(), item=var, value=level)["pct"].iloc[0]),
        )
    settings = {
        "cohort.psm.caliper": ("Methods · matching caliper", PSM_SETTINGS["caliper"]),
        "cohort.cox_multivariate_entry_threshold_p": ("Methods · multivariable entry threshold (P <)", COX_ENTRY_P),
        "cohort.significance_alpha_two_sided": ("Methods · significance level (two-sided)", ALPHA),
        "cohort.eligibility_numbers.min_age_years": ("Methods · minimum age (years)", C.MIN_AGE),
    }
    for key, (label, value) in settings.items():
        yield _q(key, label, "setting", "exact", None, lambda r, v=value: v)


def _treatment() -> Iterator[Quantity]:
    for group, tkey in ((C.GROUP_ICI, "icis_group"), (C.GROUP_NON_ICI, "non_icis_group")):
        base, name = f"treatment.{tkey}", f"Section 3.2 · {group}"
        yield _q(
            f"{base}.n",
            f"{name} · patients",
            "count",
            "exact",
            None,
            lambda r, g=group: int(r.treatment_details(g)["total"].iloc[0]),
        )
        regimens = C.ICI_REGIMENS if group == C.GROUP_ICI else C.NON_ICI_REGIMENS
        for item, values, part in (
            ("regimen", {reg: REGIMEN_KEYS[reg] for reg in regimens}, "regimen_categories"),
            ("ici_agent", {a: a for a in C.ICI_AGENTS} if group == C.GROUP_ICI else {}, "ici_agents"),
        ):
            for value, vkey in values.items():
                label = published(f"{base}.{part}.{vkey}").get("label") if part == "regimen_categories" else None
                shown = label or (value.capitalize() if part == "ici_agents" else value.replace("_", " "))

                def cell(r, column, g=group, item=item, value=value):
                    return _rows(r.treatment_details(g), item=item, value=value)[column].iloc[0]

                yield _q(
                    f"{base}.{part}.{vkey}.n",
                    f"{name} · {shown} · n",
                    "count",
                    "exact",
                    0,
                    lambda r, c=cell: int(c(r, "n")),
                )
                yield _q(
                    f"{base}.{part}.{vkey}.pct",
                    f"{name} · {shown} · %",
                    "pct",
                    "exact",
                    1,
                    lambda r, c=cell: float(c(r, "pct")),
                )
        for stat, column in SUMMARY_STATS.items():
            yield _q(
                f"{base}.cycles.{stat}",
                f"{name} · cycles · {stat.replace('_', ' ')}",
                "count",
                "exact",
                0,
                lambda r, g=group, column=column: float(_rows(r.treatment_details(g), item="cycles")[column].iloc[0]),
            )


def _survival_fields(base: str, name: str, klass: str, row: Callable[[StudyResults], pd.Series]) -> Iterator[Quantity]:
    """Median, its CI bounds and the landmark rates of one Kaplan–Meier curve."""
    for fkey, column, kind, decimals in (
        ("median", "median", "median", 2),
        ("ci95_low", "ci_lower", "ci", 2),
        ("ci95_high", "ci_upper", "ci", 2),
    ):
        yield _q(
            f"{base}.{fkey}",
            f"{name} · {FIELD_LABELS[fkey]}",
            kind,
            klass,
            decimals,
            lambda r, c=column: float(row(r)[c]),
        )
    for fkey, t in RATE_TIMES.items():
        yield _q(
            f"{base}.{fkey}",
            f"{name} · {FIELD_LABELS[fkey]}",
            "rate",
            klass,
            1,
            lambda r, t=t: float(row(r)[f"rate_{t}"]),
        )


def _comparison_fields(
    base: str, name: str, klass: str, row: Callable[[StudyResults], pd.Series]
) -> Iterator[Quantity]:
    """HR with its CI, the log-rank p and whether it is significant, for one comparison."""
    for fkey, column, kind in (
        ("hr", "hr", "hr"),
        ("hr_ci95_low", "hr_ci_lower", "hr_ci"),
        ("hr_ci95_high", "hr_ci_upper", "hr_ci"),
    ):
        yield _q(
            f"{base}.{fkey}", f"{name} · {FIELD_LABELS[fkey]}", kind, klass, 2, lambda r, c=column: float(row(r)[c])
        )
    yield _q(f"{base}.p", f"{name} · {FIELD_LABELS['p']}", "p", klass, 3, lambda r: float(row(r)["logrank_p"]))
    yield _q(
        f"{base}.significant",
        f"{name} · {FIELD_LABELS['significant']}",
        "flag",
        klass,
        None,
        lambda r: bool(row(r)["logrank_p"] < ALPHA),
    )


def _efficacy() -> Iterator[Quantity]:
    whole = {
        "n": ("patients", "count", 0, lambda r: int(r.whole("before_psm")["n"])),
        "median_follow_up_months": (
            "median follow-up (months)",
            "median",
            1,
            lambda r: float(r.whole("before_psm")["median_follow_up"]),
        ),
        "median_pfs_months": ("median PFS (months)", "median", 2, lambda r: float(r.whole("before_psm")["median_pfs"])),
        "median_os_months": ("median OS (months)", "median", 2, lambda r: float(r.whole("before_psm")["median_os"])),
    }
    for key, (label, kind, decimals, get) in whole.items():
        klass = "exact" if kind == "count" else "main"
        yield _q(
            f"efficacy.whole_population_before_psm.{key}",
            f"Section 3.3 · all patients · {label}",
            kind,
            klass,
            decimals,
            get,
        )
    yield _q(
        "efficacy.after_psm.n",
        "Section 3.3 · after PSM · patients",
        "count",
        "secondary",
        None,
        lambda r: len(r.matched),
    )
    for pop in POPULATIONS:
        klass, where = _klass(pop, "main"), _where(pop)
        for endpoint in ENDPOINTS:
            yield _q(
                f"efficacy.{pop}.overall_median_{endpoint}_months",
                f"Section 3.3 · {where} · all patients · median {ENDPOINT_SHORT[endpoint]} (months)",
                "median",
                klass,
                2,
                lambda r, pop=pop, e=endpoint: float(r.whole(pop)[f"median_{e}"]),
            )
            figure = f"Figure {FIGURE_1[(pop, endpoint)]} · {ENDPOINT_SHORT[endpoint]} {where}"
            for group, gkey in GROUP_KEYS.items():
                yield from _survival_fields(
                    f"efficacy.{pop}.{endpoint}.{gkey}",
                    f"{figure} · {group}",
                    klass,
                    lambda r, pop=pop, e=endpoint, g=group: r.survival(pop, e, g),
                )
            yield from _comparison_fields(
                f"efficacy.{pop}.{endpoint}",
                figure,
                klass,
                lambda r, pop=pop, e=endpoint: r.survival(pop, e).iloc[0],
            )


def _strata() -> Iterator[Quantity]:
    for var, (head, levels) in STRATUM_KEYS.items():
        if var == "first_line_pfs_ge6":
            yield _q(
                f"{head}.threshold_months",
                "Figure 3 · 1L-PFS cut-off (months)",
                "setting",
                "exact",
                0,
                lambda r: C.FIRST_LINE_PFS_CUTOFF,
            )
        for endpoint in ENDPOINTS:
            figure = f"Figure {FIGURE_3[(var, endpoint)]} · {ENDPOINT_SHORT[endpoint]} within 2L-ICIs"
            for level, lkey in levels.items():
                yield from _survival_fields(
                    f"{head}.{endpoint}.{lkey}",
                    f"{figure} · {STRATUM_LABELS[var][level]}",
                    "secondary",
                    lambda r, v=var, e=endpoint, lv=level: r.strata(v, e, lv),
                )
            yield _q(
                f"{head}.{endpoint}.p",
                f"{figure} · {FIELD_LABELS['p']}",
                "p",
                "secondary",
                3,
                lambda r, v=var, e=endpoint: float(r.strata(v, e).iloc[0]["logrank_p"]),
            )


COX_FIELDS = {
    "hr": ("estimate", "hr", "HR"),
    "ci_low": ("ci_lower", "hr_ci", "95% CI lower"),
    "ci_high": ("ci_upper", "hr_ci", "95% CI upper"),
    "p": ("p_value", "p", "p"),
}


def _cox() -> Iterator[Quantity]:
    for endpoint, table in COX_TABLES.items():
        number = "4" if endpoint == "pfs" else "5"
        for var, (char, _) in TABLE1_KEYS.items():
            for model, prefix in (("univariate", "uni"), ("multivariate", "multi")):
                for fkey, (column, kind, shown) in COX_FIELDS.items():
                    yield _q(
                        f"{table}.rows.{char}.{model}.{fkey}",
                        f"Table {number} · {exposure_label(var)} · {model} · {shown}",
                        kind,
                        "cox",
                        3,
                        lambda r, e=endpoint, v=var, col=f"{prefix}_{column}": float(
                            r.cox(e).set_index("covariate").loc[v, col]
                        ),
                    )


def _response() -> Iterator[Quantity]:
    yield _q(
        "table2_response.whole_cohort_before_psm.n",
        "Table 2 · all patients · n",
        "count",
        "exact",
        None,
        lambda r: len(r.cohort),
    )
    for row in ("orr", "dcr"):

        def pooled(r, row=row):
            frame = r.response("before_psm").set_index("row")
            return 100 * sum(int(frame.loc[row, f"n_{g}"]) for g in C.GROUPS) / len(r.cohort)

        yield _q(
            f"table2_response.whole_cohort_before_psm.{row}_pct",
            f"Section 3.4 · all patients · {row.upper()} (%)",
            "pct",
            "exact",
            1,
            pooled,
        )
    labels = {key: label for key, label, _ in RESPONSE_ROWS}
    for pop in POPULATIONS:
        klass, where = _klass(pop), _where(pop)
        for row in ("orr", "dcr"):
            yield _q(
                f"table2_response.{pop}.p_{row}",
                f"Table 2 · {row.upper()} · {where} · p",
                "p",
                klass,
                3,
                lambda r, pop=pop, row=row: float(r.response(pop).set_index("row").loc[row, "p_value"]),
            )
        for group, gkey in GROUP_KEYS.items():
            yield _q(
                f"table2_response.{pop}.{gkey}.n_total",
                f"Table 2 · {where} · {group} · patients",
                "count",
                klass,
                None,
                lambda r, pop=pop, g=group: int(r.response(pop)[f"total_{g}"].iloc[0]),
            )
            for row, label in labels.items():
                name = f"Table 2 · {label} · {where} · {group}"

                def cell(r, column, pop=pop, row=row, g=group):
                    return r.response(pop).set_index("row").loc[row, f"{column}_{g}"]

                yield _q(
                    f"table2_response.{pop}.{gkey}.{row}.n",
                    f"{name} · n",
                    "count",
                    klass,
                    None,
                    lambda r, c=cell: int(c(r, "n")),
                )
                yield _q(
                    f"table2_response.{pop}.{gkey}.{row}.pct",
                    f"{name} · %",
                    "pct",
                    klass,
                    1,
                    lambda r, c=cell: float(c(r, "pct")),
                )


def _safety() -> Iterator[Quantity]:
    for group, gkey in GROUP_KEYS.items():
        yield _q(
            f"table3_safety.n.{gkey}",
            f"Table 3 · {group} · patients",
            "count",
            "exact",
            None,
            lambda r, g=group: int(r.safety()[f"total_{g}"].iloc[0]),
        )
    for row, label, *_ in SAFETY_ROWS:
        yield _q(
            f"table3_safety.rows.{row}.p",
            f"Table 3 · {label} · p",
            "p",
            "exact",
            3,
            lambda r, row=row: float(r.safety().set_index("row").loc[row, "p_value"]),
        )
        for group, gkey in GROUP_KEYS.items():

            def cell(r, column, row=row, g=group):
                return r.safety().set_index("row").loc[row, f"{column}_{g}"]

            name = f"Table 3 · {label} · {group}"
            yield _q(
                f"table3_safety.rows.{row}.{gkey}.n",
                f"{name} · n",
                "count",
                "exact",
                None,
                lambda r, c=cell: int(c(r, "n")),
            )
            yield _q(
                f"table3_safety.rows.{row}.{gkey}.pct",
                f"{name} · %",
                "pct",
                "exact",
                1,
                lambda r, c=cell: float(c(r, "pct")),
            )


def _subgroups() -> Iterator[Quantity]:
    fields = {
        "hr": ("estimate", "hr", 2, "HR"),
        "ci95_low": ("ci_lower", "hr_ci", 2, "95% CI lower"),
        "ci95_high": ("ci_upper", "hr_ci", 2, "95% CI upper"),
        "p": ("p_value", "p", 3, "p"),
    }
    for name, (var, level) in SUBGROUP_KEYS.items():
        for fkey, (column, kind, decimals, shown) in fields.items():

            def get(r, var=var, level=level, column=column):
                frame = r.subgroups("os")
                return float(frame[(frame["variable"] == var) & (frame["level"] == level)][column].iloc[0])

            yield _q(
                f"subgroups.os.significant_subgroups.{name}.{fkey}",
                f"Figure 2B · OS · {TABLE1_LABELS[var][0]}: {level_label(var, level)} · {shown}",
                kind,
                "secondary",
                decimals,
                get,
            )


# Numbers printed twice: the abstract and the discussion repeat results (key -> the key they repeat).
ALIASES = {
    "abstract_key_results.n_total": "cohort.n_total",
    "abstract_key_results.n_icis": "cohort.before_psm.icis",
    "abstract_key_results.n_non_icis": "cohort.before_psm.non_icis",
    "abstract_key_results.median_pfs_before_psm.icis": "efficacy.before_psm.pfs.icis.median",
    "abstract_key_results.median_pfs_before_psm.non_icis": "efficacy.before_psm.pfs.non_icis.median",
    "abstract_key_results.median_pfs_before_psm.p": "efficacy.before_psm.pfs.p",
    "abstract_key_results.median_pfs_after_psm.icis": "efficacy.after_psm.pfs.icis.median",
    "abstract_key_results.median_pfs_after_psm.non_icis": "efficacy.after_psm.pfs.non_icis.median",
    "abstract_key_results.median_pfs_after_psm.p": "efficacy.after_psm.pfs.p",
    "abstract_key_results.orr_pct.icis": "table2_response.before_psm.icis.orr.pct",
    "abstract_key_results.orr_pct.non_icis": "table2_response.before_psm.non_icis.orr.pct",
    "abstract_key_results.orr_pct.p": "table2_response.before_psm.p_orr",
    "abstract_key_results.dcr_pct.icis": "table2_response.before_psm.icis.dcr.pct",
    "abstract_key_results.dcr_pct.non_icis": "table2_response.before_psm.non_icis.dcr.pct",
    "abstract_key_results.dcr_pct.p": "table2_response.before_psm.p_dcr",
    "abstract_key_results.g3_rash_icis_n": "table3_safety.rows.g3_rash.icis.n",
    "discussion_statements.icis_median_cycles": "treatment.icis_group.cycles.median",
}
for _stat, (_endpoint, _field) in {
    "median_pfs": ("pfs", "median"),
    "median_os": ("os", "median"),
    "rate_1_year_pfs_pct": ("pfs", "rate_1_year_pct"),
    "rate_2_year_os_pct": ("os", "rate_2_year_pct"),
}.items():
    for _side, _level in (("with", "with_liver_mets"), ("without", "without_liver_mets")):
        ALIASES[f"discussion_statements.liver_mets_comparison_restated.{_stat}.{_side}"] = (
            f"liver_mets.{_endpoint}.{_level}.{_field}"
        )


def _repeats(base: dict[str, Quantity]) -> Iterator[Quantity]:
    for key, target in ALIASES.items():
        where = "Abstract" if key.startswith("abstract") else "Discussion"
        q = base[target]
        yield Quantity(
            key,
            f"{where} · {q.label}",
            q.kind,
            q.klass,
            q.decimals,
            q.get,
            q.note,
            UNATTAINABLE.get(key, q.unattainable),
        )
    yield _q(
        "discussion_statements.absolute_pfs_difference_months",
        "Discussion · PFS gain with 2L-ICIs (difference of medians, months)",
        "median",
        "secondary",
        1,
        lambda r: float(
            r.survival("after_psm", "pfs", C.GROUP_ICI)["median"]
            - r.survival("after_psm", "pfs", C.GROUP_NON_ICI)["median"]
        ),
        "the paper's figure matches the after-PSM difference",
    )


def _rows(frame: pd.DataFrame, **where) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    return frame[mask]


@lru_cache(maxsize=1)
def registry() -> dict[str, Quantity]:
    """Every published quantity about the study's patients, by key (in the order of the published file)."""
    made: dict[str, Quantity] = {}
    for section in (_table1, _cohort, _treatment, _efficacy, _strata, _cox, _response, _safety, _subgroups):
        for q in section():
            made[q.key] = q
    for q in _repeats(dict(made)):
        made[q.key] = q
    # the sections generate every combination; keep those the paper printed
    return {key: made[key] for key in published_keys() if key in made}


def quantity(key: str) -> Quantity:
    """The registry entry of a published key; KeyError names the key."""
    try:
        return registry()[key]
    except KeyError:
        raise KeyError(f"no published quantity '{key}' in the registry") from None


def reproduced(key: str, results: StudyResults, *, printed: bool = False) -> Any:
    """The value our analysis gives for a published key (rounded as the paper prints it if ``printed``)."""
    q = quantity(key)
    return q.printed(results) if printed else q.reproduce(results)
