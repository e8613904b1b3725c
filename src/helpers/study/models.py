"""Tables 4–5 and Figure 2: Cox models within 2L-ICIs, PH checks and subgroup hazard ratios.

Compute only: every model uses the statistics layer
(:mod:`helpers.stats.cox`) with the study's settings from :mod:`.design`.
"""

from __future__ import annotations

import pandas as pd

from ..stats.cox import cox_table, fit_cox, proportional_hazards_test, subgroup_effects
from . import cohort as C
from .design import ALPHA, COX_ENTRY_P, COX_TABLES, ENDPOINTS, characteristic, columns, level_label


def cox_tables(ici: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Tables 4-5 and the proportional-hazards checks of every model fitted for them."""
    out, ph = {}, []
    for endpoint, name in COX_TABLES.items():
        duration, event = columns(endpoint)
        table = cox_table(ici, duration, event, C.TABLE1_VARIABLES, entry_p=COX_ENTRY_P)
        out[name] = table
        selected = table.loc[table["in_multivariable"], "covariate"].tolist()
        models = {f"univariate {v}": [v] for v in C.TABLE1_VARIABLES}
        if selected:
            models["multivariable"] = selected
        for model, covs in models.items():
            test = proportional_hazards_test(fit_cox(ici, duration, event, covs))
            ph.append(test.to_frame().assign(endpoint=endpoint, model=model))
    out["ph_tests"] = pd.concat(ph, ignore_index=True)[["endpoint", "model", "covariate", "statistic", "df", "p_value"]]
    return out


def treatment_ph_tests(pops: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Proportional-hazards checks of the treatment models behind Figure 1 (before and after PSM)."""
    rows = []
    for pop, data in pops.items():
        for endpoint in ENDPOINTS:
            duration, event = columns(endpoint)
            test = proportional_hazards_test(fit_cox(data, duration, event, [C.TREATED]))
            rows.append(test.to_frame().assign(population=pop, endpoint=endpoint))
    return pd.concat(rows, ignore_index=True)[["population", "endpoint", "covariate", "statistic", "df", "p_value"]]


def subgroups(data: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Figure 2: treatment HR within each level of each Table 1 characteristic."""
    out = {}
    for endpoint in ENDPOINTS:
        duration, event = columns(endpoint)
        frame = subgroup_effects(data, duration, event, C.TREATED, C.TABLE1_VARIABLES)
        frame.insert(1, "characteristic", frame["variable"].map(characteristic))
        frame.insert(
            3,
            "level_label",
            [level_label(v, lv) for v, lv in zip(frame["variable"], frame["level"], strict=True)],
        )
        out[f"subgroups_{endpoint}"] = frame
    return out


# --- summaries the chapters quote ----------------------------------------------------


def ph_summary(ph: pd.DataFrame, alpha: float = ALPHA) -> dict:
    """The proportional-hazards checks of Tables 4–5 in a few numbers.

    ``ph`` is the ``ph_tests`` table (one row per model and covariate, plus a
    GLOBAL row per model). Returns the number of models and of per-covariate
    tests, the tests with p below ``alpha`` (a frame), and the global p-value
    of each endpoint's multivariable model.
    """
    per_covariate = ph[ph["covariate"] != "GLOBAL"]
    multi = ph[(ph["model"] == "multivariable") & (ph["covariate"] == "GLOBAL")]
    return {
        "n_models": int(ph.groupby(["endpoint", "model"]).ngroups),
        "n_tests": len(per_covariate),
        "flagged": per_covariate[per_covariate["p_value"] < alpha].reset_index(drop=True),
        "global_p": {e: float(p) for e, p in zip(multi["endpoint"], multi["p_value"], strict=True)},
    }


def subgroup_summary(frame: pd.DataFrame, alpha: float = ALPHA) -> dict:
    """Figure 2 in a few numbers: subgroups, HRs below one, p below ``alpha``, interactions below ``alpha``.

    ``frame`` is a ``subgroups_<endpoint>`` table (one row per level, the
    interaction p-value repeated on both levels of a characteristic).
    ``expected_by_chance`` is the number of subgroup p-values expected below
    ``alpha`` if the treatment did nothing anywhere.
    """
    interactions = frame.drop_duplicates("variable")
    return {
        "n_subgroups": len(frame),
        "n_characteristics": len(interactions),
        "n_below_one": int((frame["estimate"] < 1).sum()),
        "n_significant": int((frame["p_value"] < alpha).sum()),
        "significant": frame[frame["p_value"] < alpha].reset_index(drop=True),
        "n_interaction_significant": int((interactions["p_interaction"] < alpha).sum()),
        "expected_by_chance": len(frame) * alpha,
    }
