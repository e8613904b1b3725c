"""The paper's figures, drawn from :class:`helpers.study.pipeline.StudyResults`.

One function per figure panel, so the notebooks and ``python -m helpers
analyze`` draw exactly the same thing. Every function returns a Figure.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..study import cohort as C
from ..study.design import (
    BALANCE_LABELS,
    ENDPOINT_LABELS,
    ENDPOINTS,
    ESTIMATOR_LABELS,
    STRATUM_LABELS,
    exposure_label,
)
from ..study.estimators import ABSOLUTE_ONLY, NOT_ESTIMABLE
from .appraisal import comparison_rows
from .plots import (
    plot_arm_curves,
    plot_forest,
    plot_km,
    plot_love,
    plot_love_methods,
    plot_method_comparison,
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


# The appraisal's survival curves: one panel per method (the two with covariates are standardised).
CURVE_PANELS = ("crude", "psm", "iptw_ate", "iptw_att", "overlap", "iptw_adjusted")
CURVE_TITLES = {
    "crude": "All patients, unadjusted",
    "psm": "Matched pairs",
    "iptw_ate": "Weighted: ATE weights",
    "iptw_att": "Weighted: ATT weights",
    "overlap": "Weighted: overlap weights",
    "iptw_adjusted": "ATE weights + covariates, standardised",
}


def appraisal_curves(results, endpoint: str) -> Figure:
    """The two arms' survival under each method: Kaplan–Meier (weighted for the weights) or standardised."""
    curves = results.appraisal.curves
    shown = [m for m in CURVE_PANELS if (endpoint, m) in curves]
    cols = 3
    rows = max(1, -(-len(shown) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(12, 3.4 * rows), layout="constrained", squeeze=False)
    t_max = max((float(curves[(endpoint, m)]["time"].max()) for m in shown), default=24.0)
    t_max = float(np.ceil(t_max / 6.0) * 6.0)
    for ax, method in zip(axes.flat, shown, strict=False):
        plot_arm_curves(curves[(endpoint, method)], ax, title=CURVE_TITLES[method], t_max=t_max)
    for ax in list(axes.flat)[len(shown) :]:
        ax.set_axis_off()
    for ax in axes[:, 0]:
        ax.set_ylabel(ENDPOINT_LABELS[endpoint])
    return fig


def appraisal_forest(results) -> Figure:
    """Every method's hazard ratio and RMST difference up to 12 months, PFS then OS (95% intervals)."""
    frame = comparison_rows(results)
    frame["label"] = [f"{ESTIMATOR_LABELS[m]} · {e}" for m, e in zip(frame["method"], frame["estimand"], strict=True)]
    frame["group"] = frame["endpoint"].map(ENDPOINT_LABELS)
    frame["empty"] = np.where(
        frame["note"].str.startswith(NOT_ESTIMABLE),
        "not estimable",
        np.where(frame["method"].isin(ABSOLUTE_ONLY), "no hazard ratio", ""),
    )
    return plot_method_comparison(
        frame,
        empty_col="empty",
        panels=(
            ("hr", "ci_lower", "ci_upper", "Hazard ratio, 2L-ICIs vs 2L-non-ICIs (log scale)", 1.0, True),
            (
                "rmst_diff_12",
                "rmst_diff_12_lo",
                "rmst_diff_12_hi",
                "RMST difference up to 12 months (months)",
                0.0,
                False,
            ),
        ),
    )


def all_figures(results) -> dict[str, Figure]:
    """Every figure of the book, by file stem (used by ``analyze --figures``)."""
    out = {f"figure1{p.lower()}": figure_1(results, p) for p in FIGURE_1}
    out |= {f"figure2{p.lower()}": figure_2(results, p) for p in ("A", "B")}
    out |= {f"figure3{p.lower()}": figure_3(results, p) for p in FIGURE_3}
    out["psm_love_plot"] = love_plot(results)
    out["psm_score_distributions"] = score_distributions(results)
    out["appraisal_love_plot"] = appraisal_love_plot(results)
    out["appraisal_weight_distributions"] = appraisal_weight_distributions(results)
    out |= {f"appraisal_curves_{e}": appraisal_curves(results, e) for e in ENDPOINTS}
    out["appraisal_forest"] = appraisal_forest(results)
    return out
