"""Which analysis choices reproduce the paper: the same data under alternative conventions.

Each function returns a tidy DataFrame, one row per (quantity, choice). Compute
only; the fidelity chapter shows them side by side.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..printed import round_half_up
from ..stats.contingency import METHODS as CONTINGENCY_METHODS
from ..stats.contingency import compare_proportions
from ..stats.cox import fit_cox
from ..stats.survival import fit_km, median_survival
from ..study import cohort as C
from ..study.design import ENDPOINTS, columns
from ..study.efficacy import compare_survival
from ..study.propensity import match_study
from .published import GROUP_KEYS, load_published, published


def printed_tables() -> list[tuple[str, object, np.ndarray]]:
    """Every 2x2 table behind a categorical p-value the paper prints: (key, printed p, table).

    Rows of each table are "with" / "without", columns 2L-ICIs / 2L-non-ICIs,
    all from the paper's own counts.
    """
    tree = load_published()
    out = []
    for char, spec in tree["table1"]["characteristics"].items():
        first = next(iter(spec["levels"].values()))
        for pop in ("before_psm", "after_psm"):
            n = [published(f"table1.n.{pop}.{g}") for g in ("icis", "non_icis")]
            yes = [first[pop][g]["n"] for g in ("icis", "non_icis")]
            table = np.array([yes, [n[0] - yes[0], n[1] - yes[1]]])
            out.append((f"table1.characteristics.{char}.p_{pop}", spec[f"p_{pop}"], table))
    for pop in ("before_psm", "after_psm"):
        totals = [published(f"table2_response.{pop}.{g}.n_total") for g in ("icis", "non_icis")]
        for row in ("orr", "dcr"):
            yes = [published(f"table2_response.{pop}.{g}.{row}.n") for g in ("icis", "non_icis")]
            table = np.array([yes, [totals[0] - yes[0], totals[1] - yes[1]]])
            out.append((f"table2_response.{pop}.p_{row}", published(f"table2_response.{pop}.p_{row}"), table))
    totals = [published(f"table3_safety.n.{g}") for g in ("icis", "non_icis")]
    for row, spec in tree["table3_safety"]["rows"].items():
        yes = [spec[g]["n"] for g in ("icis", "non_icis")]
        table = np.array([yes, [totals[0] - yes[0], totals[1] - yes[1]]])
        out.append((f"table3_safety.rows.{row}.p", spec["p"], table))
    return out


def _matches(printed, p: float) -> bool:
    if isinstance(printed, str):
        return p < 0.001
    return round_half_up(p, 3) == float(printed)


def contingency_conventions() -> pd.DataFrame:
    """Each printed categorical p-value recomputed by Pearson, Yates, Fisher and the auto rule."""
    rows = []
    for key, printed, table in printed_tables():
        row = {"key": key, "printed": printed}
        for method in CONTINGENCY_METHODS:
            p = compare_proportions(table, method=method).p_value
            row[method] = p
            row[f"{method}_matches"] = _matches(printed, p)
        rows.append(row)
    return pd.DataFrame(rows)


TABLE_NAMES = {"table1": "Table 1", "table2_response": "Table 2", "table3_safety": "Table 3"}


def contingency_agreement(conventions: pd.DataFrame | None = None) -> pd.DataFrame:
    """How many printed p-values each method reproduces, per table and for all tables together.

    Rows: Table 1, Table 2, Table 3 and 'All tables'; columns: one count per
    method of :data:`helpers.stats.contingency.METHODS` and ``printed`` (the
    number of printed p-values).
    """
    conventions = contingency_conventions() if conventions is None else conventions
    table = conventions["key"].str.split(".").str[0].map(TABLE_NAMES)
    matches = conventions[[f"{m}_matches" for m in CONTINGENCY_METHODS]].rename(
        columns=lambda c: c.removesuffix("_matches")
    )
    counts = matches.groupby(table).sum().astype(int)
    counts["printed"] = table.value_counts().reindex(counts.index).astype(int)
    counts.loc["All tables"] = counts.sum()
    return counts.rename_axis(index=None)


def median_ci_styles(data: pd.DataFrame) -> pd.DataFrame:
    """Before-PSM medians: the symmetric and log-log 95% CIs beside the printed ones."""
    rows = []
    for endpoint in ENDPOINTS:
        duration, event = columns(endpoint)
        for group, key in GROUP_KEYS.items():
            sub = data[data["group"] == group]
            km = fit_km(sub[duration], sub[event])
            base = f"efficacy.before_psm.{endpoint}.{key}"
            for style in ("symmetric", "loglog"):
                res = median_survival(km, style=style)
                rows.append(
                    {
                        "endpoint": endpoint,
                        "group": group,
                        "style": style,
                        "median": res.estimate,
                        "ci_lower": res.ci_lower,
                        "ci_upper": res.ci_upper,
                        "printed_lower": published(f"{base}.ci95_low"),
                        "printed_upper": published(f"{base}.ci95_high"),
                        "symmetric_shape": abs((res.ci_lower + res.ci_upper) / 2 - res.estimate) < 0.01,
                    }
                )
    return pd.DataFrame(rows)


def tie_methods(data: pd.DataFrame) -> pd.DataFrame:
    """Treatment HRs (before PSM) and the Tables 4-5 models under Breslow and Efron ties."""
    rows = []
    ici = data[data["group"] == C.GROUP_ICI]
    for endpoint in ENDPOINTS:
        duration, event = columns(endpoint)
        for model, frame, covs in (
            ("treatment (all patients)", data, [C.TREATED]),
            ("liver metastases (2L-ICIs)", ici, ["liver_met"]),
        ):
            row = {"endpoint": endpoint, "model": model}
            for ties in ("breslow", "efron"):
                res = fit_cox(frame, duration, event, covs, ties=ties).summary.iloc[0]
                row[f"hr_{ties}"] = res["estimate"]
                row[f"p_{ties}"] = res["p_value"]
            rows.append(row | tie_counts(frame[duration], frame[event]))
    return pd.DataFrame(rows)


def tie_counts(durations, events) -> dict:
    """How tied the event times are: events, distinct event times, events sharing their time, the largest tie."""
    times = pd.Series(np.asarray(durations, dtype=float)[np.asarray(events) == 1])
    sizes = times.value_counts()
    return {
        "events": len(times),
        "distinct_event_times": len(sizes),
        "tied_event_times": int(sizes[sizes > 1].sum()),
        "largest_tie": int(sizes.max()) if len(sizes) else 0,
    }


MATCHING_CHOICES = (
    ("probability", 0.02, "largest", None),
    ("probability", 0.02, "smallest", None),
    ("probability", 0.02, "data", None),
    ("probability", 0.02, "random", 1),
    ("probability", 0.02, "random", 2),
    ("logit_sd", 0.2, "largest", None),
)


def matching_choices(data: pd.DataFrame) -> pd.DataFrame:
    """Pairs formed and after-PSM HRs under each matching order and caliper scale."""
    rows = []
    for scale, caliper, order, seed in MATCHING_CHOICES:
        psm = match_study(data, caliper=caliper, caliper_scale=scale, order=order, seed=seed)
        row = {
            "caliper": f"{caliper:g} ({'SD of logit' if scale == 'logit_sd' else 'probability'})",
            "order": order if seed is None else f"{order} (seed {seed})",
            "pairs": int(psm.match.n_pairs),
            "max_abs_smd_after": float(psm.balance["abs_smd_after"].max()),
        }
        for endpoint in ENDPOINTS:
            comp = compare_survival(psm.cohort, endpoint)
            row[f"{endpoint}_hr"] = comp.hr
            row[f"{endpoint}_logrank_p"] = comp.logrank_p
        rows.append(row)
    return pd.DataFrame(rows)
