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
# **To re-run this notebook** you need the project around it (the package `helpers`, the
# cohort file and the published numbers): clone the project's repository, run `make install`
# in its folder (this creates `.venv` with the locked packages), then open the notebook with
# `.venv/bin/jupyter lab notebooks/introduction.ipynb`. The book is built from the paired
# `notebooks/introduction.py`; after editing,
# `.venv/bin/jupytext --sync notebooks/introduction.py` keeps the two in step.

# %% [markdown]
# (introduction)=
# # Introduction
#
# :::{warning}
# **The patients in this book are synthetic.** The original study's records are not public. Every
# table and figure here is computed from a generated cohort that mimics the numbers the original
# study printed. Nothing in this book is evidence for or against any treatment.
# :::
#
# This chapter says what the original study asked and reported, why it is worth re-running its
# analyses on synthetic data, how the book is organised and how to run it yourself.

# %% tags=["remove-cell"]
from helpers.manuscript import load_study
from helpers.paper import consistency
from helpers.paper.published import published
from helpers.report.chapter import glue_all, glue_estimates, glue_registry
from helpers.report.comparisons import figure1_estimates
from helpers.report.words import join_words
from helpers.study import cohort as C
from helpers.study.design import ALPHA

results = load_study().results
# the paper's numbers (suffix _pub) beside the book's, named after their keys
glue_registry(results, "cohort.", "intro_")  # intro_before_psm_icis_pub, intro_after_psm_icis_pub, ...
glue_registry(results, "efficacy.", "intro_")  # intro_before_psm_pfs_icis_median_pub, ..._p_pub_phrase
glue_estimates(results, figure1_estimates(), "intro_")  # intro_before_psm_pfs_hr_ci_pub
glue_registry(results, "table2_response.before_psm.", "intro_")  # intro_icis_orr_pct_pub, intro_p_orr_pub_phrase
glue_registry(results, "table3_safety.rows.g3_rash.", "intro_g3_rash_")
glue_all(
    {
        "n_centers": published("meta.n_centers"),
        "window_start": C.STUDY_START.strftime("%B %Y"),
        "window_end": C.STUDY_END.strftime("%B %Y"),
        "psm_ratio": published("cohort.psm.ratio"),
        "ci_level": f"{100 * (1 - ALPHA):.0f}%",
        "alpha": ALPHA,
        "cox_factors": join_words(published("abstract_key_results.pfs_independent_factors")),
        "n_checks": len(consistency.consistency_table()),
        "n_inconsistent": len(consistency.inconsistencies()),
    },
    "intro_",
)

# %% [markdown]
# ## The question
#
# Extensive-stage small-cell lung cancer nearly always progresses after first-line (1L)
# treatment, and the options for second-line (2L) treatment are few. Immune checkpoint
# inhibitors (ICIs) are now part of standard 1L treatment, but whether adding an ICI to 2L
# therapy helps is unsettled. The original study looked at this question in routine care.
#
# It is a retrospective review of patients from {glue:text}`intro_n_centers` hospitals who
# started 2L therapy between {glue:text}`intro_window_start` and {glue:text}`intro_window_end`.
# Of the {glue:text}`intro_n_total_pub` patients, {glue:text}`intro_before_psm_icis_pub`
# received an ICI as part of their 2L regimen (the 2L-ICIs group) and
# {glue:text}`intro_before_psm_non_icis_pub` did not (the 2L-non-ICIs group). The primary
# endpoint was progression-free survival (PFS); response, overall survival (OS) and adverse
# events were secondary. Because treatment was not randomised, the authors also compared the
# groups after {glue:text}`intro_psm_ratio` propensity score matching.
#
# ## What the original study reported
#
# The headline result concerns PFS. Before matching, the median PFS was
# {glue:text}`intro_before_psm_pfs_icis_median_pub` months with 2L-ICIs against
# {glue:text}`intro_before_psm_pfs_non_icis_median_pub` months without, a hazard ratio (HR)
# of {glue:text}`intro_before_psm_pfs_hr_ci_pub` with its {glue:text}`intro_ci_level`
# confidence interval, and {glue:text}`intro_before_psm_pfs_p_pub_phrase` by the log-rank
# test. In the {glue:text}`intro_after_psm_icis_pub` matched pairs the medians were
# {glue:text}`intro_after_psm_pfs_icis_median_pub` and
# {glue:text}`intro_after_psm_pfs_non_icis_median_pub` months (HR
# {glue:text}`intro_after_psm_pfs_hr_ci_pub`, {glue:text}`intro_after_psm_pfs_p_pub_phrase`).
#
# Overall survival differed less: median {glue:text}`intro_before_psm_os_icis_median_pub`
# against {glue:text}`intro_before_psm_os_non_icis_median_pub` months (HR
# {glue:text}`intro_before_psm_os_hr_ci_pub`, {glue:text}`intro_before_psm_os_p_pub_phrase`),
# and after matching the log-rank p-value was {glue:text}`intro_after_psm_os_p_pub`,
# {glue:text}`intro_after_psm_os_p_pub_side` the {glue:text}`intro_alpha` level. Tumours shrank
# more often with an ICI: the objective response rate (ORR) was
# {glue:text}`intro_icis_orr_pct_pub`% against {glue:text}`intro_non_icis_orr_pct_pub`%
# ({glue:text}`intro_p_orr_pub_phrase`) and the disease control rate (DCR)
# {glue:text}`intro_icis_dcr_pct_pub`% against {glue:text}`intro_non_icis_dcr_pct_pub`%
# ({glue:text}`intro_p_dcr_pub_phrase`).
#
# Treatment-related adverse events were reported as similar in the two groups, apart from the
# immune-related events, which occurred only with ICIs; severe ones were rare (the safety
# table's row for grade-three rash counts {glue:text}`intro_g3_rash_icis_n_pub` of the
# 2L-ICIs patients). Within the 2L-ICIs group, Cox models that kept the characteristics with a
# univariate p-value below {glue:text}`intro_cox_multivariate_entry_threshold_p_pub` named
# {glue:text}`intro_cox_factors` as independent factors for PFS. The authors concluded that 2L
# ICIs are a reasonable option after 1L therapy fails.
#
# ## Why re-run it on synthetic data?

