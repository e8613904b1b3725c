"""The simulation chapter's figures and the ``simulate-report`` files.

Drawing only, from the tables of :mod:`helpers.simulation.outputs`; each
figure function returns a Figure. :func:`write_report` writes the performance
tables and every figure (PNG and SVG) into the simulation's results folder.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..simulation.methods import available_methods
from ..simulation.outputs import (
    CHECK,
    NONCOLLAPSIBILITY,
    load_replicates,
    read_csv,
    read_truth,
    write_performance,
)
from ..simulation.scenarios import DESCRIPTIONS, scenario
from ..study.design import ENDPOINT_SHORT
from .outputs import save_figure
from .plots import NEUTRAL

METHOD_COLORS = ("#C62828", "#1565C0", "#2E7D32", "#6A1B9A", "#EF6C00", "#00838F", "#5D4037", "#AD1457", "#455A64")
KIND_LABELS = {"count": "Count", "percent": "Percent", "months": "Months", "hr": "Hazard ratio"}
QUANTITY_LABELS = {
    "log_hr": "log hazard ratio",
    "rmst_diff_12": "RMST difference at 12 months (months)",
    "rmst_diff_24": "RMST difference at 24 months (months)",
    "surv_diff_6": "survival difference at 6 months",
    "surv_diff_12": "survival difference at 12 months",
}


def method_label(name: str) -> str:
    method = available_methods().get(name)
    return (method.label or name) if method else name


def method_colors(names) -> dict[str, str]:
    return {n: METHOD_COLORS[i % len(METHOD_COLORS)] for i, n in enumerate(dict.fromkeys(names))}


def figure_estimates(
    replicates: pd.DataFrame, truth: pd.DataFrame, endpoint: str, quantity: str = "log_hr", title: str = ""
) -> Figure:
    """Each method's estimates over the replicates (a violin and the central 95%), its true value marked."""
    rows = replicates[(replicates["endpoint"] == endpoint) & (replicates["error"] == "")]
    rows = rows[rows[quantity].notna()]
    methods = list(dict.fromkeys(rows["method"]))
    fig, ax = plt.subplots(figsize=(7.5, 0.75 * len(methods) + 1.6), layout="constrained")
    colors = method_colors(methods)
    true = truth[(truth["endpoint"] == endpoint) & (truth["quantity"] == quantity)].set_index("estimand")["value"]
    for i, method in enumerate(methods):
        sub = rows[rows["method"] == method]
        values = sub[quantity].to_numpy(float)
        y = len(methods) - 1 - i
        parts = ax.violinplot(values, positions=[y], vert=False, widths=0.8, showextrema=False)
        for body in parts["bodies"]:
            body.set_facecolor(colors[method])
            body.set_alpha(0.35)
        lo, hi = np.quantile(values, [0.025, 0.975])
        ax.plot([lo, hi], [y, y], color=colors[method], lw=2)
        ax.plot(values.mean(), y, "o", color=colors[method], ms=6, label=None)
        estimand = sub["estimand"].iloc[0]
        if estimand in true.index:
            ax.plot([true[estimand]] * 2, [y - 0.4, y + 0.4], color=NEUTRAL, lw=2.5)
            ax.text(true[estimand], y + 0.42, f"truth ({estimand})", ha="center", va="bottom", fontsize=8)
    ax.set_yticks(range(len(methods))[::-1], [method_label(m) for m in methods])
    if quantity == "log_hr":
        ax.axvline(0.0, color="#9E9E9E", lw=0.8, ls=":")
    ax.set_xlabel(f"{ENDPOINT_SHORT[endpoint]}: estimated {QUANTITY_LABELS[quantity]}")
    ax.set_title(title or f"Estimates over the replicates ({ENDPOINT_SHORT[endpoint]})", fontsize=11)
    ax.text(
        0.99,
        0.01,
        "dot: mean; line: central 95%; bar: true value",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=8,
        color=NEUTRAL,
    )
    return fig


