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

# %% [markdown] tags=["remove-cell"]
# To re-run this notebook: get a copy of the project, run `make install` in its folder (it
# creates `.venv` with the locked packages), then open this notebook with
# `.venv/bin/jupyter lab notebooks/discussion.ipynb`. Its numbers come from the
# {ref}`fidelity chapter <fidelity>`, which must have run first (`make book` runs both).

# %% [markdown]
# (discussion)=
# # Discussion
#
# What this reproduction shows, and what it cannot. The counts quoted here are computed once, in
# the {ref}`fidelity chapter <fidelity>`, and read from there.

# %% tags=["remove-cell"]
from helpers.report.chapter import glue_all
from helpers.study.design import COX_ENTRY_P

glue_all({"entry_p": COX_ENTRY_P}, "discussion_")

# %% [markdown]
# ## What the reproduction shows
#
# **The analysis conventions can be pinned down.** The paper names only its software. Its own
# counts show that categorical comparisons used Pearson's χ² without continuity correction,
# switching to Fisher's exact test for sparse tables
# ({glue:text}`/notebooks/fidelity.py::fidelity_conv_auto:s` of
# {glue:text}`/notebooks/fidelity.py::fidelity_conv_total:s` printed p-values reproduce under
# that rule and under no other); its median intervals are symmetric, SE-based intervals; its Cox
# intervals and p-values are Wald statistics. The functions in `helpers` follow these
# conventions and agree with R's `survival` and `MatchIt` packages where the conventions
# coincide.
#
# **The pipeline runs end to end.** From a cohort file to every table and figure of the paper,
# each number in this book is computed by the same functions that `python -m helpers analyze`
# runs, so a real cohort in the same layout would give real results with no change to the code.
# Of {glue:text}`/notebooks/fidelity.py::fidelity_rows:s` published numbers,
# {glue:text}`/notebooks/fidelity.py::fidelity_share:s` are reproduced exactly or within the
# audit's tolerances ({ref}`fidelity`).
#
# **The paper has checkable flaws.** Of the {glue:text}`/notebooks/fidelity.py::fidelity_n_checks:s`
# consistency checks the project computes from the printed numbers,
# {glue:text}`/notebooks/fidelity.py::fidelity_n_checks_failed:s` fail, two of them on values
# that no Kaplan–Meier curve can take, and the reported median follow-up only fits a method the
# paper does not describe. The project's transcription of the paper lists
# {glue:text}`/notebooks/fidelity.py::fidelity_n_listed:s` inconsistencies in all, wording and
# terminology included.
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
# benefits from it. Screening the candidates by a univariable p-value below
# {glue:text}`discussion_entry_p` is a convention with known weaknesses (see {ref}`cox`).
#
# **Subgroups are exploratory.** With every Table 1 characteristic split into its levels, a
# handful of nominally significant subgroup effects is expected by chance; the interaction
# tests, not the within-subgroup p-values, are the relevant comparison ({ref}`subgroups`).
