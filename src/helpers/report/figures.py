"""The paper's figures, drawn from :class:`helpers.study.pipeline.StudyResults`.

One function per figure panel, so the notebooks and ``python -m helpers
analyze`` draw exactly the same thing. Every function returns a Figure whose
top-left corner carries the panel letter (where the paper has one) and whose
top-right corner says that the data are synthetic, so that a copy taken out
of the book cannot pass for a result about real patients.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from ..paper.fidelity import summary as audit_counts
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

SYNTHETIC_MARK = "Synthetic data: not real patients"
MARK_COLOR = "#757575"
TOP_BAND_IN = 0.32  # inches kept free above the plot for the panel letter and the mark

FIGURE_1 = {"A": ("before_psm", "pfs"), "B": ("before_psm", "os"), "C": ("after_psm", "pfs"), "D": ("after_psm", "os")}
FIGURE_3 = {
    "A": ("liver_met", "pfs"),
    "B": ("liver_met", "os"),
    "C": ("first_line_pfs_ge6", "pfs"),
    "D": ("first_line_pfs_ge6", "os"),
}


def mark(fig: Figure, panel: str | None = None) -> Figure:
    """Write the panel letter top left and the synthetic-data mark top right of ``fig``.

    A constrained-layout figure keeps a band of :data:`TOP_BAND_IN` free at
    its top for them; a figure with fixed margins must leave that room itself.
    """
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set"):
        engine.set(rect=(0, 0, 1, 1 - TOP_BAND_IN / fig.get_figheight()))
    if panel:
        fig.text(0.005, 0.995, panel, ha="left", va="top", fontsize=16, fontweight="bold")
    fig.text(0.995, 0.995, SYNTHETIC_MARK, ha="right", va="top", fontsize=8, color=MARK_COLOR)
    return fig


def figure_1(results, panel: str) -> Figure:
    """Figure 1A-D: PFS and OS by treatment group, before (A, B) and after (C, D) matching."""
    population, endpoint = FIGURE_1[panel]
    comparison = results.comparison(population, endpoint)
    ax = plot_km(comparison, ylabel=ENDPOINT_LABELS[endpoint], cumulative_events=True)
    return mark(ax.figure, panel)


def overall_row(results, endpoint: str) -> dict:
    """The treatment HR in all patients (Figure 1A/B's Cox model), as a forest-plot row."""
    comparison = results.comparison("before_psm", endpoint)
    return {
        "label": "All patients",
        "estimate": comparison.hr,
        "ci_lower": comparison.hr_ci_lower,
        "ci_upper": comparison.hr_ci_upper,
        "p_value": comparison.hr_p,
        "n": int(comparison.groups["n"].sum()),
        "events": int(comparison.groups["events"].sum()),
    }


def figure_2(results, panel: str) -> Figure:
    """Figure 2A (PFS) / 2B (OS): treatment HR in all patients and within subgroups (forest plot)."""
    endpoint = {"A": "pfs", "B": "os"}[panel]
    frame = results.subgroups(endpoint).rename(columns={"characteristic": "group_label", "level_label": "label"})
    return mark(plot_forest(frame, overall=overall_row(results, endpoint)).figure, panel)


def figure_3(results, panel: str) -> Figure:
    """Figure 3A-D: within 2L-ICIs, by liver metastases (A, B) and by first-line PFS (C, D)."""
    variable, endpoint = FIGURE_3[panel]
    ax = plot_km(
        results.stratum_comparison(variable, endpoint),
        labels=STRATUM_LABELS[variable],
        ylabel=ENDPOINT_LABELS[endpoint],
        cumulative_events=True,
    )
    return mark(ax.figure, panel)


def love_plot(results) -> Figure:
    """Standardized differences of the Table 1 characteristics before and after matching."""
    labels = {v: exposure_label(v) for v in C.TABLE1_VARIABLES}
    return mark(plot_love(results.psm.balance, labels=labels).figure)


def score_distributions(results) -> Figure:
    """Propensity scores by arm, before and after matching (two panels)."""
    fig, (before, after) = plt.subplots(1, 2, figsize=(10, 3.9), layout="constrained", sharey=False)
    scores = results.psm.model.scores
    treated = results.cohort[C.TREATED]
    plot_score_distributions(scores, treated, before, title="Before matching")
    kept = results.matched.index
    plot_score_distributions(scores.loc[kept], treated.loc[kept], after, title="After matching")
    return mark(fig)


FOLLOW_UP_STATUS = {1: "died", 0: "alive at the last contact"}
FOLLOW_UP_COLORS = {"died": "#9E9E9E", "alive at the last contact": "#1565C0"}


def follow_up_distribution(results) -> Figure:
    """Observed OS times of all patients, stacked by status, with the two candidate 'median follow-up' lines.

    Most patients die early, so the median of the observed times (dashed) is
    short; the reverse Kaplan–Meier median (dotted) treats deaths as censored
    and estimates how long patients would have been followed.
    """
    data = pd.DataFrame(
        {
            "months": results.cohort["os_months"].to_numpy(),
            "status": results.cohort["os_event"].map(FOLLOW_UP_STATUS).to_numpy(),
        }
    )
    fig, ax = plt.subplots(figsize=(7.5, 3.8), layout="constrained")
    sns.histplot(
        data=data,
        x="months",
        hue="status",
        hue_order=list(FOLLOW_UP_COLORS),
        palette=FOLLOW_UP_COLORS,
        multiple="stack",
        binwidth=1.0,
        binrange=(0, float(np.ceil(data["months"].max()))),
        edgecolor="white",
        linewidth=0.4,
        ax=ax,
    )
    plain = float(data["months"].median())
    reverse = float(results.whole("before_psm")["median_follow_up"])
    ax.axvline(plain, color="#424242", ls="--", lw=1.2)
    ax.axvline(reverse, color="#C62828", ls=":", lw=1.6)
    top = ax.get_ylim()[1]
    ax.annotate(
        f"median observed time\n{plain:.1f} months",
        (plain, top * 0.92),
        xytext=(6, 0),
        textcoords="offset points",
        va="top",
        fontsize=9,
    )
    ax.annotate(
        f"reverse Kaplan–Meier median\n{reverse:.1f} months",
        (reverse, top * 0.62),
        xytext=(6, 0),
        textcoords="offset points",
        va="top",
        fontsize=9,
        color="#C62828",
    )
    ax.set_xlabel("Months from the start of 2L treatment to death or the last contact")
    ax.set_ylabel("Patients")
    ax.spines[["top", "right"]].set_visible(False)
    sns.move_legend(ax, "upper right", title=None, frameon=False)
    return mark(fig)


AUDIT_COLORS = {"exact": "#2E7D32", "within": "#81C784", "outside": "#E53935", "unattainable": "#9E9E9E"}


def fidelity_summary(audit_table: pd.DataFrame) -> Figure:
    """The fidelity audit by section: published numbers exact, within tolerance, outside it or unattainable."""
    counts = audit_counts(audit_table).sort_values("total")
    fig, ax = plt.subplots(figsize=(8, 4.6), layout="constrained")
    left = np.zeros(len(counts))
    for status, color in AUDIT_COLORS.items():
        values = counts[status].to_numpy(dtype=float)
        ax.barh(counts["section"], values, left=left, color=color, label=status)
        left += values
    ax.set_xlabel("Published numbers")
    ax.legend(frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    return mark(fig)


def appraisal_love_plot(results) -> Figure:
    """Standardized differences of the Table 1 characteristics under every adjustment of the appraisal."""
    labels = {v: exposure_label(v) for v in C.TABLE1_VARIABLES}
    balance = results.appraisal.tables["appraisal_balance"]
    return mark(plot_love_methods(balance, labels=labels, method_labels=BALANCE_LABELS).figure)


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
    return mark(fig)


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
    return mark(fig)


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
    return mark(
        plot_method_comparison(
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
    )


def all_figures(results, audit=None) -> dict[str, Figure]:
    """Every figure of the book, by file stem (used by ``analyze --figures``); the audit's figure with ``audit``."""
    out = {f"figure1{p.lower()}": figure_1(results, p) for p in FIGURE_1}
    out |= {f"figure2{p.lower()}": figure_2(results, p) for p in ("A", "B")}
    out |= {f"figure3{p.lower()}": figure_3(results, p) for p in FIGURE_3}
    out["psm_love_plot"] = love_plot(results)
    out["psm_score_distributions"] = score_distributions(results)
    out["follow_up_distribution"] = follow_up_distribution(results)
    out["appraisal_love_plot"] = appraisal_love_plot(results)
    out["appraisal_weight_distributions"] = appraisal_weight_distributions(results)
    out |= {f"appraisal_curves_{e}": appraisal_curves(results, e) for e in ENDPOINTS}
    out["appraisal_forest"] = appraisal_forest(results)
    if audit is not None:
        out["fidelity_summary"] = fidelity_summary(audit.table)
    return out