def figure_coverage(perf: pd.DataFrame, endpoint: str, quantity: str = "log_hr") -> Figure:
    """Coverage of the 95% intervals per scenario and method, with ±1.96 Monte Carlo SE bars."""
    rows = perf[(perf["endpoint"] == endpoint) & (perf["quantity"] == quantity)]
    scenarios = list(dict.fromkeys(rows["scenario"]))
    methods = list(dict.fromkeys(rows["method"]))
    colors = method_colors(methods)
    fig, ax = plt.subplots(figsize=(7.5, 0.9 * len(scenarios) + 1.6), layout="constrained")
    step = 0.8 / max(len(methods), 1)
    for j, method in enumerate(methods):
        sub = rows[rows["method"] == method].set_index("scenario")
        ys, xs, errs = [], [], []
        for i, name in enumerate(scenarios):
            if name in sub.index:
                ys.append(len(scenarios) - 1 - i + 0.4 - (j + 0.5) * step)
                xs.append(100 * sub.loc[name, "coverage"])
                errs.append(100 * 1.96 * sub.loc[name, "coverage_mcse"])
        lower = np.asarray(errs)
        upper = np.minimum(lower, 100 - np.asarray(xs))  # coverage cannot pass 100%
        ax.errorbar(
            xs, ys, xerr=[lower, upper], fmt="o", color=colors[method], label=method_label(method), ms=5, capsize=2
        )
    ax.axvline(95, color=NEUTRAL, lw=1, ls="--")
    ax.set_yticks(range(len(scenarios))[::-1], [DESCRIPTIONS[s][0] for s in scenarios])
    ax.set_xlabel(f"{ENDPOINT_SHORT[endpoint]}: coverage of the 95% interval (%), with ±1.96 Monte Carlo SE")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, fontsize=8, frameon=False)
    return fig


def figure_check(summary: pd.DataFrame) -> Figure:
    """Each checked statistic: the draws' central 95% range and median, the printed value marked."""
    kinds = [k for k in ("percent", "months", "hr", "count") if k in set(summary["kind"])]
    heights = [max(2.0, 0.22 * (summary["kind"] == k).sum() + 0.8) for k in kinds]
    fig, axes = plt.subplots(
        len(kinds), 1, figsize=(8, sum(heights)), layout="constrained", gridspec_kw={"height_ratios": heights}
    )
    for ax, kind in zip(np.atleast_1d(axes), kinds, strict=True):
        rows = summary[summary["kind"] == kind].reset_index(drop=True)
        y = np.arange(len(rows))[::-1]
        ax.hlines(y, rows["q025"], rows["q975"], color="#90A4AE", lw=5)
        ax.plot(rows["median"], y, "|", color=NEUTRAL, ms=10)
        colors = np.where(rows["inside"], "#C62828", "#000000")
        ax.scatter(rows["published"], y, marker="D", color=colors, s=22, zorder=3)
        ax.set_yticks(y, rows["statistic"], fontsize=7)
        ax.set_xlabel(KIND_LABELS[kind], fontsize=9)
        if kind == "hr":
            ax.set_xscale("log")
    np.atleast_1d(axes)[0].set_title(
        "Draws of the structural model (grey: central 95%, tick: median) and the printed value (diamond)", fontsize=10
    )
    return fig


def figure_noncollapsibility(table: pd.DataFrame) -> Figure:
    """Marginal vs conditional PFS HR as the covariates' prognostic strength grows (no confounding)."""
    fig, ax = plt.subplots(figsize=(6.5, 4.2), layout="constrained")
    ax.plot(table["multiplier"], table["marginal_hr"], "o-", color="#C62828", label="marginal HR (ATE)")
    ax.plot(table["multiplier"], table["conditional_hr"], "--", color=NEUTRAL, label="conditional HR (declared)")
    ax.axvline(1.0, color="#9E9E9E", lw=0.8, ls=":")
    ax.set_xlabel("covariate log-HRs of PFS, multiplied by (1 = the model's Table 4 values)")
    ax.set_ylabel("hazard ratio, 2L-ICI vs not")
    ax.legend(frameon=False)
    return fig


