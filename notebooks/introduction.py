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
import pandas as pd
from myst_nb import glue

from helpers.paper.published import published
from helpers.paths import COHORT_CSV
from helpers.report.tables import format_estimate_ci, p_phrase
from helpers.study import cohort as C


def hr_text(node: dict) -> str:
    return format_estimate_ci(node["hr"], node["hr_ci95_low"], node["hr_ci95_high"])


# %% [markdown]
# ## The question
#
# Extensive-stage small-cell lung cancer nearly always progresses after first-line (1L)
# treatment, and the options for second-line (2L) treatment are few. Immune checkpoint
# inhibitors (ICIs) are now part of standard 1L treatment, but whether adding an ICI to 2L
# therapy helps is unsettled. The original study looked at this question in routine care.

# %% tags=["remove-cell"]
glue("intro_n_centers", published("meta.n_centers"), display=False)
glue("intro_window_start", C.STUDY_START.strftime("%B %Y"), display=False)
glue("intro_window_end", C.STUDY_END.strftime("%B %Y"), display=False)
glue("intro_n_total", published("cohort.n_total"), display=False)
glue("intro_n_ici", published("cohort.before_psm.icis"), display=False)
glue("intro_n_non_ici", published("cohort.before_psm.non_icis"), display=False)
glue("intro_psm_ratio", published("cohort.psm.ratio"), display=False)

# %% [markdown]
# It is a retrospective review of patients from {glue:text}`intro_n_centers` hospitals who
# started 2L therapy between {glue:text}`intro_window_start` and {glue:text}`intro_window_end`.
# Of the {glue:text}`intro_n_total` patients, {glue:text}`intro_n_ici` received an ICI as part
# of their 2L regimen (the 2L-ICIs group) and {glue:text}`intro_n_non_ici` did not (the
# 2L-non-ICIs group). The primary endpoint was progression-free survival (PFS); response,
# overall survival (OS) and adverse events were secondary. Because treatment was not
# randomised, the authors also compared the groups after {glue:text}`intro_psm_ratio`
# propensity score matching.
#
# ## What the original study reported

# %% tags=["remove-cell"]
before = published("efficacy.before_psm")
after = published("efficacy.after_psm")
glue("intro_pfs_ici", before["pfs"]["icis"]["median"], display=False)
glue("intro_pfs_non_ici", before["pfs"]["non_icis"]["median"], display=False)
glue("intro_pfs_hr", hr_text(before["pfs"]), display=False)
glue("intro_ci_level", f"{100 * (1 - published('cohort.significance_alpha_two_sided')):.0f}%", display=False)
glue("intro_pfs_p", p_phrase(before["pfs"]["p"], "p"), display=False)
glue("intro_n_pairs", published("cohort.after_psm.icis"), display=False)
glue("intro_pfs_psm_ici", after["pfs"]["icis"]["median"], display=False)
glue("intro_pfs_psm_non_ici", after["pfs"]["non_icis"]["median"], display=False)
glue("intro_pfs_psm_hr", hr_text(after["pfs"]), display=False)
glue("intro_pfs_psm_p", p_phrase(after["pfs"]["p"], "p"), display=False)

# %% [markdown]
# The headline result concerns PFS. Before matching, the median PFS was
# {glue:text}`intro_pfs_ici:.2f` months with 2L-ICIs against {glue:text}`intro_pfs_non_ici:.2f`
# months without, a hazard ratio (HR) of {glue:text}`intro_pfs_hr` with its
# {glue:text}`intro_ci_level` confidence interval, and {glue:text}`intro_pfs_p` by the
# log-rank test. In the {glue:text}`intro_n_pairs` matched pairs the medians were
# {glue:text}`intro_pfs_psm_ici:.2f` and {glue:text}`intro_pfs_psm_non_ici:.2f` months (HR
# {glue:text}`intro_pfs_psm_hr`, {glue:text}`intro_pfs_psm_p`).

