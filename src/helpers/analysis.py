"""The original study's analyses, one function per table or figure.

Each function takes the validated cohort (or a subset) and returns tidy
DataFrames; ``run_all`` runs them all for ``python -m helpers analyze`` and
the notebooks call the same functions, so every number is computed once, one
way. Compute only: formatting lives in :mod:`helpers.tables`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import cohort as C
from .contingency import compare_groups, compare_proportions
from .cox import fit_cox
from .survival import KMResult, fit_km, logrank, median_follow_up, median_survival, survival_at_times

ENDPOINTS = ("pfs", "os")
LANDMARKS = {"pfs": (6.0, 12.0), "os": (12.0, 24.0)}
ENDPOINT_LABELS = {"pfs": "Progression-free survival", "os": "Overall survival"}


def columns(endpoint: str) -> tuple[str, str]:
    """Duration and event column of an endpoint ("pfs" or "os")."""
    if endpoint not in ENDPOINTS:
        raise ValueError(f"endpoint must be one of {ENDPOINTS}, got {endpoint!r}")
    return f"{endpoint}_months", f"{endpoint}_event"


@dataclass(frozen=True)
class SurvivalComparison:
    """Kaplan–Meier summaries of two (or more) groups and their comparison.

    ``groups``: one row per level of ``by`` with ``n, events, median`` and its
    symmetric (``ci_lower, ci_upper``) and log-log (``loglog_lower,
    loglog_upper``) intervals, and ``rate_<t>`` landmark survival in percent
    with Greenwood limits. ``hr`` etc. compare ``exposure`` with the other
    level by a Cox model; ``logrank_p`` is the log-rank test.
    """

    endpoint: str
    by: str
    exposure: object
    groups: pd.DataFrame
    hr: float
    hr_ci_lower: float
    hr_ci_upper: float
    hr_p: float
    logrank_p: float
    kms: dict = field(repr=False, compare=False, default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        return self.groups.assign(
            endpoint=self.endpoint,
            hr=self.hr,
            hr_ci_lower=self.hr_ci_lower,
            hr_ci_upper=self.hr_ci_upper,
            hr_p=self.hr_p,
            logrank_p=self.logrank_p,
        )


def km_summary(km: KMResult, landmarks=(6.0, 12.0, 24.0)) -> dict:
    """Median (both CI styles) and landmark rates of one curve, as a flat dict."""
    sym = median_survival(km, style="symmetric")
    loglog = median_survival(km, style="loglog")
    row = {
        "n": km.n,
        "events": km.events,
        "median": sym.estimate,
        "ci_lower": sym.ci_lower,
        "ci_upper": sym.ci_upper,
        "loglog_lower": loglog.ci_lower,
        "loglog_upper": loglog.ci_upper,
    }
    rates = survival_at_times(km, landmarks)
    for _, r in rates.iterrows():
        t = f"{r['time']:g}"
        row[f"rate_{t}"] = 100 * r["estimate"]
        row[f"rate_{t}_lower"] = 100 * r["ci_lower"]
        row[f"rate_{t}_upper"] = 100 * r["ci_upper"]
    return row


def compare_survival(
    data: pd.DataFrame,
    endpoint: str,
    by: str = "group",
    *,
    exposure=C.GROUP_ICI,
    landmarks=(6.0, 12.0, 24.0),
    ties: str = "breslow",
    alpha: float = 0.05,
) -> SurvivalComparison:
    """Kaplan–Meier curves by ``by``, log-rank test and Cox HR of ``exposure`` vs the rest.

    Notes
    -----
    Medians use the first time with S(t) <= 0.5; the ``ci_*`` columns are the
    symmetric SE-based interval the original study printed, ``loglog_*`` the
    Brookmeyer–Crowley interval. The HR is from a Cox model with Breslow ties
    (SPSS) and a Wald interval; the p-value printed beside Kaplan–Meier curves
    is the log-rank test.
    """
    duration, event = columns(endpoint)
    levels = [exposure] + [lv for lv in pd.unique(data[by]) if lv != exposure]
    rows, kms = [], {}
    for level in levels:
        sub = data[data[by] == level]
        if sub.empty:
            continue
        km = fit_km(sub[duration], sub[event], alpha=alpha, label=str(level))
        kms[level] = km
        rows.append({by: level, **km_summary(km, landmarks)})
    indicator = (data[by] == exposure).astype(int).rename("_exposed")
    cox = fit_cox(data.assign(_exposed=indicator), duration, event, ["_exposed"], ties=ties, alpha=alpha)
    hr = cox.summary.iloc[0]
    lr = logrank(data[duration], data[event], data[by])
    return SurvivalComparison(
        endpoint=endpoint,
        by=by,
        exposure=exposure,
        groups=pd.DataFrame(rows),
        hr=float(hr["estimate"]),
        hr_ci_lower=float(hr["ci_lower"]),
        hr_ci_upper=float(hr["ci_upper"]),
        hr_p=float(hr["p_value"]),
        logrank_p=lr.p_value,
        kms=kms,
    )


def whole_population(data: pd.DataFrame) -> dict:
    """Medians of PFS and OS in all patients and median follow-up (reverse Kaplan–Meier)."""
    out = {"n": len(data)}
    for endpoint in ENDPOINTS:
        duration, event = columns(endpoint)
        out[f"median_{endpoint}"] = fit_km(data[duration], data[event]).median()
    out["median_follow_up"] = median_follow_up(data["os_months"], data["os_event"]).estimate
    return out


# --- Tables 1-3: counts by group with the paper's tests ----------------------------

RESPONSE_ROWS = (
    # (row key, label, best responses counted)
    ("cr", "CR", ("CR",)),
    ("pr", "PR", ("PR",)),
    ("sd", "SD", ("SD",)),
    ("pd", "PD", ("PD",)),
    ("orr", "ORR", ("CR", "PR")),
    ("dcr", "DCR", ("CR", "PR", "SD")),
)
TESTED_RESPONSE_ROWS = ("orr", "dcr")  # the paper tests only these

SAFETY_ROWS = (
    # (row key, label, column, worst grades counted)
    ("hematologic_toxicities", "Hematologic toxicities", "ae_hematologic", (1, 2, 3, 4, 5)),
    ("g34_hematologic_toxicities", "G3/4 hematologic toxicities", "ae_hematologic", (3, 4)),
    ("gastrointestinal_toxicities", "Gastrointestinal toxicities", "ae_gastrointestinal", (1, 2, 3, 4, 5)),
    ("g34_gastrointestinal_toxicities", "G3/4 gastrointestinal toxicities", "ae_gastrointestinal", (3, 4)),
    ("hepatic_toxicities", "Hepatic toxicities", "ae_hepatic", (1, 2, 3, 4, 5)),
    ("g34_elevated_alt_ast", "G3/4 elevated ALT/AST", "ae_hepatic", (3, 4)),
    ("hypothyroidism", "Hypothyroidism", "ae_hypothyroidism", (1, 2, 3, 4, 5)),
    ("rash", "Rash", "ae_rash", (1, 2, 3, 4, 5)),
    ("g3_rash", "G3 rash", "ae_rash", (3,)),
    ("pneumonitis", "Pneumonitis", "ae_pneumonitis", (1, 2, 3, 4, 5)),
    ("diarrhea", "Diarrhea", "ae_diarrhea", (1, 2, 3, 4, 5)),
    ("adrenal_insufficiency", "Adrenal insufficiency", "ae_adrenal_insufficiency", (1, 2, 3, 4, 5)),
)


def _count_rows(data: pd.DataFrame, indicators: dict[str, pd.Series], by: str, groups, tested) -> pd.DataFrame:
    """Counts and percentages of 0/1 indicators per group, with a test for each tested row."""
    rows = []
    for key, flag in indicators.items():
        row = {"row": key}
        for g in groups:
            mask = data[by] == g
            row[f"n_{g}"] = int(flag[mask].sum())
            row[f"total_{g}"] = int(mask.sum())
            row[f"pct_{g}"] = 100.0 * row[f"n_{g}"] / row[f"total_{g}"] if row[f"total_{g}"] else np.nan
        if key in tested:
            table = np.array([[row[f"n_{g}"] for g in groups], [row[f"total_{g}"] - row[f"n_{g}"] for g in groups]])
            try:
                res = compare_proportions(table)
                row.update(test=res.test, p_value=res.p_value)
            except ValueError:  # e.g. no patient with the event in either group
                row.update(test="not testable", p_value=np.nan)
        else:
            row.update(test="", p_value=np.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def baseline_table(
    data: pd.DataFrame, variables=C.TABLE1_VARIABLES, by: str = "group", groups=C.GROUPS
) -> pd.DataFrame:
    """Table 1: n and % per group for both levels of each characteristic, and the test.

    Returns one row per (variable, level) with ``characteristic, level_label,
    n_<group>, pct_<group>, total_<group>, test, p_value``; the p-value (Pearson
    without correction, or Fisher when an expected count < 5) is repeated on
    both levels of a characteristic.
    """
    data = data if set(variables) <= set(data.columns) else C.derive_categories(data)
    frames = []
    for var in variables:
        characteristic, first, second = C.TABLE1_LABELS.get(var, (var, "1", "0"))
        indicators = {f"{var}=1": data[var] == 1, f"{var}=0": data[var] == 0}
        part = _count_rows(data, indicators, by, groups, tested=())
        res = compare_groups(data, var, group_col=by)
        part = part.assign(
            variable=var,
            level=[1, 0],
            characteristic=characteristic,
            level_label=[first, second],
            test=res.test,
            p_value=res.p_value,
        )
        frames.append(part)
    out = pd.concat(frames, ignore_index=True)
    first_cols = ["variable", "level", "characteristic", "level_label"]
    return out[first_cols + [c for c in out.columns if c not in first_cols and c != "row"]]


def response_table(data: pd.DataFrame, by: str = "group", groups=C.GROUPS) -> pd.DataFrame:
    """Table 2: best overall response per group; ORR and DCR compared between groups."""
    indicators = {key: data["best_response"].isin(codes) for key, _, codes in RESPONSE_ROWS}
    out = _count_rows(data, indicators, by, groups, tested=TESTED_RESPONSE_ROWS)
    out.insert(1, "label", [label for _, label, _ in RESPONSE_ROWS])
    return out


def safety_table(data: pd.DataFrame, by: str = "group", groups=C.GROUPS) -> pd.DataFrame:
    """Table 3: patients with each treatment-related adverse event (by worst grade), and the test."""
    indicators = {key: data[column].isin(grades) for key, _, column, grades in SAFETY_ROWS}
    out = _count_rows(data, indicators, by, groups, tested=[key for key, *_ in SAFETY_ROWS])
    out.insert(1, "label", [label for _, label, _, _ in SAFETY_ROWS])
    return out
