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
# (discussion)=
# # Discussion
#
# What this reproduction shows, and what it cannot.

# %% tags=["remove-cell"]
from myst_nb import glue

from helpers.manuscript import load_study
from helpers.paper import consistency, sensitivity

study = load_study()
results = study.results
fid = study.audit.headline
glue("disc_share", f"{100 * fid['share_exact_or_within']:.0f}%", display=False)
glue("disc_rows", fid["rows"], display=False)
checks = consistency.consistency_table()
glue("disc_inconsistent", int((~checks["consistent"]).sum()), display=False)
conv = sensitivity.contingency_conventions()
glue("disc_conv_total", len(conv), display=False)
glue("disc_conv_auto", int(conv["auto_matches"].sum()), display=False)

# %% [markdown]
# ## What the reproduction shows
#
# **The analysis conventions can be pinned down.** The paper names only its software. Its own
# counts show that categorical comparisons used Pearson's χ² without continuity correction,
# switching to Fisher's exact test for sparse tables ({glue:text}`disc_conv_auto` of
# {glue:text}`disc_conv_total` printed p-values reproduce under that rule and under no other);
# its median intervals are symmetric, SE-based intervals; its Cox intervals and p-values are Wald
# statistics. The functions in `helpers` follow these conventions and agree with R's `survival`
# and `MatchIt` packages where the conventions coincide.
#
# **The pipeline runs end to end.** From a cohort file to every table and figure of the paper,
# each number in this book is computed by the same functions that `python -m helpers analyze`
# runs, so a real cohort in the same layout would give real results with no change to the code.
# Of {glue:text}`disc_rows` published numbers, {glue:text}`disc_share` are reproduced exactly or
# within the audit's tolerances ({ref}`fidelity`).
#
# **The paper has checkable flaws.** {glue:text}`disc_inconsistent` of the consistency checks
# find a contradiction, two of them impossible values for a Kaplan–Meier curve, and the
# reported median follow-up only fits a method the paper does not describe.
#
# ## What it does not show
#
# **Nothing about the treatments.** The cohort was generated to match the published summaries.
# Any agreement between this book and the original study is agreement by construction; it adds
# no evidence that second-line immune checkpoint inhibitors work, or do not.
#
# **The matched comparison is fragile.** The paper does not state its matching order, its
# caliper scale or the model behind its propensity score. Plausible alternatives change who is
# matched and move the after-matching hazard ratios ({ref}`fidelity`); the after-matching
# results of the original study depend on choices a reader cannot check.
#
# **The within-group Cox models are prognostic, not predictive.** They compare patients who all
# received immune checkpoint inhibitors, so they say who does worse on that treatment, not who
# benefits from it. The screening of candidates at a univariate P below the entry threshold is
# a convention with known weaknesses (see {ref}`cox`).
#
# **Subgroups are exploratory.** With every Table 1 characteristic split into its levels, a handful of
# nominally significant subgroup effects is expected by chance; the interaction tests, not the
# within-subgroup p-values, are the relevant comparison ({ref}`subgroups`).
