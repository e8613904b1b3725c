"""Does one draw of the structural model look like the paper? Many draws, each statistic beside the printed value.

The calibrated cohort matches the paper exactly because it is built to; a
cohort drawn from the structural model should instead resemble it *within
sampling error*: over many draws, each printed number should fall inside the
range the draws spread over. :func:`calibration_check` computes, for each draw,
the Table 1 percentages by group, the group size, the medians and landmark
rates of Figure 1A/B, the HRs before and after matching, the number of matched
pairs, the median follow-up and the multivariable HRs of Tables 4 and 5; and
:func:`summarise_check` sets their spread beside the published values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..paper.published import GROUP_KEYS, TABLE1_KEYS, published
from ..stats.cox import fit_cox
from ..stats.survival import fit_km, median_follow_up
from ..study import cohort as C
from ..study.design import columns
from ..study.propensity import match_study
from .calibration import curve_points
from .structural import StructuralParams, draw, load_params

CHECK_SEED = 20251130
MULTIVARIABLE = ("lung_met", "liver_met", "sites_ge3", "first_line_pfs_ge6")  # the paper's Tables 4-5 models
SHORT = {C.GROUP_ICI: "ICI", C.GROUP_NON_ICI: "non-ICI"}


def _rate_name(t: float) -> str:
    return {6.0: "rate_6_month_pct", 12.0: "rate_1_year_pct", 24.0: "rate_2_year_pct"}[t]


def statistics_spec() -> list[dict]:
    """Every checked statistic: name, kind (for grouping in plots), published key."""
    spec = []
    for group in C.GROUPS:
        g = GROUP_KEYS[group]
        spec.append({"statistic": f"n {SHORT[group]}", "kind": "count", "key": f"cohort.before_psm.{g}"})
        for v, (char, level) in TABLE1_KEYS.items():
            key = f"table1.characteristics.{char}.levels.{level}.before_psm.{g}.pct"
            spec.append({"statistic": f"{v} % {SHORT[group]}", "kind": "percent", "key": key})
    for endpoint in ("pfs", "os"):
        for group in C.GROUPS:
            g = GROUP_KEYS[group]
            base = f"efficacy.before_psm.{endpoint}.{g}"
            spec.append({"statistic": f"{endpoint} median {SHORT[group]}", "kind": "months", "key": f"{base}.median"})
            for t, _ in curve_points(endpoint, group)[1:]:
                spec.append(
                    {
                        "statistic": f"{endpoint} {t:g}m {SHORT[group]}",
                        "kind": "percent",
                        "key": f"{base}.{_rate_name(t)}",
                    }
                )
        for pop in ("before_psm", "after_psm"):
            spec.append({"statistic": f"{endpoint} HR {pop}", "kind": "hr", "key": f"efficacy.{pop}.{endpoint}.hr"})
    spec.append({"statistic": "matched pairs", "kind": "count", "key": "cohort.after_psm.icis"})
    spec.append({"statistic": "median follow-up", "kind": "months", "key": "cohort.median_follow_up_months"})
    for endpoint, table in (("pfs", "table4_cox_pfs"), ("os", "table5_cox_os")):
        for v in MULTIVARIABLE:
            char, _ = TABLE1_KEYS[v]
            spec.append(
                {
                    "statistic": f"{endpoint} multivariable HR {v}",
                    "kind": "hr",
                    "key": f"{table}.rows.{char}.multivariate.hr",
                }
            )
    return spec


def draw_statistics(cohort: pd.DataFrame) -> dict[str, float]:
    """The checked statistics of one cohort (NaN where one cannot be computed, e.g. a median not reached)."""
    data = C.derive_categories(cohort)
    out: dict[str, float] = {}
    for group in C.GROUPS:
        sub = data[data["group"] == group]
        out[f"n {SHORT[group]}"] = len(sub)
        for v in TABLE1_KEYS:
            out[f"{v} % {SHORT[group]}"] = 100 * float(sub[v].mean()) if len(sub) else np.nan
    match = match_study(data)
    matched = match.cohort
    out["matched pairs"] = match.match.n_pairs
    for endpoint in ("pfs", "os"):
        duration, event = columns(endpoint)
        for group in C.GROUPS:
            sub = data[data["group"] == group]
            km = fit_km(sub[duration], sub[event])
            out[f"{endpoint} median {SHORT[group]}"] = km.median()
            for t, _ in curve_points(endpoint, group)[1:]:
                out[f"{endpoint} {t:g}m {SHORT[group]}"] = 100 * km.survival_at(t)
        for pop, frame in (("before_psm", data), ("after_psm", matched)):
            out[f"{endpoint} HR {pop}"] = fit_cox(frame, duration, event, [C.TREATED]).hazard_ratio(C.TREATED)
        ici = data[data["group"] == C.GROUP_ICI]
        fit = fit_cox(ici, duration, event, list(MULTIVARIABLE))
        for v in MULTIVARIABLE:
            out[f"{endpoint} multivariable HR {v}"] = fit.hazard_ratio(v)
    out["median follow-up"] = median_follow_up(data["os_months"], data["os_event"]).estimate
    return out


def calibration_check(
    params: StructuralParams | None = None, draws: int = 200, *, n: int = 496, seed: int = CHECK_SEED
) -> pd.DataFrame:
    """One row per draw and statistic: ``draw, statistic, value``."""
    params = params or load_params()
    rows = []
    for i, child in enumerate(np.random.SeedSequence(seed).spawn(draws)):
        try:
            values = draw_statistics(draw(params, n, child).cohort)
        except Exception as err:  # recorded, not dropped: a draw the analyses cannot handle
            values = {"error": f"{type(err).__name__}: {err}"}
        rows += [{"draw": i, "statistic": k, "value": v} for k, v in values.items() if k != "error"]
        if "error" in values:
            rows.append({"draw": i, "statistic": "error", "value": np.nan})
    return pd.DataFrame(rows)


def summarise_check(values: pd.DataFrame) -> pd.DataFrame:
    """Per statistic: the published value, the draws' median and central 95% range, and whether it holds the value."""
    spec = pd.DataFrame(statistics_spec())
    rows = []
    for item in spec.itertuples(index=False):
        v = values.loc[values["statistic"] == item.statistic, "value"].dropna().to_numpy(float)
        pub = float(published(item.key))
        lo, mid, hi = np.quantile(v, [0.025, 0.5, 0.975]) if v.size else (np.nan,) * 3
        rows.append(
            {
                "statistic": item.statistic,
                "kind": item.kind,
                "published": pub,
                "median": float(mid),
                "q025": float(lo),
                "q975": float(hi),
                "draws": int(v.size),
                "inside": bool(lo <= pub <= hi),
                # where the printed value falls among the draws (0.5: in the middle)
                "percentile": float(np.mean(v < pub) + 0.5 * np.mean(v == pub)) if v.size else np.nan,
            }
        )
    return pd.DataFrame(rows)