def all_figures(folder: str | Path, perf: pd.DataFrame) -> dict[str, Figure]:
    """Every figure of the simulation chapter, by file stem."""
    folder = Path(folder)
    out: dict[str, Figure] = {}
    truth = read_truth(folder)
    for name, reps in load_replicates(folder).items():
        true = truth[truth["mechanism"] == scenario(name).truth]
        for endpoint in ("pfs", "os"):
            out[f"estimates_{name}_{endpoint}"] = figure_estimates(
                reps, true, endpoint, title=f"{DESCRIPTIONS[name][0]}: {ENDPOINT_SHORT[endpoint]}"
            )
    for endpoint in ("pfs", "os"):
        out[f"coverage_{endpoint}"] = figure_coverage(perf, endpoint)
    if (folder / CHECK).exists():
        out["calibration_check"] = figure_check(read_csv(folder / CHECK))
    if (folder / NONCOLLAPSIBILITY).exists():
        out["noncollapsibility"] = figure_noncollapsibility(read_csv(folder / NONCOLLAPSIBILITY))
    return out


def write_report(folder: str | Path) -> list[Path]:
    """``performance.csv``, ``failures.csv`` and every figure (PNG and SVG) into the simulation folder."""
    folder = Path(folder)
    written = write_performance(folder)
    perf = read_csv(written[0])
    for stem, fig in all_figures(folder, perf).items():
        written += save_figure(fig, folder, stem)
    return written


# --- what the chapter shows ------------------------------------------------------------------

ESTIMAND_LABELS = {
    "conditional": "conditional (given the 11 characteristics)",
    "ATE": "marginal, everyone (ATE)",
    "ATT": "marginal, the treated (ATT)",
    "ATO": "marginal, the overlap population (ATO)",
}


def truth_display(truth: pd.DataFrame, mechanism: str = "base") -> pd.DataFrame:
    """The estimands of one mechanism: rows estimand x quantity, columns PFS and OS ('value (MC SE)')."""
    rows = truth[truth["mechanism"] == mechanism].copy()

    def cell(r) -> str:
        if r["quantity"] == "log_hr":
            text = f"HR {np.exp(r['value']):.3f}"
        elif r["quantity"].startswith("rmst"):
            text = f"{r['value']:.2f} months"
        else:
            text = f"{100 * r['value']:.1f} points"
        return text + (f" (MC SE {r['mc_se']:.1g})" if r["mc_se"] > 0 else " (declared)")

    rows["cell"] = rows.apply(cell, axis=1)
    rows["row"] = [
        f"{ESTIMAND_LABELS[e]}: {QUANTITY_LABELS[q]}" for e, q in zip(rows["estimand"], rows["quantity"], strict=True)
    ]
    out = rows.pivot_table(index="row", columns="endpoint", values="cell", aggfunc="first", sort=False)
    return out.reindex(columns=["pfs", "os"]).rename(columns=ENDPOINT_SHORT).rename_axis(index=None, columns=None)


def _pm(value: float, mcse: float, digits: int, scale: float = 1.0) -> str:
    if not np.isfinite(value):
        return ""
    return f"{scale * value:.{digits}f} ({scale * mcse:.{digits}f})"


def performance_display(perf: pd.DataFrame, scenario_name: str, quantity: str = "log_hr") -> pd.DataFrame:
    """One scenario's measures per method and endpoint, each 'estimate (Monte Carlo SE)'."""
    rows = perf[(perf["scenario"] == scenario_name) & (perf["quantity"] == quantity)]
    out = pd.DataFrame(
        {
            "Endpoint": rows["endpoint"].map(ENDPOINT_SHORT),
            "Method": [method_label(m) for m in rows["method"]],
            "Estimand": rows["estimand"],
            "True HR" if quantity == "log_hr" else "Truth": [
                f"{np.exp(t):.3f}" if quantity == "log_hr" else f"{t:.3f}" for t in rows["truth"]
            ],
            "Bias": [_pm(b, m, 3) for b, m in zip(rows["bias"], rows["bias_mcse"], strict=True)],
            "Empirical SE": [_pm(b, m, 3) for b, m in zip(rows["emp_se"], rows["emp_se_mcse"], strict=True)],
            "Model SE": [_pm(b, m, 3) for b, m in zip(rows["mod_se"], rows["mod_se_mcse"], strict=True)],
            "Coverage %": [_pm(b, m, 1, 100) for b, m in zip(rows["coverage"], rows["coverage_mcse"], strict=True)],
            "Rejection %": [_pm(b, m, 1, 100) for b, m in zip(rows["power"], rows["power_mcse"], strict=True)],
            "Failed": rows["n_failed"].astype(int).astype(str),
        }
    )
    return out.set_index(["Endpoint", "Method"])


