"""What the book's chapters share: glueing numbers, the fidelity section, and "original study vs this book".

A chapter tells a story around numbers computed elsewhere; the repeated
mechanics live here, one helper each:

- :func:`glue_all` glues a dict of values at once;
- :func:`compare_with_paper` builds the table of published numbers beside ours,
  each named and rounded as the paper prints it (from the registry);
- :func:`glue_comparison` glues such numbers for the prose;
- :func:`fidelity_section` glues a chapter's part of the fidelity audit: status
  counts per section and the rows that miss, with human labels.

This module needs MyST-NB (the book's environment); nothing else in the package does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd
from IPython.display import Markdown
from myst_nb import glue

from ..paper.registry import Quantity, quantity, registry
from ..printed import EN_DASH, NOT_ESTIMABLE, NOT_REACHED, fixed, format_p, is_missing, p_phrase, parse_printed
from ..study.design import ALPHA
from ..study.pipeline import StudyResults

STATUS_ORDER = ("exact", "within", "outside", "unattainable")
MISS_COLUMNS = {
    "label": "Published number",
    "published": "Original study",
    "reproduced": "This book",
    "abs_diff": "Difference",
    "tolerance": "Tolerance",
    "status": "Status",
    "note": "Note",
}


def glue_all(values: Mapping[str, object], prefix: str = "") -> None:
    """Glue every value under ``prefix + name`` (not displayed: the prose shows them)."""
    for name, value in values.items():
        glue(f"{prefix}{name}", value, display=False)


def as_printed(q: Quantity, value) -> str:
    """A value as the paper prints this quantity: p-values '<0.001', counts as integers, the paper's decimals."""
    if isinstance(value, str):
        return value
    if is_missing(value):
        return NOT_REACHED if q.kind == "median" else NOT_ESTIMABLE
    if q.kind == "p":
        return format_p(value)
    if q.kind == "flag":
        return "yes" if value else "no"
    if q.kind in ("count", "setting") or q.decimals is None:
        return f"{value:g}" if isinstance(value, float) else str(value)
    return fixed(value, q.decimals)


def compare_with_paper(rows: Mapping[str, str | tuple] | Iterable[str], results: StudyResults) -> pd.DataFrame:
    """Published numbers beside ours: one row per key, named, both printed the paper's way.

    ``rows`` maps a row name to a published key, or to three keys (estimate,
    lower, upper) shown as 'est (lower–upper)'; or lists keys, then named by
    their registry label. Columns: ``Original study``, ``This book``.
    """
    rows = dict(rows) if isinstance(rows, Mapping) else {quantity(k).label: k for k in rows}
    out = {}
    for name, key in rows.items():
        if isinstance(key, tuple):
            out[name] = {"Original study": estimate_text(None, *key), "This book": estimate_text(results, *key)}
            continue
        q = quantity(key)
        out[name] = {"Original study": as_printed(q, q.published), "This book": as_printed(q, q.printed(results))}
    return pd.DataFrame.from_dict(out, orient="index")


def glue_comparison(prefix: str, rows: Mapping[str, str], results: StudyResults) -> None:
    """Glue ``{prefix}{name}`` (ours) and ``{prefix}{name}_pub`` (the paper's), as printed, for prose."""
    for name, key in rows.items():
        q = quantity(key)
        glue(f"{prefix}{name}", as_printed(q, q.printed(results)), display=False)
        glue(f"{prefix}{name}_pub", as_printed(q, q.published), display=False)


