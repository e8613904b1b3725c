"""Figures: Kaplan–Meier curves with risk tables, forest plots, balance and score plots.

Drawing only: every function takes results computed elsewhere, draws on the
given axes (or a new figure), and returns the axes (a figure of several panels
returns the Figure). Nothing here saves files,
calls ``show`` or changes global settings.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator
from matplotlib.transforms import blended_transform_factory

from ..printed import format_p
from ..stats.matching import SMD_THRESHOLD
from ..stats.survival import n_at_risk
from ..study import cohort as C
from ..study.efficacy import SurvivalComparison
from .tables import format_estimate_ci, p_phrase

# The original study's colours: 2L-ICIs red, 2L-non-ICIs blue.
ARM_COLORS = {C.GROUP_ICI: "#C62828", C.GROUP_NON_ICI: "#1565C0"}
# Two-level strata (exposure level first), e.g. liver metastases yes / no.
STRATA_COLORS = ("#C62828", "#1565C0")
NEUTRAL = "#424242"


def _new_axes(ax: Axes | None, size=(7.0, 5.2)) -> Axes:
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _tick_font_size(ax: Axes) -> float:
    labels = ax.xaxis.get_ticklabels()
    return labels[0].get_fontsize() if labels else FontProperties(size=plt.rcParams["xtick.labelsize"]).get_size()


def _time_step(t_max: float) -> int:
    return 3 if t_max <= 18 else 6 if t_max <= 48 else 12


def plot_km(
    comparison: SurvivalComparison,
    ax: Axes | None = None,
    *,
    labels: dict | None = None,
    colors: dict | None = None,
    ci: bool = False,
    at_risk: bool = True,
    cumulative_events: bool = False,
    median_lines: bool = True,
    annotate: bool = True,
    t_max: float | None = None,
    ylabel: str | None = None,
) -> Axes:
    """Kaplan–Meier curves with censor marks, medians, HR and log-rank p, and a risk table.

    Parameters
    ----------
    comparison : SurvivalComparison
        From :func:`helpers.study.efficacy.compare_survival`; its curves are drawn in
        its order (exposure first).
    labels, colors : dict, optional
        Legend label and colour per level; defaults to the level names and the
        arm colours (red for 2L-ICIs, blue for 2L-non-ICIs) or, for other
        variables, red then blue.
    ci : bool
        Shade pointwise log-log 95% bands.
    at_risk : bool
        Add the number-at-risk table under the time axis, one column per x tick.
    cumulative_events : bool
        With ``at_risk``, print the cumulative number of events beside each
        number at risk: "120 (75)".
    t_max : float, optional
        End of the time axis; by default the last observed time rounded up to
        the next tick, so every tick (and every risk-table column) lies on the axis.
    """
    ax = _new_axes(ax)
    levels = list(comparison.kms)
    labels = labels or {}
    colors = colors or {lv: ARM_COLORS.get(lv, STRATA_COLORS[i % len(STRATA_COLORS)]) for i, lv in enumerate(levels)}
    if t_max is None:
        last_time = max(float(km.table["time"].max()) for km in comparison.kms.values())
        step = _time_step(last_time)
        t_max = float(np.ceil(last_time / step) * step)
    else:
        step = _time_step(t_max)
    ticks = np.arange(0, t_max + 1e-9, step)
    for level in levels:
        km = comparison.kms[level]
        tab = km.table
        times = np.concatenate([[0.0], tab["time"].to_numpy()])
        surv = np.concatenate([[1.0], tab["survival"].to_numpy()])
        color = colors[level]
        label = labels.get(level, str(level))
        ax.step(times, surv, where="post", color=color, lw=1.8, label=label)
        censored = tab[tab["n_censored"] > 0]
        ax.plot(censored["time"], censored["survival"], ls="none", marker="|", ms=7, mew=1.2, color=color)
        if ci:
            se = tab["se"].to_numpy()
            with np.errstate(divide="ignore", invalid="ignore"):
                s = tab["survival"].to_numpy()
                log_s = np.log(s)
                se_g = se / (s * np.abs(log_s))
                lower = np.exp(-np.exp(np.log(-log_s) + 1.96 * se_g))
                upper = np.exp(-np.exp(np.log(-log_s) - 1.96 * se_g))
            ax.fill_between(
                tab["time"],
                np.nan_to_num(lower),
                np.nan_to_num(upper, nan=1.0),
                step="post",
                color=color,
                alpha=0.15,
                lw=0,
            )
        if median_lines:
            med = km.median()
            if np.isfinite(med):
                ax.plot([0, med, med], [0.5, 0.5, 0.0], ls="--", lw=0.9, color=color, alpha=0.8)
    ax.set_xlim(0, t_max)
    ax.set_ylim(0, 1.02)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_yticklabels([f"{int(v * 100)}%" for v in np.linspace(0, 1, 6)])
    ax.set_ylabel(ylabel or f"{comparison.endpoint.upper()} probability")
    ax.spines[["top", "right"]].set_visible(False)
    censor_key = Line2D([], [], ls="none", marker="|", ms=7, mew=1.2, color=NEUTRAL, label="Censored")
    handles, _ = ax.get_legend_handles_labels()
    ax.legend(handles=[*handles, censor_key], loc="upper right", frameon=False)
    if annotate:
        text = f"HR {format_estimate_ci(comparison.hr, comparison.hr_ci_lower, comparison.hr_ci_upper)}\n"
        text += f"Log-rank {p_phrase(comparison.logrank_p, 'p')}"
        ax.text(0.97, 0.62, text, transform=ax.transAxes, ha="right", va="top")
    ax.set_xlabel("Months")
    if at_risk:
        _risk_table(ax, comparison, levels, labels, colors, ticks, cumulative_events)
    return ax


def _cumulative_events(km, times) -> list[int]:
    """Events observed up to and including each time."""
    tab = km.table
    return [int(tab.loc[tab["time"] <= t, "n_events"].sum()) for t in np.atleast_1d(times)]


def _risk_table(ax: Axes, comparison, levels, labels, colors, ticks, cumulative_events=False) -> None:
    """Numbers at risk under the time axis, one row per curve, one column per x tick.

    Placed in points below the axes (not in axes fractions), so the rows keep
    their spacing whatever the figure size; the text is as large as the tick labels.
    """
    size = _tick_font_size(ax)
    top = 2.9 * size + 12  # below the tick labels and the axis label
    row_height = 1.6 * size
    title = "Number at risk (cumulative events)" if cumulative_events else "Number at risk"

    def put(text, x, coords, dy, **kwargs):
        ax.annotate(
            text,
            xy=(x, 0),
            xycoords=(coords, "axes fraction"),
            xytext=(0, -dy),
            textcoords="offset points",
            va="top",
            fontsize=size,
            annotation_clip=False,
            **kwargs,
        )

    put(title, 0, "axes fraction", top, ha="left", fontweight="bold")
    for row, level in enumerate(levels):
        dy = top + row_height * (row + 1)
        counts = n_at_risk(comparison.kms[level], ticks)
        events = _cumulative_events(comparison.kms[level], ticks) if cumulative_events else None
        for i, (t, n) in enumerate(zip(ticks, counts, strict=True)):
            text = f"{n} ({events[i]})" if events else str(n)
            put(text, t, "data", dy, ha="center", color=colors[level])
        ax.annotate(
            labels.get(level, str(level)),
            xy=(0, 0),
            xycoords="axes fraction",
            xytext=(-3.5 * size, -dy),
            textcoords="offset points",
            va="top",
            ha="right",
            fontsize=size,
            color=colors[level],
            annotation_clip=False,
        )


def _nice_limits(lows, highs) -> tuple[float, float]:
    """Log-axis limits that hold every interval and 1, on a round value."""
    stops = (0.05, 0.1, 0.125, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
    stops += (1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 8.0, 10.0, 20.0)
    lo = min([1.0, *[v for v in lows if np.isfinite(v) and v > 0]])
    hi = max([1.0, *[v for v in highs if np.isfinite(v)]])
    left = max([s for s in stops if s <= lo / 1.05] or [stops[0]])
    right = min([s for s in stops if s >= hi * 1.05] or [stops[-1]])
    return left, right


def plot_forest(
    frame: pd.DataFrame,
    ax: Axes | None = None,
    *,
    label_col: str = "label",
    group_col: str = "group_label",
    overall: dict | None = None,
    xlim: tuple[float, float] | None = None,
    favours: tuple[str, str] = ("Favours 2L-ICIs", "Favours 2L-non-ICIs"),
) -> Axes:
    """Forest plot of hazard ratios: one row per subgroup level, grouped by variable.

    ``frame`` has ``estimate, ci_lower, ci_upper, p_value, n`` and (optional)
    ``events``, ``p_interaction``, a row label and a group label. ``overall``
    (same keys plus ``label``) adds a first row for all patients, drawn as a
    diamond. Log-scaled x axis with a reference line at 1, by default just wide
    enough for every interval; subgroup, n, events, HR (95% CI), p and the
    interaction p are printed as text columns.
    """
    rows = []
    if overall is not None:
        rows.append({"kind": "overall", **overall, "text": overall.get("label", "Overall")})
    for group, sub in frame.groupby(group_col, sort=False) if group_col in frame else [(None, frame)]:
        if group is not None:
            p_int = sub["p_interaction"].iloc[0] if "p_interaction" in sub else np.nan
            rows.append({"kind": "header", "text": str(group), "p_interaction": p_int})
        for _, r in sub.iterrows():
            rows.append({"kind": "row", **r.to_dict(), "text": f"   {r[label_col]}"})
    data_rows = [r for r in rows if r["kind"] != "header"]
    if xlim is None:
        xlim = _nice_limits([r["ci_lower"] for r in data_rows], [r["ci_upper"] for r in data_rows])
    with_events = all("events" in r for r in data_rows)
    n_rows = len(rows)
    # column positions in inches from the figure's left edge (text columns sit outside the axes)
    cols = {"label": 0.1, "n": 2.75, "events": 3.4 if with_events else None, "plot": (3.65, 6.05)}
    cols |= {"hr": 6.2, "p": 7.55, "pint": 8.25, "width": 9.35}
    if ax is None:  # fixed margins instead of constrained layout: the columns are placed in inches
        height = 0.27 * (n_rows + 1) + 1.2
        fig = plt.figure(figsize=(cols["width"], height))
        left, right = cols["plot"]
        ax = fig.add_axes(
            (left / cols["width"], 0.9 / height, (right - left) / cols["width"], 0.27 * (n_rows + 1) / height)
        )
    fig = ax.figure
    width_in = fig.get_figwidth()
    ax_left = ax.get_position().x0 * width_in
    ax_width = ax.get_position().width * width_in

    def x_of(key):
        return (cols[key] - ax_left) / ax_width

    ax.set_xscale("log")
    ax.set_xlim(*xlim)
    ax.set_ylim(-0.6, n_rows + 0.6)
    ax.plot([1.0, 1.0], [-0.6, n_rows - 0.5], color=NEUTRAL, lw=0.9)
    transform = ax.get_yaxis_transform()
    header = [("label", "Subgroup", "left"), ("n", "n", "right"), ("hr", "HR (95% CI)", "left"), ("p", "p", "left")]
    header += [("events", "Events", "right")] if with_events else []
    header += [("pint", "p interaction", "left")] if any(r["kind"] == "header" for r in rows) else []
    for key, title, ha in header:
        ax.text(x_of(key), n_rows, title, transform=transform, fontweight="bold", fontsize=9, va="center", ha=ha)
    ax.text(0.5, n_rows, "Hazard ratio", transform=transform, fontweight="bold", fontsize=9, va="center", ha="center")
    for i, r in enumerate(rows):
        y = n_rows - 1 - i
        kind = r["kind"]
        ax.text(
            x_of("label"),
            y,
            r["text"],
            transform=transform,
            va="center",
            fontsize=9,
            fontweight="normal" if kind == "row" else "bold",
        )
        if kind == "header":
            if np.isfinite(r.get("p_interaction", np.nan)):
                ax.text(x_of("pint"), y, _p_text(r["p_interaction"]), transform=transform, va="center", fontsize=9)
            continue
        ax.text(x_of("n"), y, str(int(r["n"])), transform=transform, va="center", ha="right", fontsize=9)
        if with_events:
            ax.text(x_of("events"), y, str(int(r["events"])), transform=transform, va="center", ha="right", fontsize=9)
        if np.isfinite(r["estimate"]):
            lo, hi = max(r["ci_lower"], xlim[0]), min(r["ci_upper"], xlim[1])
            if kind == "overall":
                ax.fill(
                    [lo, r["estimate"], hi, r["estimate"]],
                    [y, y + 0.3, y, y - 0.3],
                    color=NEUTRAL,
                    lw=0,
                )
            else:
                ax.plot([lo, hi], [y, y], color=NEUTRAL, lw=1.2)
                ax.plot(
                    r["estimate"],
                    y,
                    marker="s",
                    ms=4 + 4 * np.sqrt(r["n"] / frame["n"].max()),
                    color=ARM_COLORS[C.GROUP_ICI],
                )
            hr_text = format_estimate_ci(r["estimate"], r["ci_lower"], r["ci_upper"])
            p_text = _p_text(r["p_value"])
        else:
            hr_text, p_text = "not estimable", ""
        ax.text(x_of("hr"), y, hr_text, transform=transform, va="center", fontsize=9)
        ax.text(x_of("p"), y, p_text, transform=transform, va="center", fontsize=9)
    if overall is not None:
        ax.axhline(n_rows - 1.5, color="#BDBDBD", lw=0.6)
    ax.set_yticks([])
    ax.spines[["top", "right", "left"]].set_visible(False)
    ticks = [t for t in (0.1, 0.25, 0.5, 1, 2, 4, 10) if xlim[0] <= t <= xlim[1]]
    ticks = ticks if len(ticks) >= 3 else sorted({xlim[0], xlim[1], *ticks})
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.tick_params(labelsize=9)
    for text, ha, dx in ((f"← {favours[0]}", "right", -4), (f"{favours[1]} →", "left", 4)):
        ax.annotate(
            text,
            xy=(1.0, 0.0),
            xycoords=("data", "axes fraction"),
            xytext=(dx, -22),
            textcoords="offset points",
            ha=ha,
            va="top",
            fontsize=8,
            color=NEUTRAL,
        )
    return ax


def _p_text(p) -> str:
    """A p-value for a figure: '0.055' or '< 0.001' (with a space, as in the running text)."""
    text = format_p(p)
    return f"< {text[1:]}" if text.startswith("<") else text


def plot_love(
    balance: pd.DataFrame, ax: Axes | None = None, *, labels: dict | None = None, threshold: float = SMD_THRESHOLD
) -> Axes:
    """Absolute standardized mean differences before and after matching (a love plot)."""
    ax = _new_axes(ax, size=(6.5, 0.35 * len(balance) + 1.2))
    labels = labels or {}
    y = np.arange(len(balance))[::-1]
    names = [labels.get(c, c) for c in balance["covariate"]]
    ax.scatter(balance["smd_before"].abs(), y, facecolors="none", edgecolors=NEUTRAL, s=40, label="Before matching")
    ax.scatter(balance["smd_after"].abs(), y, color=ARM_COLORS[C.GROUP_ICI], s=40, label="After matching")
    for yy, b, a in zip(y, balance["smd_before"].abs(), balance["smd_after"].abs(), strict=True):
        ax.plot([b, a], [yy, yy], color="#BDBDBD", lw=0.8, zorder=0)
    ax.axvline(threshold, ls="--", color=NEUTRAL, lw=0.9)
    ax.axvline(0, color=NEUTRAL, lw=0.6)
    ax.set_yticks(y)
    ax.set_yticklabels(names)
    ax.set_xlabel("Absolute standardized mean difference")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="lower right", frameon=False)
    return ax


def _mirrored_histogram(ax: Axes, values: np.ndarray, treated: np.ndarray, edges: np.ndarray) -> None:
    """Counts of ``values`` per bin: the treated arm above the axis, the controls mirrored below it."""
    t_counts, _ = np.histogram(values[treated == 1], bins=edges)
    c_counts, _ = np.histogram(values[treated == 0], bins=edges)
    width = np.diff(edges)
    for counts, group in ((t_counts, C.GROUP_ICI), (-c_counts, C.GROUP_NON_ICI)):
        ax.bar(edges[:-1], counts, width=width, align="edge", color=ARM_COLORS[group], alpha=0.8, label=group)
    ax.axhline(0, color=NEUTRAL, lw=0.8)
    top = max(t_counts.max(), c_counts.max(), 1) * 1.1
    ax.set_ylim(-top, top)


def plot_score_distributions(
    scores: pd.Series, treated: pd.Series, ax: Axes | None = None, *, title: str = "", bins: int = 20
) -> Axes:
    """Propensity-score histograms of the two arms, treated above and controls mirrored below."""
    ax = _new_axes(ax, size=(6.0, 3.6))
    edges = np.linspace(0, 1, bins + 1)
    _mirrored_histogram(ax, np.asarray(scores), np.asarray(treated), edges)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{abs(int(v))}"))
    ax.set_xlim(0, 1)
    ax.set_xlabel("Propensity score")
    ax.set_ylabel("Patients")
    if title:
        ax.set_title(title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8)
    return ax


# The appraisal's samples: marker and colour per method (unadjusted hollow, the others filled).
METHOD_MARKERS = {"unadjusted": "o", "psm": "s", "iptw_ate": "^", "iptw_att": "v", "overlap": "D"}
METHOD_COLORS = {
    "unadjusted": NEUTRAL,
    "psm": "#C62828",
    "iptw_ate": "#1565C0",
    "iptw_att": "#2E7D32",
    "overlap": "#6A1B9A",
}


def plot_love_methods(
    balance: pd.DataFrame,
    ax: Axes | None = None,
    *,
    labels: dict | None = None,
    method_labels: dict | None = None,
    threshold: float = SMD_THRESHOLD,
) -> Axes:
    """Absolute standardized differences of each covariate under several adjustments (one love plot).

    ``balance`` is long: ``method, covariate, abs_smd``; methods are drawn in
    their order of appearance, covariates top to bottom in theirs.
    """
    covariates = list(dict.fromkeys(balance["covariate"]))
    methods = list(dict.fromkeys(balance["method"]))
    ax = _new_axes(ax, size=(7.5, 0.4 * len(covariates) + 1.6))
    labels = labels or {}
    method_labels = method_labels or {}
    y_of = {c: y for c, y in zip(covariates, np.arange(len(covariates))[::-1], strict=True)}
    offsets = np.linspace(-0.25, 0.25, len(methods)) if len(methods) > 1 else [0.0]
    for off, method in zip(offsets, methods, strict=True):
        sub = balance[balance["method"] == method]
        y = np.array([y_of[c] for c in sub["covariate"]]) + off
        color = METHOD_COLORS.get(method, NEUTRAL)
        hollow = method == "unadjusted"
        ax.scatter(
            sub["abs_smd"],
            y,
            marker=METHOD_MARKERS.get(method, "o"),
            s=30,
            facecolors="none" if hollow else color,
            edgecolors=color,
            label=method_labels.get(method, method),
            zorder=3,
        )
    for yy in y_of.values():
        ax.axhline(yy, color="#EEEEEE", lw=0.6, zorder=0)
    ax.axvline(threshold, ls="--", color=NEUTRAL, lw=0.9)
    ax.axvline(0, color=NEUTRAL, lw=0.6)
    ax.set_yticks(list(y_of.values()))
    ax.set_yticklabels([labels.get(c, c) for c in covariates])
    ax.set_xlabel("Absolute standardized mean difference")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.4, -0.1), ncol=2, frameon=False, fontsize=8)
    return ax


def plot_weight_distribution(
    weights: pd.Series, treated: pd.Series, ax: Axes | None = None, *, title: str = "", bins: int = 30
) -> Axes:
    """Histograms of the weights of the two arms, treated above and controls mirrored below."""
    ax = _new_axes(ax, size=(5.0, 3.4))
    w = np.asarray(weights, dtype=float)
    t = np.asarray(treated)
    edges = np.linspace(0, max(float(w.max()), 1e-9) * 1.02, bins + 1)
    _mirrored_histogram(ax, w, t, edges)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{abs(int(v))}"))
    ax.set_xlabel("Weight")
    ax.set_ylabel("Patients")
    ax.set_title(title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper right", frameon=False, fontsize=8)
    return ax


def plot_arm_curves(
    curves: pd.DataFrame, ax: Axes | None = None, *, title: str = "", ylabel: str = "", t_max: float | None = None
) -> Axes:
    """Two survival curves (``time, treated, control``: step functions from S(0) = 1), arm colours.

    Used for the appraisal's weighted Kaplan–Meier and Cox-standardised curves,
    which have no simple numbers at risk; the curves stop where their data stop.
    """
    ax = _new_axes(ax, size=(4.2, 3.4))
    times = curves["time"].to_numpy(dtype=float)
    for col, group in (("treated", C.GROUP_ICI), ("control", C.GROUP_NON_ICI)):
        s = curves[col].to_numpy(dtype=float)
        keep = np.isfinite(s)
        ax.step(
            np.concatenate([[0.0], times[keep]]),
            np.concatenate([[1.0], s[keep]]),
            where="post",
            color=ARM_COLORS[group],
            lw=1.6,
            label=group,
        )
    t_max = t_max or float(np.ceil(times.max() / 6.0) * 6.0)
    ax.set_xlim(0, t_max)
    ax.xaxis.set_major_locator(FixedLocator(np.arange(0, t_max + _time_step(t_max), _time_step(t_max))))
    ax.set_ylim(0, 1.02)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_yticklabels([f"{int(v * 100)}%" for v in np.linspace(0, 1, 6)])
    ax.set_xlabel("Months")
    if ylabel:
        ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper right", frameon=False, fontsize=8)
    return ax


def plot_method_comparison(
    frame: pd.DataFrame,
    *,
    group_col: str = "group",
    label_col: str = "label",
    empty_col: str | None = None,
    panels: tuple = (),
) -> Figure:
    """One row per estimate, grouped (e.g. by endpoint), one panel per measure, shared rows.

    ``panels`` lists ``(column, lower, upper, title, reference, log)``: the
    estimate and limit columns of ``frame``, the panel's axis title, the value
    of no effect (a vertical line) and whether the axis is logarithmic. A row
    whose estimate is NaN is left empty in that panel, or shows the row's
    ``empty_col`` text (e.g. why there is no estimate) in grey. Row labels
    (``label_col``) are printed left of the first panel, group names above
    their rows in bold.
    """
    rows = []
    for group, sub in frame.groupby(group_col, sort=False):
        rows.append(("header", str(group), None))
        rows += [("row", str(r[label_col]), r) for _, r in sub.iterrows()]
    n_rows = len(rows)
    height = 0.27 * n_rows + 1.3
    fig, axes = plt.subplots(1, len(panels), figsize=(4.3 + 2.9 * len(panels), height), sharey=True)
    axes = list(np.atleast_1d(axes))
    fig.subplots_adjust(left=0.4, right=0.98, top=1 - 0.35 / height, bottom=0.75 / height, wspace=0.12)
    ys = np.arange(n_rows)[::-1]
    for ax, (col, lo, hi, title, ref, log) in zip(axes, panels, strict=True):
        if log:
            ax.set_xscale("log")
        ax.axvline(ref, color=NEUTRAL, lw=0.9)
        for y, (kind, _, r) in zip(ys, rows, strict=True):
            if kind != "row":
                continue
            if not np.isfinite(r[col]):
                if empty_col is not None and isinstance(r[empty_col], str) and r[empty_col]:
                    where = blended_transform_factory(ax.transAxes, ax.transData)
                    ax.text(0.5, y, r[empty_col], transform=where, ha="center", va="center", fontsize=8, color=NEUTRAL)
                continue
            if np.isfinite(r[lo]) and np.isfinite(r[hi]):
                ax.plot([r[lo], r[hi]], [y, y], color=NEUTRAL, lw=1.2)
            ax.plot(r[col], y, marker="s", ms=5, color=ARM_COLORS[C.GROUP_ICI])
        if log:
            lo_lim, hi_lim = ax.get_xlim()
            ticks = [v for v in (0.25, 0.4, 0.5, 0.6, 0.8, 1, 1.25, 1.5, 2, 2.5, 4) if lo_lim <= v <= hi_lim]
            ax.xaxis.set_major_locator(FixedLocator(ticks))
            ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}"))
            ax.xaxis.set_minor_locator(FixedLocator([]))
        ax.set_xlabel(title, fontsize=9)
        ax.spines[["top", "right", "left"]].set_visible(False)
        ax.tick_params(axis="y", length=0)
        for y, (kind, _, _) in zip(ys, rows, strict=True):
            if kind == "header":
                ax.axhline(y - 0.5, color="#DDDDDD", lw=0.6, zorder=0)
    axes[0].set_ylim(-0.7, n_rows - 0.3)
    axes[0].set_yticks(ys)
    axes[0].set_yticklabels([text for _, text, _ in rows], fontsize=8.5)
    for tick, (kind, _, _) in zip(axes[0].get_yticklabels(), rows, strict=True):
        if kind == "header":
            tick.set_fontweight("bold")
    return fig
