"""The paper's figures as readers see them: axes, risk tables, forest plots, marks, vector output."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers.report import figures
from helpers.report.plots import plot_forest

from .conftest import ROOT


@pytest.fixture(scope="module")
def results():
    from helpers.manuscript import load_study

    return load_study().results


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text") and a.get_text())]


@pytest.mark.parametrize(
    "make, panel", [(figures.figure_1, p) for p in "ABCD"] + [(figures.figure_3, p) for p in "ABCD"]
)
def test_km_figures_keep_the_risk_table_on_the_axis(results, make, panel):
    fig = make(results, panel)
    ax = fig.axes[0]
    x_max = ax.get_xlim()[1]
    ticks = ax.get_xticks()
    assert ticks.max() <= x_max + 1e-9, "a tick (and its at-risk column) lies past the end of the axis"
    tick_size = ax.xaxis.get_ticklabels()[0].get_fontsize()
    risk = [a for a in ax.texts if a.get_text().split(" ")[0].isdigit() and "(" in a.get_text()]
    assert risk, "no number-at-risk (cumulative events) cells"
    # every column at a tick inside the axis, as large as the tick labels
    assert {round(a.xy[0], 6) for a in risk} <= {round(t, 6) for t in ticks}
    assert all(a.get_fontsize() == tick_size for a in risk)
    texts = _texts(fig)
    assert panel in texts and figures.SYNTHETIC_MARK in texts
    assert "Censored" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("Number at risk (cumulative events)" == t for t in texts)
    assert not any("p <0" in t or "p<" in t for t in texts), "p-values need spaces: 'p < 0.001'"


def test_figure_1a_prints_p_with_spaces(results):
    texts = _texts(figures.figure_1(results, "A"))
    assert any("Log-rank p < 0.001" in t for t in texts)


@pytest.mark.parametrize("panel, endpoint", [("A", "pfs"), ("B", "os")])
def test_forest_plot_has_an_overall_row_and_events(results, panel, endpoint):
    fig = figures.figure_2(results, panel)
    ax = fig.axes[0]
    texts = _texts(fig)
    overall = figures.overall_row(results, endpoint)
    assert "All patients" in texts and "Events" in texts
    assert str(overall["events"]) in texts and str(overall["n"]) in texts
    frame = results.subgroups(endpoint)
    assert all(str(e) in texts for e in frame["events"])
    lo, hi = ax.get_xlim()
    # the axis is just wide enough for every interval (and 1): no band of empty axis
    data_lo = min(frame["ci_lower"].min(), overall["ci_lower"], 1.0)
    data_hi = max(frame["ci_upper"].max(), overall["ci_upper"], 1.0)
    assert lo <= data_lo and hi >= data_hi
    assert np.log(hi / lo) <= 1.6 * np.log(data_hi / data_lo)
    assert panel in texts and figures.SYNTHETIC_MARK in texts


def test_forest_plot_without_groups_or_events():
    import pandas as pd

    frame = pd.DataFrame(
        {
            "label": ["a", "b"],
            "estimate": [0.5, 2.0],
            "ci_lower": [0.3, 1.1],
            "ci_upper": [0.9, 3.5],
            "p_value": [0.01, 0.2],
            "n": [50, 60],
        }
    )
    ax = plot_forest(frame, group_col="none")
    texts = _texts(ax.figure)
    assert "Events" not in texts and "a" in " ".join(texts)
    assert ax.get_xlim()[0] <= 0.3 and ax.get_xlim()[1] >= 3.5


def test_every_figure_is_marked_synthetic(results):
    for stem, fig in figures.all_figures(results).items():
        assert figures.SYNTHETIC_MARK in _texts(fig), stem


def test_notebook_kernels_show_figures_as_vector_graphics():
    """make install copies book/ipython_kernel_config.py into the environment's IPython config."""
    config = (ROOT / "book" / "ipython_kernel_config.py").read_text(encoding="utf-8")
    assert 'c.InlineBackend.figure_formats = {"png", "svg", "pdf"}' in config
    assert "book/ipython_kernel_config.py" in (ROOT / "Makefile").read_text(encoding="utf-8")
