"""Figures 1 and 3: Kaplan–Meier summaries, log-rank tests and Cox HRs of PFS and OS.

Compute only. :func:`compare_survival` compares the levels of one column;
:func:`efficacy` runs it for both endpoints in each population (Figure 1) and
:func:`strata` within 2L-ICIs by the Figure 3 characteristics.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..stats.cox import fit_cox
from ..stats.survival import KMResult, fit_km, logrank, median_follow_up, median_survival, survival_at_times
from . import cohort as C
from .design import ENDPOINTS, LANDMARKS, STRATA, columns


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


def km_summary(km: KMResult, landmarks=LANDMARKS) -> dict:
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
    landmarks=LANDMARKS,
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


def efficacy(pops: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, dict]:
    """Figure 1: PFS and OS by group in each population; the tidy rows and the comparisons."""
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