def check_display(summary: pd.DataFrame) -> pd.DataFrame:
    """The calibration check: printed value, the draws' median and central 95% range, and where the value falls."""
    digits = {"count": 0, "percent": 1, "months": 2, "hr": 3}
    out = pd.DataFrame(
        {
            "Statistic": summary["statistic"],
            "Paper": [f"{v:.{digits[k]}f}" for v, k in zip(summary["published"], summary["kind"], strict=True)],
            "Draws: median": [f"{v:.{digits[k]}f}" for v, k in zip(summary["median"], summary["kind"], strict=True)],
            "Draws: central 95%": [
                f"{a:.{digits[k]}f} to {b:.{digits[k]}f}"
                for a, b, k in zip(summary["q025"], summary["q975"], summary["kind"], strict=True)
            ],
            "Percentile of the paper's value": [f"{100 * p:.0f}" for p in summary["percentile"]],
        }
    )
    return out.set_index("Statistic")


def methods_display(names) -> pd.DataFrame:
    """The methods run: label, estimand compared with, and what it does (its docstring's first line)."""
    methods = available_methods()
    rows = []
    for name in names:
        m = methods[name]
        doc = (m.estimate.__doc__ or "").strip().splitlines()[0] if m.estimate.__doc__ else ""
        rows.append({"Method": m.label or name, "Compared with": ESTIMAND_LABELS[m.estimand], "What it does": doc})
    return pd.DataFrame(rows).set_index("Method")


# --- the numbers a chapter quotes ------------------------------------------------------------


class Experiment:
    """The committed results of the simulation study, read once, with the look-ups a chapter's prose needs.

    ``truth`` (:func:`helpers.simulation.outputs.read_truth`), ``performance``
    (one row per scenario, method, endpoint and quantity) and ``replicates``
    (one frame per scenario). A look-up that finds no row raises KeyError
    naming what was asked for.
    """

    def __init__(self, truth: pd.DataFrame, performance: pd.DataFrame, replicates: dict[str, pd.DataFrame]):
        self.truth, self.performance, self.replicates = truth, performance, replicates

    @staticmethod
    def _one(frame: pd.DataFrame, column: str, **where) -> float:
        rows = frame
        for key, value in where.items():
            rows = rows[rows[key] == value]
        if rows.empty:
            raise KeyError(f"no row with {where}")
        return float(rows[column].iloc[0])

    def measure(self, scenario_name: str, method: str, endpoint: str, name: str, quantity: str = "log_hr") -> float:
        """One performance measure (``bias``, ``coverage``, ``emp_se``, ... or its ``_mcse``)."""
        return self._one(
            self.performance, name, scenario=scenario_name, method=method, endpoint=endpoint, quantity=quantity
        )

    def true_value(self, mechanism: str, endpoint: str, estimand: str, quantity: str = "log_hr") -> float:
        """The true value of an estimand under a data-generating mechanism."""
        return self._one(
            self.truth, "value", mechanism=mechanism, endpoint=endpoint, estimand=estimand, quantity=quantity
        )

    def mean_pairs(self, scenario_name: str, method: str) -> float:
        """The matched pairs a matching method kept, on average over the replicates."""
        rows = self.replicates[scenario_name]
        return float(rows.loc[rows["method"] == method, "n_used"].mean() / 2)

    def same_estimates(self, scenario_name: str, a: str, b: str, endpoint: str = "pfs") -> float:
        """The share of replicates in which methods ``a`` and ``b`` gave the same log hazard ratio."""
        rows = self.replicates[scenario_name]
        rows = rows[rows["endpoint"] == endpoint]
        first = rows[rows["method"] == a].set_index("replicate")["log_hr"]
        second = rows[rows["method"] == b].set_index("replicate")["log_hr"]
        return float(np.isclose(first, second.reindex(first.index)).mean())

    def se_verdict(self, scenario_name: str, method: str, endpoint: str = "pfs", tolerance: float = 0.05) -> str:
        """How a method's intervals behave: 'about right', 'too wide' or 'too narrow' (model SE against empirical SE)."""
        ratio = self.measure(scenario_name, method, endpoint, "mod_se") / self.measure(
            scenario_name, method, endpoint, "emp_se"
        )
        return "about right" if abs(ratio - 1) < tolerance else ("too wide" if ratio > 1 else "too narrow")