# %% tags=["remove-cell"]
glue("intro_os_ici", before["os"]["icis"]["median"], display=False)
glue("intro_os_non_ici", before["os"]["non_icis"]["median"], display=False)
glue("intro_os_hr", hr_text(before["os"]), display=False)
glue("intro_os_p", p_phrase(before["os"]["p"], "p"), display=False)
glue("intro_os_psm_p", p_phrase(after["os"]["p"], "p"), display=False)
response = published("table2_response.before_psm")
for rate in ("orr", "dcr"):
    glue(f"intro_{rate}_ici", response["icis"][rate]["pct"], display=False)
    glue(f"intro_{rate}_non_ici", response["non_icis"][rate]["pct"], display=False)
    glue(f"intro_{rate}_p", p_phrase(response[f"p_{rate}"], "p"), display=False)

# %% [markdown]
# Overall survival differed little: median {glue:text}`intro_os_ici:.2f` against
# {glue:text}`intro_os_non_ici:.2f` months (HR {glue:text}`intro_os_hr`,
# {glue:text}`intro_os_p`), and the difference was not significant after matching either
# ({glue:text}`intro_os_psm_p`). Tumours shrank more often with an ICI: the objective response
# rate (ORR) was {glue:text}`intro_orr_ici:.1f`% against {glue:text}`intro_orr_non_ici:.1f`%
# ({glue:text}`intro_orr_p`) and the disease control rate (DCR) {glue:text}`intro_dcr_ici:.1f`%
# against {glue:text}`intro_dcr_non_ici:.1f`% ({glue:text}`intro_dcr_p`).

# %% tags=["remove-cell"]
g3_rash = published("table3_safety.rows.g3_rash")
glue("intro_g3_rash_n", g3_rash["icis"]["n"], display=False)
glue("intro_g3_rash_label", g3_rash["label"], display=False)
factors = published("abstract_key_results.pfs_independent_factors")
glue("intro_cox_factors", ", ".join(factors[:-1]) + " and " + factors[-1], display=False)
glue("intro_cox_entry", published("cohort.cox_multivariate_entry_threshold_p"), display=False)

# %% [markdown]
# Treatment-related adverse events were reported as similar in the two groups, apart from the
# immune-related events, which occurred only with ICIs; among them, the safety table's
# "{glue:text}`intro_g3_rash_label`" row counts {glue:text}`intro_g3_rash_n` patient. Within the
# 2L-ICIs group, Cox models that kept the characteristics with a univariate P below
# {glue:text}`intro_cox_entry` named
# {glue:text}`intro_cox_factors` as independent factors for PFS. The authors concluded that 2L
# ICIs are a reasonable option after 1L therapy fails.
#
# ## Why re-run it on synthetic data?

# %% tags=["remove-cell"]
synthetic = pd.read_csv(COHORT_CSV, usecols=["group"])
glue("intro_synthetic_n", len(synthetic), display=False)
glue("intro_n_inconsistencies", len(published("inconsistencies")), display=False)
glue("intro_n_unstated", len(published("methods.not_specified_in_paper")), display=False)

# %% [markdown]
# A published analysis is a chain of choices, and a paper prints only the end of the chain.
# Re-running the chain needs patient rows, which a retrospective clinical study cannot share.
# This book therefore works on a synthetic cohort of {glue:text}`intro_synthetic_n` patients,
# generated so that its counts equal the published ones and its survival curves pass through
# the published medians and landmark rates (see {ref}`the data chapter <data>`). That makes
# three things possible.
#
# - **Teaching.** Every table and figure of the original study is produced in the open, from
#   rows to print, by code the reader can run, change and break. The
#   {ref}`methods primer <primer>` works through each technique on a handful of patients first.
# - **Checking methods.** The paper leaves several decisions unstated (the project's copy of
#   its numbers lists {glue:text}`intro_n_unstated` of them, such as how the matching was done
#   and how the median follow-up was estimated). Running the analyses shows which choices
#   reproduce the printed numbers and how much the results depend on the others. The
#   {ref}`methods chapter <methods>` records each choice the book makes.
# - **Checking the report.** Recomputing from counts exposes numbers that cannot all be true;
#   the project's transcription of the paper notes {glue:text}`intro_n_inconsistencies`
#   internal inconsistencies, from typing slips to survival rates that contradict their own
#   medians.
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
