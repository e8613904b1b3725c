# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# (fidelity)=
# # Fidelity audit
#
# A reproduction earns trust number by number. This chapter puts every number the original
# study reports about its own patients beside the number this book computes, judges each
# against a stated tolerance, and then turns the same scrutiny on the paper: which of its
# printed numbers contradict each other, and which analysis conventions its numbers imply.
#
# :::{note}
# The cohort is synthetic and was calibrated to the published figures (see {ref}`data`). A
# close match therefore shows that the analysis code reproduces the paper's conventions and
# that the synthetic cohort carries the published structure; it is not an independent
# confirmation of the study's clinical findings.
# :::

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt
import pandas as pd
from myst_nb import glue

from helpers.manuscript import load_study
from helpers.paper import consistency, fidelity, sensitivity
from helpers.paper.fidelity import ALPHA
from helpers.report.tables import styled
from helpers.stats.contingency import EXPECTED_CUTOFF

study = load_study()
results = study.results
audit = study.audit.table
summary = fidelity.summary(audit)
ok = audit["status"].isin(["exact", "within"])
glue("fid_rows", len(audit), display=False)
glue("fid_ok", int(ok.sum()), display=False)
glue("fid_share", f"{100 * ok.mean():.1f}%", display=False)
glue("fid_outside", int((audit["status"] == "outside").sum()), display=False)
glue("fid_unattainable", int((audit["status"] == "unattainable").sum()), display=False)
exact_class = audit[audit["class"] == "exact"]
glue("fid_exact_class", len(exact_class), display=False)
glue("fid_exact_class_ok", int((exact_class["status"] == "exact").sum()), display=False)

# %% [markdown]
# ## How the audit works
#
# The project keeps its own copy of the published numbers (`data/published/published_results.yaml`).
# `helpers.paper.fidelity.fidelity_table` walks it, finds for each number the value our analysis
# produces, rounds it the way the paper prints it (one decimal for percentages, two for
# medians and main hazard ratios, three for the Cox tables and p-values, with "<0.001" below
# that), and gives it a status:
#
# - **exact**: equal at the printed digits;
# - **within**: inside the tolerance of its class;
# - **outside**: beyond it;
# - **unattainable**: a number the paper itself makes impossible, with the reason.
#
# The tolerance classes are strict for what the synthetic cohort copies exactly (the pre-matching
# Tables 1–3, the treatment counts and every p-value computed from them must agree to the printed
# digits) and looser where the result depends on the matching or on small strata. The full
# definitions are in the docstring of `helpers.paper.fidelity`.
#
# Of {glue:text}`fid_rows` published numbers, {glue:text}`fid_ok` ({glue:text}`fid_share`) are
# exact or within tolerance; {glue:text}`fid_outside` are outside and
# {glue:text}`fid_unattainable` are unattainable. All {glue:text}`fid_exact_class` numbers of the
# exact class are reproduced to the printed digits ({glue:text}`fid_exact_class_ok` of them).
#
# (code-figure-fidelity-summary)=

# %% tags=["hide-input"]
order = summary.sort_values("total")
fig, ax = plt.subplots(figsize=(8, 4.6), layout="constrained")
left = pd.Series(0, index=order.index)
colors = {"exact": "#2E7D32", "within": "#81C784", "outside": "#E53935", "unattainable": "#9E9E9E"}
for status, color in colors.items():
    ax.barh(order["section"], order[status], left=left, color=color, label=status)
    left += order[status]
ax.set_xlabel("Published numbers")
ax.legend(frameon=False, loc="lower right")
ax.spines[["top", "right"]].set_visible(False)
glue("figure-fidelity-summary", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} figure-fidelity-summary
# :name: figure-fidelity-summary
#
# Fidelity by section | How many published numbers of each section are reproduced exactly,
# within tolerance, outside it, or are unattainable ({ref}`code <code-figure-fidelity-summary>`).
# ```
#
# The table below lists the numbers that miss, with their tolerance class; the complete audit,
# one row per published number, follows it and is also written to `results/fidelity.csv`.
#
# (code-table-fidelity-misses)=

# %% tags=["hide-input"]
misses = audit[~ok][["section", "key", "published", "reproduced", "tolerance", "status", "note"]]
glue("table-fidelity-misses", styled(misses.set_index("key")), display=False)

# %% [markdown]
# ```{glue:figure} table-fidelity-misses
# :name: table-fidelity-misses
#
# Published numbers not reproduced within tolerance ({ref}`code <code-table-fidelity-misses>`).
# ```
#
# ### Why numbers after matching differ
#
# After-matching results depend on exactly which patients form pairs. The synthetic cohort was
# built so that re-running the matching finds groups of the published size and make-up, but the
# individual pairs are new: a few patients more or less with liver metastases or a long
# first-line PFS among the matched controls moves a median by a fraction of a month. The audit
# therefore allows more room after matching, and for the small strata of Figures 2 and 3, than
# for the main comparison.
#
# (code-table-fidelity-full)=


# %% tags=["hide-input"]
def highlight(row):
    color = {"outside": "background-color: #FDECEA", "unattainable": "background-color: #EEEEEE"}
    return [color.get(row["status"], "")] * len(row)


full = audit.drop(columns=["class"]).set_index("key")
glue("table-fidelity-full", styled(full).apply(highlight, axis=1), display=False)

