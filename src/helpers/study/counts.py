"""Tables 1–3: patients per group with each characteristic, response or adverse event, and the test.

Compute only: counts, percentages and p-values, unrounded; formatting lives in
:mod:`helpers.report.tables`. The test is the original study's rule (Pearson's
chi-square without correction, Fisher's exact test when an expected count is
below 5; :func:`helpers.stats.contingency.compare_proportions`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..stats.contingency import compare_groups, compare_proportions
from ..stats.errors import StatsError
from . import cohort as C
from .design import ALPHA, RESPONSE_ROWS, SAFETY_ROWS, TABLE1_LABELS, TESTED_RESPONSE_ROWS


def count_table(data: pd.DataFrame, indicators: dict[str, pd.Series], by: str, groups, tested) -> pd.DataFrame:
    """Counts and percentages of 0/1 indicators per group, with a test for each tested row.

    Returns one row per indicator: ``row, n_<g>, total_<g>, pct_<g>`` for each
    group ``g``, ``test`` and ``p_value`` (empty and NaN for rows not tested,
    ``"not testable"`` when the table has an empty margin).
    """
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
            except StatsError:  # e.g. no patient with the event in either group
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
        characteristic, first, second = TABLE1_LABELS.get(var, (var, "1", "0"))
        indicators = {f"{var}=1": data[var] == 1, f"{var}=0": data[var] == 0}
        part = count_table(data, indicators, by, groups, tested=())
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
    out = count_table(data, indicators, by, groups, tested=TESTED_RESPONSE_ROWS)
    out.insert(1, "label", [label for _, label, _ in RESPONSE_ROWS])
    return out


def safety_table(data: pd.DataFrame, by: str = "group", groups=C.GROUPS) -> pd.DataFrame:
    """Table 3: patients with each treatment-related adverse event (by worst grade), and the test."""
    indicators = {key: data[column].isin(grades) for key, _, column, grades in SAFETY_ROWS}
    out = count_table(data, indicators, by, groups, tested=[key for key, *_ in SAFETY_ROWS])
    out.insert(1, "label", [label for _, label, _, _ in SAFETY_ROWS])
    return out


def two_by_two(table: pd.DataFrame, row: str, labels: tuple[str, str] | None = None, groups=C.GROUPS) -> pd.DataFrame:
    """The 2x2 table behind one tested row of Table 2 or 3: patients with and without, per group.

    ``labels`` name the two rows (default: 'Pneumonitis' and 'no pneumonitis').
    """
    r = table.set_index("row").loc[row]
    name = str(r["label"])
    first, second = labels or (name, f"no {name[0].lower() + name[1:] if name[1:2].islower() else name}")
    return pd.DataFrame(
        [[int(r[f"n_{g}"]) for g in groups], [int(r[f"total_{g}"] - r[f"n_{g}"]) for g in groups]],
        index=[first, second],
        columns=list(groups),
    )


def significant_rows(table: pd.DataFrame, alpha: float = ALPHA) -> tuple[str, ...]:
    """The rows (keys, in order) of a Table 2 or 3 whose p-value is below ``alpha``."""
    return tuple(table.loc[table["p_value"] < alpha, "row"])


def rows_absent_in(table: pd.DataFrame, group: str) -> tuple[str, ...]:
    """The rows of a Table 2 or 3 that no patient of ``group`` has (e.g. immune-related events without ICIs)."""
    return tuple(table.loc[table[f"n_{group}"] == 0, "row"])


def rows_by_test(table: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """The tested rows of a Table 2 or 3 by the test that compared them: {'pearson': (...), 'fisher': (...)}."""
    tested = table[table["test"] != ""]
    return {test: tuple(sub["row"]) for test, sub in tested.groupby("test", sort=False)}


def significant_characteristics(table1: pd.DataFrame, alpha: float = ALPHA) -> tuple[str, ...]:
    """The Table 1 characteristics (variables, in order) whose p-value is below ``alpha``."""
    rows = table1.drop_duplicates("variable")
    return tuple(rows.loc[rows["p_value"] < alpha, "variable"])


def worst_grades(data: pd.DataFrame, column: str, by: str = "group", groups=C.GROUPS) -> pd.DataFrame:
    """Patients per group (rows) by their worst grade 0-5 of one adverse event (columns; 0 = never had it)."""
    counts = pd.crosstab(data[by], data[column]).reindex(index=list(groups), columns=range(6), fill_value=0)
    return counts.rename_axis(index=None, columns=None)
