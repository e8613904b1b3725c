"""The paper's figures, drawn from :class:`helpers.study.pipeline.StudyResults`.

One function per figure panel, so the notebooks and ``python -m helpers
analyze`` draw exactly the same thing. Every function returns a Figure.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..study import cohort as C
from ..study.design import BALANCE_LABELS, ENDPOINT_LABELS, STRATUM_LABELS, exposure_label
from .plots import (
    plot_forest,
    plot_km,
    plot_love,
    plot_love_methods,
    plot_score_distributions,
    plot_weight_distribution,
)

FIGURE_1 = {"A": ("before_psm", "pfs"), "B": ("before_psm", "os"), "C": ("after_psm", "pfs"), "D": ("after_psm", "os")}
FIGURE_3 = {
    "A": ("liver_met", "pfs"),
    "B": ("liver_met", "os"),
    "C": ("first_line_pfs_ge6", "pfs"),
    "D": ("first_line_pfs_ge6", "os"),
}


def figure_1(results, panel: str) -> Figure:
    """Figure 1A-D: PFS and OS by treatment group, before (A, B) and after (C, D) matching."""
    population, endpoint = FIGURE_1[panel]
    ax = plot_km(results.comparison(population, endpoint), ylabel=ENDPOINT_LABELS[endpoint])
    return ax.figure


def figure_2(results, panel: str) -> Figure:
    """Figure 2A (PFS) / 2B (OS): treatment HR within subgroups (forest plot)."""
    endpoint = {"A": "pfs", "B": "os"}[panel]
    frame = results.subgroups(endpoint).rename(columns={"characteristic": "group_label", "level_label": "label"})
    return plot_forest(frame).figure


def figure_3(results, panel: str) -> Figure:
    """Figure 3A-D: within 2L-ICIs, by liver metastases (A, B) and by first-line PFS (C, D)."""
    variable, endpoint = FIGURE_3[panel]
    ax = plot_km(
        results.stratum_comparison(variable, endpoint),
        labels=STRATUM_LABELS[variable],
        ylabel=ENDPOINT_LABELS[endpoint],
    )
    return ax.figure


def love_plot(results) -> Figure:
    """Standardized differences of the Table 1 characteristics before and after matching."""
    labels = {v: exposure_label(v) for v in C.TABLE1_VARIABLES}
    return plot_love(results.psm.balance, labels=labels).figure


def score_distributions(results) -> Figure:
    """Propensity scores by arm, before and after matching (two panels)."""
    fig, (before, after) = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained", sharey=False)
    scores = results.psm.model.scores
    treated = results.cohort[C.TREATED]
    plot_score_distributions(scores, treated, before, title="Before matching")
    kept = results.matched.index
    plot_score_distributions(scores.loc[kept], treated.loc[kept], after, title="After matching")
    return fig


def appraisal_love_plot(results) -> Figure:
    """Standardized differences of the Table 1 characteristics under every adjustment of the appraisal."""
    labels = {v: exposure_label(v) for v in C.TABLE1_VARIABLES}
    balance = results.appraisal.tables["appraisal_balance"]
    return plot_love_methods(balance, labels=labels, method_labels=BALANCE_LABELS).figure


def appraisal_weight_distributions(results) -> Figure:
    """The weights of each weighting method, by arm (one panel per method)."""
    weightsets = results.appraisal.weights
    fig, axes = plt.subplots(
        1, max(len(weightsets), 1), figsize=(4.2 * max(len(weightsets), 1), 3.4), layout="constrained"
    )
    axes = list(np.atleast_1d(axes))
    treated = results.cohort[C.TREATED]
    for ax, (method, ws) in zip(axes, weightsets.items(), strict=False):
        plot_weight_distribution(ws.weights, treated, ax, title=BALANCE_LABELS[method])
    return fig


def all_figures(results) -> dict[str, Figure]:
    """Every figure of the book, by file stem (used by ``analyze --figures``)."""
    out = {f"figure1{p.lower()}": figure_1(results, p) for p in FIGURE_1}
    out |= {f"figure2{p.lower()}": figure_2(results, p) for p in ("A", "B")}
    out |= {f"figure3{p.lower()}": figure_3(results, p) for p in FIGURE_3}
    out["psm_love_plot"] = love_plot(results)
    out["psm_score_distributions"] = score_distributions(results)
    out["appraisal_love_plot"] = appraisal_love_plot(results)
    out["appraisal_weight_distributions"] = appraisal_weight_distributions(results)
    return out