# %% [markdown]
# ```{glue:figure} table-fidelity-full
# :name: table-fidelity-full
#
# The complete audit: every published number, the reproduced value as the paper would print it,
# the difference, tolerance and status; misses highlighted ({ref}`code <code-table-fidelity-full>`).
# ```
#
# ## The paper's own consistency
#
# Some published numbers cannot all be true together. `helpers.paper.consistency` re-derives each
# contradiction from the printed numbers alone, so the arithmetic can be checked line by line.

# %% tags=["remove-cell"]
checks = consistency.consistency_table()
glue("fid_checks", len(checks), display=False)
glue("fid_checks_failed", int((~checks["consistent"]).sum()), display=False)
glue("fid_half", "50%", display=False)  # a median is where the curve reaches one half

# %% [markdown]
# Of {glue:text}`fid_checks` checks, {glue:text}`fid_checks_failed` show an inconsistency; the
# others confirm a convention (medians with symmetric intervals, Wald intervals in the Cox
# tables) or a reconciliation (the liver-metastasis strata average back to the group).
#
# :::{warning}
# Two published landmark rates are impossible: a Kaplan–Meier curve that has fallen to
# {glue:text}`fid_half` at its median cannot be above {glue:text}`fid_half` later. Both belong to the stratum with a first-line PFS ≥6
# months, and the other rates of that stratum do not average back to the 2L-ICIs group either.
# The audit marks the two impossible values as unattainable.
# :::
#
# (code-table-consistency)=

# %% tags=["hide-input"]
glue("table-consistency", styled(checks.set_index("id")), display=False)

# %% [markdown]
# ```{glue:figure} table-consistency
# :name: table-consistency
#
# The consistency audit: what the paper prints, the arithmetic on its own numbers, and the
# verdict ({ref}`code <code-table-consistency>`).
# ```
#
# ## Which methods reproduce the paper
#
# The original study names its software but not most of its choices. Running the alternatives
# on the same data shows which ones its numbers imply.
#
# ### Pearson, Yates or Fisher
#
# Every categorical p-value the paper prints can be recomputed from its own counts.

# %% tags=["remove-cell"]
conv = sensitivity.contingency_conventions()
for method in sensitivity.CONTINGENCY_METHODS:
    glue(f"fid_conv_{method}", int(conv[f"{method}_matches"].sum()), display=False)
glue("fid_conv_total", len(conv), display=False)
glue("fid_expected_cutoff", f"{EXPECTED_CUTOFF:g}", display=False)
glue("fid_ci_level", f"{100 * (1 - ALPHA):g}%", display=False)

# %% [markdown]
# Of {glue:text}`fid_conv_total` printed p-values, Pearson's χ² without continuity correction
# reproduces {glue:text}`fid_conv_pearson`, the continuity-corrected (Yates) test
# {glue:text}`fid_conv_yates` and Fisher's exact test {glue:text}`fid_conv_fisher`. The rule
# "Pearson, or Fisher when an expected count is below {glue:text}`fid_expected_cutoff`" reproduces {glue:text}`fid_conv_auto`:
# that is the convention `helpers.stats.contingency` uses.
#
# ### Median confidence intervals
#
# (code-table-ci-styles)=

# %% tags=["hide-input"]
styles = sensitivity.median_ci_styles(results.cohort)
glue("table-ci-styles", styled(styles.set_index(["endpoint", "group", "style"]).round(2)), display=False)

# %% [markdown]
# ```{glue:figure} table-ci-styles
# :name: table-ci-styles
#
# Median survival before matching with the symmetric (SE-based) and log-log (Brookmeyer–Crowley)
# {glue:text}`fid_ci_level` intervals, beside the printed ones ({ref}`code <code-table-ci-styles>`).
# ```
#
# Every interval the paper prints is symmetric about its median, which only the SE-based style
# produces; the log-log interval is usually asymmetric. The book reports the symmetric interval
# beside the paper and the log-log one as well.
#
# ### Tied event times: Breslow or Efron
#
# (code-table-ties)=

# %% tags=["hide-input"]
ties = sensitivity.tie_methods(results.cohort)
glue("table-ties", styled(ties.set_index(["endpoint", "model"]).round(4)), display=False)

# %% [markdown]
# ```{glue:figure} table-ties
# :name: table-ties
#
# Hazard ratios under Breslow (SPSS) and Efron (R) handling of tied event times
# ({ref}`code <code-table-ties>`).
# ```
#
# With event times recorded in days, ties are few and the two methods agree to the printed
# digits; they would differ more with times rounded to whole months.
#
# ### Matching order and caliper scale
#
# (code-table-matching-choices)=

# %% tags=["hide-input"]
choices = sensitivity.matching_choices(results.cohort)
glue("table-matching-choices", styled(choices.set_index(["caliper", "order"]).round(3)), display=False)

# %% [markdown]
# ```{glue:figure} table-matching-choices
# :name: table-matching-choices
#
# Pairs formed, worst remaining standardized difference and after-matching hazard ratios under
# each matching order and caliper scale ({ref}`code <code-table-matching-choices>`).
# ```
#
# The order in which treated patients are matched and the scale of the caliper change who is
# matched, and with it the after-matching estimates. The paper states only the caliper width;
# the book uses the largest score first on the probability scale and shows the alternatives here.
