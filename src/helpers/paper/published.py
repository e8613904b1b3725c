"""The original study's printed numbers, as transcribed in ``data/published``.

The YAML file is the project's own copy of every number the paper prints. Keys
are dotted paths (``efficacy.before_psm.pfs.icis.median``); the fidelity audit
uses the same keys.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import yaml

from ..paths import PUBLISHED_YAML
from ..study import cohort as C

# How the YAML names things the cohort names differently.
GROUP_KEYS = {C.GROUP_ICI: "icis", C.GROUP_NON_ICI: "non_icis"}
# Table 1 variable -> key of the characteristic in the published YAML (table1.characteristics)
TABLE1_KEYS = {
    "male": ("gender", "male"),
    "age_ge65": ("age", "ge65"),
    "smoker": ("smoking_status", "yes"),
    "ecog_ge2": ("ecog_ps", "ge2"),
    "lung_met": ("lung_metastases", "yes"),
    "bone_met": ("bone_metastases", "yes"),
    "brain_met": ("brain_metastases", "yes"),
    "liver_met": ("liver_metastases", "yes"),
    "sites_ge3": ("number_of_metastatic_lesions", "ge3"),
    "first_line_ici": ("first_line_icis", "yes"),
    "first_line_pfs_ge6": ("first_line_pfs_months", "ge6"),
}
REGIMEN_KEYS = {
    "ici_chemotherapy": "ici_chemotherapy",
    "ici_antiangiogenic": "ici_antiangiogenic",
    "ici_chemotherapy_antiangiogenic": "ici_chemotherapy_antiangiogenic_triple",
    "ici_monotherapy": "ici_monotherapy",
    "chemotherapy": "chemotherapy",
    "antiangiogenic": "antiangiogenic",
}


@lru_cache(maxsize=1)
def load_published() -> dict:
    """The whole published-results tree (read once)."""
    with open(PUBLISHED_YAML, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def published(key: str) -> Any:
    """One published value by dotted key; KeyError names the missing part."""
    node: Any = load_published()
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"no published value at '{key}' (stops at '{part}')")
        node = node[part]
    return node


_ROOT = object()


def flatten(node: Any = _ROOT, prefix: str = "") -> dict[str, Any]:
    """Every leaf of the tree as ``{dotted_key: value}`` (lists and nulls are leaves)."""
    node = load_published() if node is _ROOT else node
    if not isinstance(node, dict):
        return {prefix: node}
    out: dict[str, Any] = {}
    for key, value in node.items():
        out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


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