# %% [markdown]
# A published analysis is a chain of choices, and a paper prints only the end of the chain.
# Re-running the chain needs patient rows, which a retrospective clinical study cannot share.
# This book therefore works on a synthetic cohort of {glue:text}`intro_n_total` patients,
# generated so that its counts equal the published ones and its survival curves pass through
# the published medians and landmark rates (see {ref}`the data chapter <data>`). That makes
# three things possible.
#
# - **Teaching.** Every table and figure of the original study is produced in the open, from
#   rows to print, by code the reader can run, change and break. The
#   {ref}`methods primer <primer>` works through each technique on a handful of patients first.
# - **Checking methods.** The paper leaves several decisions unstated, such as how the
#   matching was done and how the median follow-up was estimated. Running the analyses shows
#   which choices reproduce the printed numbers and how much the results depend on the others.
#   The {ref}`methods chapter <methods>` lists each unstated decision with the choice the book
#   makes.
# - **Checking the report.** Recomputing from the paper's own numbers exposes numbers that
#   cannot all be true: of the {glue:text}`intro_n_checks` consistency checks of the
#   {ref}`fidelity chapter <fidelity>`, {glue:text}`intro_n_inconsistent` find an internal
#   inconsistency, from typing slips to survival rates that contradict their own medians.
#
# What the synthetic cohort cannot do is say anything new about the patients. Where its results
# agree with the paper, they agree because the cohort was built to; where they differ, the
# difference is a property of the generator or of an analysis choice, not of the treatments.
#
# ## How to read this book
#
# - **Introduction**: this chapter.
# - **Methods**: the {ref}`methods chapter <methods>` describes the design, endpoints and
#   every statistical method in words, and the {ref}`methods primer <primer>` shows
#   Kaplan–Meier curves, the log-rank test, the Cox model and propensity score matching on a
#   toy example small enough to check by hand.
# - **The study**: the {ref}`data chapter <data>` describes the cohort file and how it was
#   generated; the results chapters that follow it reproduce the original study's tables and
#   figures, one analysis per chapter, beside the published values.
# - **Appendix**: the {ref}`software appendix <software>` lists the versions of Python, the
#   packages and R used to build this copy of the book.
#
# Code that only puts a number into a sentence is hidden from the page but kept in the notebook,
# so every number in the text can be traced to the line that computed it.
#
# ## How to re-run everything
#
# On a machine with Python and `make`, two commands do everything:
#
# ```sh
# make book   # create .venv, install the locked packages, execute every notebook, build _build/html
# make test   # the same installation, then the linter and the test suite
# ```
#
# The book opens at `_build/html/index.html`. Each chapter is a plain-text notebook
# (`notebooks/<name>.py`, the source) paired with a Jupyter notebook (`notebooks/<name>.ipynb`).
# To work on one chapter interactively, run `.venv/bin/jupyter lab notebooks/<name>.ipynb`;
# after editing, `.venv/bin/jupytext --sync notebooks/<name>.py` keeps the pair in step.
#
# Every analysis in the book can also run, without the book, on any cohort file that follows
# the data contract of the {ref}`data chapter <data>`:
#
# ```sh
# .venv/bin/python -m helpers validate your_cohort.csv              # check the file first
# .venv/bin/python -m helpers analyze your_cohort.csv --out DIR     # tables (CSV) and results.json
# .venv/bin/python -m helpers analyze your_cohort.csv --out DIR --figures   # ... and the figures
# ```
#
# The `analyze` command runs the same functions with the same settings as the notebooks, so a
# real cohort in the same layout would give the real versions of every table and figure here.
