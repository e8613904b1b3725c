"""Balance of the original study's groups, computed from its printed Table 1.

The paper judged balance by p-values only. The standardised mean difference
(SMD) of a yes/no characteristic needs only the share of each group with it,
so it can be recomputed from the printed counts: one weighted row per group and
level, passed to :func:`helpers.stats.matching.standardized_differences`, the
same function that measures the book's own matching.
"""

from __future__ import annotations

import pandas as pd

from ..stats.matching import standardized_differences
from ..study.cohort import TABLE1_VARIABLES
from ..study.design import POPULATIONS, TREATMENT
from .published import TABLE1_KEYS, published

_FOUR_ROWS = pd.DataFrame({TREATMENT: [1, 1, 0, 0], "x": [1, 0, 1, 0]})


def smd_from_shares(treated: float, control: float) -> float:
    """The SMD (treated minus control) of a yes/no characteristic from the two groups' shares (0 to 1)."""
    return smd_from_counts(treated, 1.0 - treated, control, 1.0 - control)


def smd_from_counts(treated_yes: float, treated_no: float, control_yes: float, control_no: float) -> float:
    """The SMD (treated minus control) of a yes/no characteristic from the four cells of its 2x2 table."""
    weights = [treated_yes, treated_no, control_yes, control_no]
    return float(standardized_differences(_FOUR_ROWS, ["x"], TREATMENT, weights=weights)["smd"].iloc[0])


def published_balance() -> pd.DataFrame:
    """SMDs of the Table 1 characteristics from the original study's printed counts.

    One row per characteristic (in Table 1's order): ``covariate``, then
    ``smd_<population>`` and ``abs_smd_<population>`` for before and after
    matching, as :func:`helpers.stats.matching.balance_table` names them.
    """
    rows = []
    for var in TABLE1_VARIABLES:
        char, level = TABLE1_KEYS[var]
        row = {"covariate": var}
        for pop in POPULATIONS:
            totals = published(f"table1.n.{pop}")
            cell = published(f"table1.characteristics.{char}.levels.{level}.{pop}")
            ici, non = cell["icis"]["n"], cell["non_icis"]["n"]
            smd = smd_from_counts(ici, totals["icis"] - ici, non, totals["non_icis"] - non)
            short = pop.removesuffix("_psm")
            row[f"smd_{short}"] = smd
            row[f"abs_smd_{short}"] = abs(smd)
        rows.append(row)
    return pd.DataFrame(rows)
