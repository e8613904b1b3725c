"""The paper's figures, drawn from :class:`helpers.study.pipeline.StudyResults`.

One function per figure panel, so the notebooks and ``python -m helpers
analyze`` draw exactly the same thing. Every function returns a Figure.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from ..paper.fidelity import summary as audit_counts
from ..study import cohort as C
from ..study.design import ENDPOINT_LABELS, STRATUM_LABELS, exposure_label
from .plots import plot_forest, plot_km, plot_love, plot_score_distributions

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
    return fig


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
    return fig


def all_figures(results, audit=None) -> dict[str, Figure]:
    """Every figure of the book, by file stem (used by ``analyze --figures``); the audit's figure with ``audit``."""
    out = {f"figure1{p.lower()}": figure_1(results, p) for p in FIGURE_1}
    out |= {f"figure2{p.lower()}": figure_2(results, p) for p in ("A", "B")}
    out |= {f"figure3{p.lower()}": figure_3(results, p) for p in FIGURE_3}
    out["psm_love_plot"] = love_plot(results)
    out["psm_score_distributions"] = score_distributions(results)
    out["follow_up_distribution"] = follow_up_distribution(results)
    if audit is not None:
        out["fidelity_summary"] = fidelity_summary(audit.table)
    return out
