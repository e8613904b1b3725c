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
# `.venv/bin/jupyter lab notebooks/response.ipynb`. The book is built from the paired
# `notebooks/response.py`; after editing, `.venv/bin/jupytext --sync notebooks/response.py`
# keeps the two in step.

# %% [markdown]
# (response)=
# # Response to second-line therapy
#
# :::{admonition} What and why
# Survival tells whether patients lived longer; tumour response tells whether the tumours
# shrank. It is read from repeated scans, so it is seen early and is directly linked to the
# treatment, which makes it a common secondary endpoint. This chapter compares the best
# response to 2L therapy between the 2L-ICIs and 2L-non-ICIs groups, before and after
# propensity score matching (Table 2 of the original study).
# :::

# %% tags=["remove-cell"]
from IPython.display import Markdown
from myst_nb import glue

from helpers.manuscript import load_study
from helpers.paper.consistency import pd_rounding_figures
from helpers.paper.published import published
from helpers.report import comparisons
from helpers.report.chapter import fidelity_section, glue_all, glue_registry
from helpers.report.tables import counts_display, format_pct, p_value_note, styled
from helpers.stats.contingency import EXPECTED_CUTOFF, compare_proportions
from helpers.study.counts import two_by_two
from helpers.study.design import describe_test

study = load_study()
results = study.results
# every number of Table 2, ours and the paper's: response_before_psm_icis_orr_pct(_pub), response_before_psm_p_orr_phrase, ...
glue_registry(results, "table2_response.", "response_")
assessment = published("methods.tumor_assessment")
glue_all(
    {
        "recist": published("methods.response_criteria"),
        "every_n_cycles": assessment["every_n_cycles"],
        "weeks": f"{assessment['interval_weeks_min']}–{assessment['interval_weeks_max']}",
        "cutoff": EXPECTED_CUTOFF,
    },
    "response_",
)

# %% [markdown]
# ## Best overall response, ORR and DCR
#
# In the original study the tumours were measured on CT (chest and upper abdomen) and brain
# MRI before 2L treatment and then every {glue:text}`response_every_n_cycles` cycles
# ({glue:text}`response_weeks` weeks), and each assessment was classified by
# {glue:text}`response_recist`. These criteria sum the longest diameters of a few chosen
# *target* lesions and compare the sum with its value at baseline, or with its smallest value
# so far:
#
# - **complete response (CR)**: every lesion has disappeared;
# - **partial response (PR)**: the sum has fallen by at least $30\%$ from baseline;
# - **progressive disease (PD)**: the sum has grown by at least $20\%$ (and $5$ mm) from its
#   smallest value, or a new lesion has appeared;
# - **stable disease (SD)**: neither enough shrinkage for PR nor enough growth for PD.
#
# A patient's **best overall response** is the best of these categories recorded from the
# start of 2L treatment until progression, so each patient has exactly one. Two summaries
# follow from it:
#
# $$\mathrm{ORR} = \frac{\#\mathrm{CR} + \#\mathrm{PR}}{n}, \qquad
# \mathrm{DCR} = \frac{\#\mathrm{CR} + \#\mathrm{PR} + \#\mathrm{SD}}{n}.$$
#
# The objective response rate (ORR) counts the patients whose tumours shrank substantially;
# the disease control rate (DCR) adds those whose disease at least stopped growing. The
# denominator $n$ is every patient of the group, including those never assessed as responding.
#
# ## Table 2
#
# (code-table-2)=

# %% tags=["hide-input"]
tables2 = {"Before PSM": results.response("before_psm"), "After PSM": results.response("after_psm")}
glue("response_table2", styled(counts_display(tables2, row_label="Best response")), display=False)
glue("response_table2_tests", Markdown(p_value_note(tables2)), display=False)

# %% [markdown]
# ```{glue:figure} response_table2
# :name: table-2
#
# Table 2 | Best overall response to 2L therapy by treatment group, before and after
# propensity score matching (synthetic cohort). P is given for ORR and DCR only, as in the
# original study. {glue:md}`response_table2_tests` ({ref}`code <code-table-2>`)
# ```
#
# Before matching, the ORR was {glue:text}`response_before_psm_icis_orr_pct`% in the 2L-ICIs
# group and {glue:text}`response_before_psm_non_icis_orr_pct`% in the 2L-non-ICIs group
# ({glue:text}`response_before_psm_p_orr_phrase`); the DCR was
# {glue:text}`response_before_psm_icis_dcr_pct`% and
# {glue:text}`response_before_psm_non_icis_dcr_pct`%
# ({glue:text}`response_before_psm_p_dcr_phrase`). After matching the ORR was
# {glue:text}`response_after_psm_icis_orr_pct`% and
# {glue:text}`response_after_psm_non_icis_orr_pct`%
# ({glue:text}`response_after_psm_p_orr_phrase`), and the DCR
# {glue:text}`response_after_psm_icis_dcr_pct`% and
# {glue:text}`response_after_psm_non_icis_dcr_pct`%
# ({glue:text}`response_after_psm_p_dcr_phrase`). Complete responses were absent or rare: the
# original study counted {glue:text}`response_before_psm_icis_cr_n_pub` and
# {glue:text}`response_before_psm_non_icis_cr_n_pub` in the two groups, the synthetic cohort
# {glue:text}`response_before_psm_icis_cr_n` and {glue:text}`response_before_psm_non_icis_cr_n`.
# The paper prints a zero in that row as a bare count, without a percentage, and so does the
# book.
#
# ## Which test compares the groups
#
# Each comparison is a two-by-two table: responders and non-responders (for ORR) in the two
# groups. The book applies the rule reconstructed in the {ref}`methods chapter <methods>`:
# Pearson's chi-square test without continuity correction, unless an expected count is below
# {glue:text}`response_cutoff:.0f`, in which case Fisher's exact test. The expected count of a
# cell is what it would hold if response did not depend on the group: row total times column
# total divided by the grand total. The cell below builds the table for ORR before matching
# and runs the test the rule picks.