def audit_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Status counts per section with the share exact or within, ready to show."""
    counts = pd.crosstab(table["section"], table["status"]).reindex(columns=STATUS_ORDER, fill_value=0)
    counts["total"] = counts.sum(axis=1)
    counts["share exact or within"] = [
        f"{(e + w) / t:.0%}" for e, w, t in zip(counts["exact"], counts["within"], counts["total"], strict=True)
    ]
    order = list(dict.fromkeys(table["section"]))
    return counts.loc[order].rename_axis(index=None, columns=None)


def audit_misses(table: pd.DataFrame) -> pd.DataFrame:
    """The audit rows neither exact nor within tolerance, named by their registry label."""
    misses = table[~table["status"].isin(["exact", "within"])].copy()
    misses["label"] = [quantity(k).label for k in misses["key"]]
    misses["published"] = [as_printed(quantity(k), v) for k, v in zip(misses["key"], misses["published"], strict=True)]
    misses["reproduced"] = [
        as_printed(quantity(k), v) for k, v in zip(misses["key"], misses["reproduced"], strict=True)
    ]
    misses["abs_diff"] = ["" if is_missing(d) else f"{d:g}" for d in misses["abs_diff"]]
    misses["note"] = misses["note"].fillna("")
    return misses[list(MISS_COLUMNS)].rename(columns=MISS_COLUMNS).set_index("Published number")


def fidelity_section(audit_table: pd.DataFrame, sections: Iterable[str], prefix: str, *, styler) -> pd.DataFrame:
    """Glue a chapter's fidelity section and return its audit rows.

    Glued: ``{prefix}_tbl_fidelity_summary`` and ``{prefix}_tbl_fidelity_off``
    (tables, styled by ``styler``; a sentence instead of an empty table when
    nothing misses), and for the prose ``{prefix}_fid_n``, ``{prefix}_fid_ok``
    and ``{prefix}_fid_off`` (all sections together).
    """
    sections = [sections] if isinstance(sections, str) else list(sections)
    rows = audit_table[audit_table["section"].isin(sections)]
    ok = rows["status"].isin(["exact", "within"])
    glue(f"{prefix}_tbl_fidelity_summary", styler(audit_summary(rows)), display=False)
    misses = audit_misses(rows)
    shown = (
        styler(misses) if len(misses) else Markdown("Every number of this section is exact or within its tolerance.")
    )
    glue(f"{prefix}_tbl_fidelity_off", shown, display=False)
    glue_all({"_fid_n": len(rows), "_fid_ok": int(ok.sum()), "_fid_off": int((~ok).sum())}, prefix)
    return rows


def _name(key: str, key_prefix: str, prefix: str) -> str:
    return prefix + key[len(key_prefix) :].replace(".", "_")


def glue_registry(results: StudyResults, key_prefix: str, prefix: str, *, alpha: float = ALPHA) -> list[str]:
    """Glue every published quantity whose key starts with ``key_prefix``, ours and the paper's.

    The key ``efficacy.before_psm.pfs.icis.median`` with ``key_prefix="efficacy."``
    and ``prefix="eff_"`` is glued as ``eff_before_psm_pfs_icis_median`` (this
    book's value as the paper would print it) and ``eff_before_psm_pfs_icis_median_pub``
    (the printed value). A p-value also gets ``…_phrase`` / ``…_pub_phrase``
    ('p = 0.055', 'p < 0.001') and ``…_side`` / ``…_pub_side`` ('below' or
    'above' ``alpha``). Returns the glued names (without suffixes).
    """
    names = []
    for key, q in registry().items():
        if not key.startswith(key_prefix):
            continue
        name = _name(key, key_prefix, prefix)
        ours, theirs = q.reproduce(results), q.published
        glue(name, as_printed(q, q.printed(results)), display=False)
        glue(f"{name}_pub", as_printed(q, theirs), display=False)
        if q.kind == "p":
            glue(f"{name}_phrase", p_phrase(ours), display=False)
            glue(f"{name}_pub_phrase", p_phrase(theirs), display=False)
            glue(f"{name}_side", side_of(ours, alpha), display=False)
            glue(f"{name}_pub_side", "below" if parse_printed(theirs).below(alpha) else "above", display=False)
        names.append(name)
    return names


def estimate_text(results: StudyResults | None, estimate: str, lower: str, upper: str) -> str:
    """'0.62 (0.51–0.75)' from three published keys: ours (``results``) or the paper's (None)."""
    parts = []
    for key in (estimate, lower, upper):
        q = quantity(key)
        parts.append(as_printed(q, q.published if results is None else q.printed(results)))
    return f"{parts[0]} ({parts[1]}{EN_DASH}{parts[2]})"


def glue_estimates(results: StudyResults, rows: Mapping[str, tuple[str, str, str]], prefix: str = "") -> None:
    """Glue 'estimate (lower–upper)' strings, ours as ``{prefix}{name}`` and the paper's as ``…_pub``."""
    for name, keys in rows.items():
        glue(f"{prefix}{name}", estimate_text(results, *keys), display=False)
        glue(f"{prefix}{name}_pub", estimate_text(None, *keys), display=False)


def side_of(p: float, alpha: float) -> str:
    """'below' or 'above' the significance level, for prose."""
    return "below" if p < alpha else "above"