# %%
orr = two_by_two(results.response("before_psm"), "orr", ("CR or PR", "SD or PD"))
orr_test = compare_proportions(orr)
styled(orr)

# %% tags=["remove-cell"]
glue_all({"orr_min_expected": orr_test.min_expected, "orr_test": describe_test(orr_test.test)}, "response_")

# %% [markdown]
# The smallest expected count is {glue:text}`response_orr_min_expected:.1f`, far above the
# cut-off, so the test is {glue:text}`response_orr_test`. The note under Table 2 names the test
# behind each of its p-values. The same rule reproduces every p-value the original study
# printed from its own counts (see the {ref}`methods chapter <methods>`). After matching the
# groups are again compared as independent samples, as the paper did, although the patients
# come in matched pairs.
#
# ## Beside the original study: ORR and DCR
#
# (code-response-compare)=

# %% tags=["hide-input"]
glue("response_tbl_compare", styled(comparisons.response_rates(results)), display=False)

# %% [markdown]
# ```{glue:figure} response_tbl_compare
# :name: tbl-response-compare
#
# ORR and DCR | Percentages of each group and P, as printed in the original study and as
# reproduced on the synthetic cohort, before and after matching
# ({ref}`code <code-response-compare>`).
# ```
#
# Before matching the synthetic cohort reproduces the paper's response counts exactly, by
# construction: ORR {glue:text}`response_before_psm_icis_orr_pct_pub`% against
# {glue:text}`response_before_psm_non_icis_orr_pct_pub`%
# ({glue:text}`response_before_psm_p_orr_pub_phrase`) and DCR
# {glue:text}`response_before_psm_icis_dcr_pct_pub`% against
# {glue:text}`response_before_psm_non_icis_dcr_pct_pub`%
# ({glue:text}`response_before_psm_p_dcr_pub_phrase`) in the paper. After matching the paper
# reports an ORR of {glue:text}`response_after_psm_icis_orr_pct_pub`% against
# {glue:text}`response_after_psm_non_icis_orr_pct_pub`%
# ({glue:text}`response_after_psm_p_orr_pub_phrase`) and a DCR of
# {glue:text}`response_after_psm_icis_dcr_pct_pub`% against
# {glue:text}`response_after_psm_non_icis_dcr_pct_pub`%
# ({glue:text}`response_after_psm_p_dcr_pub_phrase`). The book's matched cohort is not the
# paper's, so these numbers are reproduced only approximately; what carries over is the
# direction and size of the difference between the groups.

# %% tags=["remove-cell"]
pd_row = pd_rounding_figures()  # the paper's own numbers, from the consistency audit
glue_all(
    {
        "pd_n": pd_row["n"],
        "pd_total": pd_row["total"],
        "pd_printed": format_pct(pd_row["printed"]),
        "pd_exact": f"{pd_row['exact']:.2f}%",
        "pd_rounded": format_pct(pd_row["rounded"]),
        "pd_printed_sum": format_pct(pd_row["printed_sum"]),
        "pd_rounded_sum": format_pct(pd_row["rounded_sum"]),
    },
    "response_",
)

# %% [markdown]
# :::{warning}
# One percentage of the original study's Table 2 does not follow from its count. After
# matching, {glue:text}`response_pd_n` of the {glue:text}`response_pd_total` patients of the
# 2L-non-ICIs group had progressive disease, which is {glue:text}`response_pd_exact` and
# rounds to {glue:text}`response_pd_rounded`; the paper prints
# {glue:text}`response_pd_printed`. The printed PR, SD and PD percentages of that column add
# up to {glue:text}`response_pd_printed_sum`, whereas the correctly rounded ones add up to
# {glue:text}`response_pd_rounded_sum`, so the figure was probably adjusted to make the column
# total come out even. The difference is small, but a table's percentages should be the
# rounded shares of its counts, even when they then fail to add up exactly. The book prints
# the rounded share.
# :::
#
# (response-fidelity)=
# ## The fidelity audit for Table 2
#
# The audit (`helpers.paper.fidelity`) sets every number of Table 2 and of the response
# figures in the text beside the reproduced value. Before matching the counts, percentages and
# p-values must agree exactly; after matching they must fall within a tolerance.
#
# (code-response-fidelity)=

# %% tags=["hide-input"]
audit_rows = fidelity_section(study.audit.table, "Response (Table 2)", "response", styler=styled)

# %% [markdown]
# ```{glue:figure} response_tbl_fidelity_summary
# :name: tbl-response-fidelity-summary
#
# Fidelity of Table 2 | Published response numbers counted by the status of the reproduced
# value: equal at the printed digits (exact), within the tolerance, outside it, or impossible
# to reproduce ({ref}`code <code-response-fidelity>`).
# ```
#
# Of the {glue:text}`response_fid_n` published response numbers,
# {glue:text}`response_fid_ok` are reproduced exactly or within tolerance. Those outside,
# if any, are listed here:
#
# ```{glue:figure} response_tbl_fidelity_off
# :name: tbl-response-fidelity-off
#
# Fidelity of Table 2, the misses | Published response numbers whose reproduced value lies
# outside its tolerance ({ref}`code <code-response-fidelity>`).
# ```
#
# Differences after matching follow from the matched cohort: a different set of matched
# patients has a somewhat different mix of responses (see the
# {ref}`baseline chapter <baseline>`). They say nothing about the response counts of the
# original study, which the synthetic cohort meets exactly before matching.
